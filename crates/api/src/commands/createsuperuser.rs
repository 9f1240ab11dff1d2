//! `api createsuperuser`: a staff account, like Django's command of the same name.

use std::io::IsTerminal;

use crate::auth::password;
use crate::db::DbPool;
use crate::domain::{Email, Owner, Password, Username};
use crate::models::user::{self, CreateUserError, NewUser};

pub const PASSWORD_ENV: &str = "API_SUPERUSER_PASSWORD";

pub fn run(pool: &DbPool, username: &str, email: &str) -> Result<(), String> {
    let created = create(pool, username, email, read_password()?)?;
    println!(
        "Superuser {:?} created (id {}).",
        created.username, created.id
    );
    Ok(())
}

/// Creates a staff account with the given password.
pub fn create(
    pool: &DbPool,
    username: &str,
    email: &str,
    password: String,
) -> Result<user::User, String> {
    let username = Username::parse(username).map_err(|err| format!("username: {err}"))?;
    let email = Email::parse(email).map_err(|err| format!("email: {err}"))?;
    let owner = Owner {
        username: Some(username.as_str()),
        email: Some(email.as_str()),
    };
    let password = Password::parse(password, &owner)
        .map_err(|problems| format!("password: {}", problems.join(" ")))?;
    let password_hash = password::hash(&password)?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let new = NewUser {
        username,
        email,
        password_hash,
        is_staff: true,
    };
    match user::create(&mut conn, &new) {
        Ok(created) => Ok(created),
        Err(CreateUserError::UsernameTaken) => Err("That username is already taken.".into()),
        Err(CreateUserError::Database(err)) => Err(format!("database: {err}")),
    }
}

fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "no terminal to prompt for a password: set {PASSWORD_ENV}"
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(|err| err.to_string())?;
    let second = rpassword::prompt_password("Password (again): ").map_err(|err| err.to_string())?;
    if first != second {
        return Err("the passwords did not match".into());
    }
    Ok(first)
}
