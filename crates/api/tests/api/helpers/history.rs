//! A local server that speaks Stooq's daily CSV (`/q/d/l/?s=spy.us&i=d&d1=…&d2=…`), serving
//! the closes a test gives it and counting its calls.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::NaiveDate;

#[derive(Default)]
struct Script {
    /// Closes by upper-case symbol.
    closes: HashMap<String, Vec<(NaiveDate, String)>>,
    /// Calls by upper-case symbol.
    calls: HashMap<String, usize>,
}

pub struct FakeHistory {
    pub url: String,
    script: Arc<Mutex<Script>>,
    handle: ServerHandle,
}

impl FakeHistory {
    /// Serves `closes`: (symbol, date, close) rows.
    pub fn start(closes: &[(&str, &str, &str)]) -> Self {
        let mut script = Script::default();
        for (symbol, date, close) in closes {
            script
                .closes
                .entry(symbol.to_string())
                .or_default()
                .push((date.parse().unwrap(), close.to_string()));
        }
        let script = Arc::new(Mutex::new(script));
        let data = web::Data::new(script.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/q/d/l/", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/q/d/l/", web::get().to(daily))
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

    pub fn calls(&self, symbol: &str) -> usize {
        self.script
            .lock()
            .unwrap()
            .calls
            .get(symbol)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_calls(&self) -> usize {
        self.script.lock().unwrap().calls.values().sum()
    }
}

impl Drop for FakeHistory {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn daily(req: HttpRequest, script: web::Data<Arc<Mutex<Script>>>) -> HttpResponse {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string()).unwrap();
    // Stooq's spelling, upper-cased, with a US listing's `.us` left off: `spy.us` is `SPY`,
    // `brk-b.us` is `BRK-B`, `vod.uk` is `VOD.UK`.
    let symbol = query["s"].trim_end_matches(".us").to_ascii_uppercase();
    let day = |key: &str| NaiveDate::parse_from_str(&query[key], "%Y%m%d").unwrap();
    let (first, last) = (day("d1"), day("d2"));
    let mut script = script.lock().unwrap();
    *script.calls.entry(symbol.clone()).or_default() += 1;
    let rows: Vec<String> = script
        .closes
        .get(&symbol)
        .into_iter()
        .flatten()
        .filter(|(date, _)| (first..=last).contains(date))
        .map(|(date, close)| format!("{date},{close},{close},{close},{close},1000\r\n"))
        .collect();
    let body = if rows.is_empty() {
        "No data".to_owned()
    } else {
        format!("Date,Open,High,Low,Close,Volume\r\n{}", rows.concat())
    };
    HttpResponse::Ok().content_type("text/csv").body(body)
}
