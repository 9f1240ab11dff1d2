use actix_web::{web, HttpResponse};

use crate::auth::Hasher;
use crate::db::{DbError, DbPool};
use crate::domain::{Email, Owner, Password, Username};
use crate::error::ApiError;
use crate::input::fields::{all_valid, string, text, Messages};
use crate::input::JsonObject;
use crate::models::user::{self, CreateUserError, NameInUse, NewUser};
use crate::views::user::UserView;

/// `POST /api/users/`: registers `{username, password, email?}`.
#[utoipa::path(
    post,
    path = "/api/users",
    operation_id = "users_register",
    tag = "accounts",
    request_body = crate::openapi::schemas::Registration,
    responses(
        (status = 201, description = "Registered.", body = UserView),
        (status = 400, description = "Bad fields (a taken or look-alike username, a weak password, ...).", body = crate::openapi::schemas::Invalid),
    )
)]
pub async fn register(
    pool: web::Data<DbPool>,
    hasher: web::Data<Hasher>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let username = body.required("username", text(Username::parse));
    let email = body.optional("email", text(Email::parse));
    let owner = Owner {
        username: username.as_ref().ok().map(Username::as_str),
        email: email
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .map(Email::as_str),
    };
    let password = body.required("password", |v| {
        Password::parse(string(v)?, &owner).map_err(Messages)
    });
    let (username, password, email) = all_valid((username, password, email))?;
    let email = email.unwrap_or_default();

    let ticket = hasher.admit()?;
    // Checked before hashing so a taken name costs no hashing time; the unique keys in the
    // database still decide races between concurrent registrations.
    let name = username.clone();
    match pool
        .query(move |conn| user::name_in_use(conn, &name))
        .await?
    {
        None => {}
        Some(NameInUse::Same) => return Err(username_taken()),
        Some(NameInUse::LookAlike) => {
            return Err(ApiError::field(
                "username",
                "A user with a username that looks the same already exists.",
            ))
        }
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
