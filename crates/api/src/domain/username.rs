use unicode_normalization::UnicodeNormalization;
use unicode_security::skeleton;

/// A username: 1-150 letters, digits and `@.+-_`, NFKC-normalised like Django's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

pub const MAX_USERNAME_CHARS: usize = 150;

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name: String = raw.nfkc().collect();
        if name.is_empty() {
            return Err("This field may not be blank.".into());
        }
        if name.chars().count() > MAX_USERNAME_CHARS {
            return Err(format!(
                "Ensure this field has no more than {MAX_USERNAME_CHARS} characters."
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
        {
            return Err(
                "Enter a valid username. This value may contain only letters, numbers, \
                        and @/./+/-/_ characters."
                    .into(),
            );
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity of the name: two usernames with the same key are the same
    /// account, on every database backend alike.
    pub fn key(&self) -> String {
        self.0.nfkc().collect::<String>().to_lowercase()
    }

    /// How the name looks: two names with the same skeleton are one name (see
    /// [`skeleton_of_key`]).
    pub fn skeleton(&self) -> String {
        skeleton_of_key(&self.key())
    }
}

/// The Unicode (TR39) confusable skeleton of a username key: `аdmin` with a Cyrillic а, or
/// `paypa1` with a digit one, have the skeletons of `admin` and `paypal`. TR39's prototypes
/// are not all lower-case (a zero's is a capital O), so the skeleton is folded and taken once
/// more, which makes `0scar` and `oscar` one name as well.
pub fn skeleton_of_key(key: &str) -> String {
    let folded = skeleton(key).collect::<String>().to_lowercase();
    skeleton(&folded).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_digits_and_the_five_symbols() {
        assert!(Username::parse("alice.b+c-d_e@x9").is_ok());
        assert!(Username::parse("Zoë").is_ok());
        assert!(Username::parse(&"a".repeat(150)).is_ok());
    }

    #[test]
    fn refuses_blank_long_and_other_characters() {
        assert!(Username::parse("").is_err());
        assert!(Username::parse(&"a".repeat(151)).is_err());
        for bad in ["a b", "a/b", "a'b", "a\0b", "<script>"] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn look_alike_names_share_a_skeleton_and_others_do_not() {
        let skeleton = |name: &str| Username::parse(name).unwrap().skeleton();
        for (a, b) in [
            ("admin", "\u{0430}dmin"),
            ("paypal", "PAYPA1"),
            ("oscar", "0scar"),
            ("modern", "rnodern"),
        ] {
            assert_eq!(skeleton(a), skeleton(b), "{a} {b}");
        }
        assert_ne!(skeleton("admin"), skeleton("administrator"));
        assert_ne!(skeleton("alice"), skeleton("alicia"));
    }

    #[test]
    fn keys_ignore_case() {
        assert_eq!(
            Username::parse("Alice").unwrap().key(),
            Username::parse("aLICE").unwrap().key()
        );
    }
}
