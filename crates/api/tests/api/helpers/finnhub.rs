//! A local server that speaks Finnhub's quote API, with scripted failures.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

pub const TOKEN: &str = "test-finnhub-token";

#[derive(Default)]
struct Script {
    prices: HashMap<String, String>,
    /// Company profiles: name and market cap in millions, as Finnhub sends it.
    profiles: HashMap<String, (String, String)>,
    /// Unix time every quote claims to be from.
    quote_time: i64,
    /// Answers to give before the real one, per symbol (status codes; 0 = stall past the timeout).
    failures: HashMap<String, Vec<u16>>,
    hits: HashMap<String, usize>,
    /// How long every real answer takes (so concurrent requests overlap).
    delay: Duration,
    /// Requests refused for a wrong key.
    rejected: usize,
}

pub struct FakeFinnhub {
    pub url: String,
    script: Arc<Mutex<Script>>,
    handle: ServerHandle,
}

impl FakeFinnhub {
    pub fn start(prices: &[(&str, &str)]) -> Self {
        let script = Arc::new(Mutex::new(Script {
            prices: prices
                .iter()
                .map(|(s, p)| (s.to_string(), p.to_string()))
                .collect(),
            quote_time: 1_704_488_400,
            ..Script::default()
        }));
        let data = web::Data::new(script.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/api/v1/quote", web::get().to(quote))
                .route("/api/v1/stock/profile2", web::get().to(profile))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url,
            script,
            handle,
        }
    }

    /// The next answers for `symbol` are these statuses (0 stalls past any client timeout).
    pub fn fail_next(&self, symbol: &str, statuses: &[u16]) {
        self.script
            .lock()
            .unwrap()
            .failures
            .insert(symbol.into(), statuses.to_vec());
    }

    pub fn set_price(&self, symbol: &str, price: &str) {
        self.script
            .lock()
            .unwrap()
            .prices
            .insert(symbol.into(), price.into());
    }

    pub fn set_profile(&self, symbol: &str, name: &str, market_cap_millions: &str) {
        self.script
            .lock()
            .unwrap()
            .profiles
            .insert(symbol.into(), (name.into(), market_cap_millions.into()));
    }

    /// Quotes from now on say they are from `time` (Unix seconds).
    pub fn set_quote_time(&self, time: i64) {
        self.script.lock().unwrap().quote_time = time;
    }

    /// Profile requests for `symbol`.
    pub fn profile_hits(&self, symbol: &str) -> usize {
        self.hits(&format!("profile:{symbol}"))
    }

    /// Every real answer from now on takes `delay`.
    pub fn set_delay(&self, delay: Duration) {
        self.script.lock().unwrap().delay = delay;
    }

    /// Requests answered (or failed on purpose) for any symbol.
    pub fn total_hits(&self) -> usize {
        self.script.lock().unwrap().hits.values().sum()
    }

    pub fn rejected(&self) -> usize {
        self.script.lock().unwrap().rejected
    }

    pub fn hits(&self, symbol: &str) -> usize {
        self.script
            .lock()
            .unwrap()
            .hits
            .get(symbol)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for FakeFinnhub {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn profile(req: HttpRequest, script: web::Data<Arc<Mutex<Script>>>) -> HttpResponse {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string()).unwrap();
    let symbol = query.get("symbol").cloned().unwrap_or_default();
    let found = {
        let mut script = script.lock().unwrap();
        *script.hits.entry(format!("profile:{symbol}")).or_default() += 1;
        script.profiles.get(&symbol).cloned()
    };
    let body = match found {
        Some((name, cap)) => format!(
            r#"{{"country":"US","currency":"USD","name":"{name}","marketCapitalization":{cap},"ticker":"{symbol}"}}"#
        ),
        None => "{}".to_owned(),
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

async fn quote(req: HttpRequest, script: web::Data<Arc<Mutex<Script>>>) -> HttpResponse {
    if req
        .headers()
        .get("x-finnhub-token")
        .and_then(|v| v.to_str().ok())
        != Some(TOKEN)
    {
        script.lock().unwrap().rejected += 1;
        return HttpResponse::Unauthorized().json(serde_json::json!({"error": "Invalid API key"}));
    }
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string()).unwrap();
    let symbol = query.get("symbol").cloned().unwrap_or_default();
    let (failure, price, delay, time) = {
        let mut script = script.lock().unwrap();
        *script.hits.entry(symbol.clone()).or_default() += 1;
        let failure = script
            .failures
            .get_mut(&symbol)
            .and_then(|f| (!f.is_empty()).then(|| f.remove(0)));
        (
            failure,
            script.prices.get(&symbol).cloned(),
            script.delay,
            script.quote_time,
        )
    };
    match failure {
        Some(0) => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            HttpResponse::GatewayTimeout().finish()
        }
        Some(status) => HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .json(serde_json::json!({"error": "scripted failure"})),
        None => {
            tokio::time::sleep(delay).await;
            let body = match price {
                Some(price) => format!(
                    r#"{{"c":{price},"d":1.5,"dp":0.75,"h":{price},"l":{price},"o":{price},"pc":{price},"t":{time}}}"#
                ),
                None => r#"{"c":0,"d":null,"dp":null,"h":0,"l":0,"o":0,"pc":0,"t":0}"#.to_owned(),
            };
            HttpResponse::Ok()
                .content_type("application/json")
                .body(body)
        }
    }
}
