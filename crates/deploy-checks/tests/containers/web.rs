//! HTTP as a user's browser or script speaks it, and a bounded background load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "a long enough password";

pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Polls `url` until it answers `want`, for at most `timeout`.
pub async fn wait_for(client: &Client, url: &str, want: StatusCode, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    while Instant::now() < deadline {
        match client.get(url).send().await {
            Ok(response) if response.status() == want => return,
            Ok(response) => last = response.status().to_string(),
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{url} never answered {want} within {timeout:?}; last: {last}");
}

pub async fn json_of(response: reqwest::Response, want: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Registers `username` and logs in: the access token.
pub async fn register_and_log_in(client: &Client, base: &str, username: &str) -> String {
    let body = json!({"username": username, "password": PASSWORD, "email": format!("{username}@example.com")});
    let response = client
        .post(format!("{base}/api/users/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    json_of(response, StatusCode::CREATED).await;
    log_in(client, base, username).await
}

pub async fn log_in(client: &Client, base: &str, username: &str) -> String {
    let response = client
        .post(format!("{base}/api/token/"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    json_of(response, StatusCode::OK).await["access"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What one request of a load came back with: a status, or the transport error.
pub type Outcome = Result<StatusCode, String>;

/// `workers` clients sending GET requests to `url` one after another until stopped, for at
/// most `limit` requests each (the load is bounded even if the test forgets to stop it).
pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<Vec<Outcome>>>,
}

impl Load {
    pub fn start(client: &Client, url: String, token: Option<String>, workers: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..workers)
            .map(|_| {
                let (client, url, token, stop) =
                    (client.clone(), url.clone(), token.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    while !stop.load(Ordering::Relaxed) && outcomes.len() < 5_000 {
                        let mut request = client.get(&url);
                        if let Some(token) = &token {
                            request = request.bearer_auth(token);
                        }
                        outcomes.push(
                            request
                                .send()
                                .await
                                .map(|r| r.status())
                                .map_err(|e| format!("{e:?}")),
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    outcomes
                })
            })
            .collect();
        Self { stop, tasks }
    }

    pub async fn stop(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for task in self.tasks {
            all.extend(task.await.unwrap());
        }
        all
    }
}

/// The outcomes that are not `allowed`, counted by kind.
pub fn unexpected(outcomes: &[Outcome], allowed: &[StatusCode]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for outcome in outcomes {
        let key = match outcome {
            Ok(status) if allowed.contains(status) => continue,
            Ok(status) => status.to_string(),
            Err(err) => err.clone(),
        };
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }
    counts
}
