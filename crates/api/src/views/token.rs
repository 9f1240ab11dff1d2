use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
}
