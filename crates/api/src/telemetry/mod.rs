//! What the api tells its operators about the requests it serves: every request's context (its
//! id, in scope for every log line it causes) and its access-log line (`requests`).

pub mod requests;
