//! A local server that speaks the ECB data API's CSV (`/D.USD.EUR.SP00.A?startPeriod=…&
//! endPeriod=…&format=csvdata`), serving the rates a test gives it (1 EUR in a currency, by
//! day) and counting its calls per currency; a range without a rate is a 404, as the ECB
//! answers.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::NaiveDate;

#[derive(Default)]
struct Script {
    /// Rates of one euro by currency.
    rates: HashMap<String, Vec<(NaiveDate, String)>>,
    calls: HashMap<String, usize>,
}

pub struct FakeEcb {
    pub url: String,
    script: Arc<Mutex<Script>>,
    handle: ServerHandle,
}

impl FakeEcb {
    /// Serves `rates`: (currency, date, one euro in it) rows.
    pub fn start(rates: &[(&str, &str, &str)]) -> Self {
        let mut script = Script::default();
        for (currency, date, rate) in rates {
            script
                .rates
                .entry(currency.to_string())
                .or_default()
                .push((date.parse().unwrap(), rate.to_string()));
        }
        let script = Arc::new(Mutex::new(script));
        let data = web::Data::new(script.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/service/data/EXR", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/service/data/EXR/{key}", web::get().to(series))
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

    pub fn calls(&self, currency: &str) -> usize {
        self.script
            .lock()
            .unwrap()
            .calls
            .get(currency)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for FakeEcb {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn series(
    req: HttpRequest,
    key: web::Path<String>,
    script: web::Data<Arc<Mutex<Script>>>,
) -> HttpResponse {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string()).unwrap();
    assert_eq!(query["format"], "csvdata");
    // D.USD.EUR.SP00.A
    let parts: Vec<&str> = key.split('.').collect();
    assert_eq!(
        (parts[0], parts[2], parts[3], parts[4]),
        ("D", "EUR", "SP00", "A")
    );
    let currency = parts[1].to_owned();
    let day = |key: &str| NaiveDate::parse_from_str(&query[key], "%Y-%m-%d").unwrap();
    let (first, last) = (day("startPeriod"), day("endPeriod"));
    let mut script = script.lock().unwrap();
    *script.calls.entry(currency.clone()).or_default() += 1;
    let rows: Vec<String> = script
        .rates
        .get(&currency)
        .into_iter()
        .flatten()
        .filter(|(date, _)| (first..=last).contains(date))
        .map(|(date, rate)| {
            format!("EXR.D.{currency}.EUR.SP00.A,D,{currency},EUR,SP00,A,{date},{rate},A\r\n")
        })
        .collect();
    if rows.is_empty() {
        return HttpResponse::NotFound().body("No results found.");
    }
    HttpResponse::Ok().content_type("text/csv").body(format!(
        "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\r\n{}",
        rows.concat()
    ))
}
