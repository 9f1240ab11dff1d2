use actix_web::{web, HttpResponse};

use crate::auth::Hasher;
use crate::db::{DbError, DbPool};
use crate::domain::{Email, Password, Username};
use crate::error::ApiError;
use crate::input::fields::{all_valid, string, text};
use crate::input::JsonObject;
use crate::models::user::{self, CreateUserError, NewUser};
use crate::views::user::UserView;

/// `POST /api/users/`: registers `{username, password, email?}`.
pub async fn register(
    pool: web::Data<DbPool>,
    hasher: web::Data<Hasher>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (username, password, email) = all_valid((
        body.required("username", text(Username::parse)),
        body.required("password", |v| Password::parse(string(v)?)),
        body.optional("email", text(Email::parse)),
    ))?;
    let email = email.unwrap_or_default();

    let ticket = hasher.admit()?;
    // Checked before hashing so a taken name costs no hashing time; the unique key in the
    // database still decides races between concurrent registrations.
    let key = username.key();
    let taken = pool
        .query(move |conn| user::find_by_key(conn, &key))
        .await?
        .is_some();
    if taken {
        return Err(username_taken());
    }
    let password_hash = ticket.hash(password).await?;
    drop(ticket);
    let new = NewUser {
        username,
        email,
        password_hash,
        is_staff: false,
    };
    let created = pool
        .run(move |conn| {
            user::create(conn, &new).map_err(|err| match err {
                CreateUserError::UsernameTaken => username_taken(),
                CreateUserError::Database(err) => DbError::from(err).into(),
            })
        })
        .await?;
    log::info!("registered user {} ({})", created.id, created.username);
    Ok(HttpResponse::Created().json(UserView::from(created)))
}

fn username_taken() -> ApiError {
    ApiError::field("username", "A user with that username already exists.")
}
