use std::collections::HashMap;
use std::fmt;

use super::common_passwords;

/// A new password that passed Django's four default checks: long enough, not too similar to
/// the account's username or email, not a common password, not all digits. Its `Debug` never
/// shows the text, so a stray `{:?}` in a log line cannot leak it.
#[derive(Clone)]
pub struct Password(String);

pub const MIN_PASSWORD_CHARS: usize = 8;
/// Upper bound so a megabyte "password" cannot be used to burn hashing time.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Django's `UserAttributeSimilarityValidator` default.
const MAX_SIMILARITY: f64 = 0.7;

/// What the password must not resemble: the account's own names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Owner<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl Password {
    /// Every problem at once, in Django's words (and order), as its `validate_password` does.
    pub fn parse(raw: String, owner: &Owner<'_>) -> Result<Self, Vec<String>> {
        let chars = raw.chars().count();
        if chars > MAX_PASSWORD_CHARS {
            return Err(vec![format!(
                "Ensure this field has no more than {MAX_PASSWORD_CHARS} characters."
            )]);
        }
        let mut problems = Vec::new();
        let attributes = [("username", owner.username), ("email address", owner.email)];
        if let Some((name, _)) = attributes
            .iter()
            .find(|(_, value)| value.is_some_and(|value| too_similar(&raw, value)))
        {
            problems.push(format!("The password is too similar to the {name}."));
        }
        if chars < MIN_PASSWORD_CHARS {
            problems.push(format!(
                "This password is too short. It must contain at least {MIN_PASSWORD_CHARS} characters."
            ));
        }
        if common_passwords::contains(&raw) {
            problems.push("This password is too common.".into());
        }
        if raw.chars().all(|c| c.is_numeric()) {
            problems.push("This password is entirely numeric.".into());
        }
        if problems.is_empty() {
            Ok(Self(raw))
        } else {
            Err(problems)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Django's similarity rule: the lower-cased password against the attribute and each of its
/// word-separated parts (`alice`, `example`, `com` of `alice@example.com`), too similar when
/// the share of characters they have in common reaches [`MAX_SIMILARITY`]. A part much shorter
/// than the password cannot make it similar and is skipped.
fn too_similar(password: &str, attribute: &str) -> bool {
    let password = password.to_lowercase();
    let attribute = attribute.to_lowercase();
    let password_len = password.chars().count();
    attribute
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .chain(std::iter::once(attribute.as_str()))
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let part_len = part.chars().count();
            let negligible = password_len >= 10 * part_len
                && (part_len as f64) < MAX_SIMILARITY / 2.0 * password_len as f64;
            !negligible
        })
        .any(|part| shared_character_ratio(&password, part) >= MAX_SIMILARITY)
}

/// Twice the characters `a` and `b` have in common (as multisets) over their total length:
/// an upper bound on how alike two strings are, the measure Django's rule uses.
fn shared_character_ratio(a: &str, b: &str) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in a.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let mut shared = 0;
    for c in b.chars() {
        if let Some(left) = counts.get_mut(&c).filter(|left| **left > 0) {
            *left -= 1;
            shared += 1;
        }
    }
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 0.0;
    }
    2.0 * shared as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(raw: &str, owner: &Owner<'_>) -> Vec<String> {
        Password::parse(raw.into(), owner).err().unwrap_or_default()
    }

    #[test]
    fn needs_eight_characters() {
        let nobody = Owner::default();
        assert!(problems("a7#kQ2z", &nobody)[0].contains("too short"));
        assert!(Password::parse("a7#kQ2zx".into(), &nobody).is_ok());
        assert!(problems("ééééééé", &nobody)[0].contains("too short"));
    }

    #[test]
    fn common_and_numeric_passwords_are_refused_with_every_reason() {
        let nobody = Owner::default();
        assert_eq!(
            problems("password", &nobody),
            ["This password is too common."]
        );
        assert_eq!(
            problems("  PassWord ", &nobody),
            ["This password is too common."]
        );
        assert_eq!(
            problems("12345678", &nobody),
            [
                "This password is too common.",
                "This password is entirely numeric."
            ]
        );
        assert_eq!(
            problems("80417395621", &nobody),
            ["This password is entirely numeric."]
        );
        assert!(problems("123", &nobody).len() == 3);
    }

    #[test]
    fn passwords_like_the_username_or_email_are_refused() {
        let owner = Owner {
            username: Some("Gwendolyn"),
            email: Some("gwen.harper@example.com"),
        };
        assert_eq!(
            problems("gwendolyn1", &owner),
            ["The password is too similar to the username."]
        );
        assert_eq!(
            problems("harper-99", &owner),
            ["The password is too similar to the email address."]
        );
        assert!(Password::parse("tulip-marble-47".into(), &owner).is_ok());
        // A short part cannot make a long password similar.
        let short = Owner {
            username: Some("al"),
            email: None,
        };
        assert!(Password::parse("a-long-and-lovely-phrase".into(), &short).is_ok());
    }

    #[test]
    fn debug_hides_the_text() {
        let password = Password::parse("correct horse".into(), &Owner::default()).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
