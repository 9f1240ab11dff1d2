//! What a Django installation of the old app holds, made by the tests themselves: password
//! hashes in Django's exact formats.

use argon2::password_hash::{PasswordHasher, SaltString};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`, as Django's PBKDF2PasswordHasher.
pub fn pbkdf2_sha256(password: &str, salt: &str, iterations: u32) -> String {
    let mut digest = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut digest,
    );
    format!(
        "pbkdf2_sha256${iterations}${salt}${}",
        STANDARD.encode(digest)
    )
}

/// `pbkdf2_sha1$…`, as Django's PBKDF2SHA1PasswordHasher.
pub fn pbkdf2_sha1(password: &str, salt: &str, iterations: u32) -> String {
    let mut digest = [0u8; 20];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut digest,
    );
    format!(
        "pbkdf2_sha1${iterations}${salt}${}",
        STANDARD.encode(digest)
    )
}

/// `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, as Django's Argon2PasswordHasher: the
/// PHC string behind Django's `argon2` prefix (small parameters, to keep tests quick).
pub fn argon2(password: &str) -> String {
    let hasher = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(1024, 2, 2, Some(32)).expect("argon2 parameters"),
    );
    let salt = SaltString::from_b64("ZGphbmdvc2FsdHNhbHQ").expect("salt");
    let phc = hasher
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hash");
    format!("argon2{phc}")
}

/// What Django's `set_unusable_password()` stores.
pub const UNUSABLE: &str = "!kTq8VfXw2mZpL0aR9sBnYc3uHdJe6gKi1oWt5xQv";

#[derive(diesel::QueryableByName)]
struct StoredHash {
    #[diesel(sql_type = diesel::sql_types::Text)]
    password_hash: String,
}

/// The password hash stored for `username` (blocking).
pub fn stored_password_hash(database_url: &str, username: &str) -> String {
    use diesel::RunQueryDsl;
    let mut conn = super::db_pool(database_url).get().expect("a connection");
    let query = diesel::sql_query("SELECT password_hash FROM users WHERE username = $1")
        .bind::<diesel::sql_types::Text, _>(username);
    let found: StoredHash =
        api::with_conn!(&mut conn, |c| query.clone().get_result(c)).expect("the account exists");
    found.password_hash
}
