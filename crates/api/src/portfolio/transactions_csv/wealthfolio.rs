//! Wealthfolio's activities CSV, in its two forms: the import template its "download sample"
//! button writes (`date,symbol,instrumentType,quantity,activityType,unitPrice,currency,fee,
//! amount,fxRate,subtype`), and the export of Settings → Exports, whose header is the JSON
//! keys of its activities and whose every cell is a JSON string (`\"` for a quote, not `""`).
//! Columns are found by name, never by place, since each version exports other ones.
//!
//! Its `amount` column means a different thing per type: a dividend's cash, a split's ratio,
//! and for trades a derived quantity × price that we ignore. Cash movements (deposits, fees,
//! interest, transfers) have no place in our ledger and are refused by name.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{
    currency, decimal, derived, error, iso_date, magnitude, net_dividend, timestamp_date, unsigned,
    CsvRow, Kind, RowError, NOT_A_NUMBER, REQUIRED,
};

/// Where Wealthfolio's columns are.
pub(super) struct Columns {
    /// The export (it has `assetSymbol` or `accountName`), read as JSON strings.
    export: bool,
    kind: usize,
    date: usize,
    quantity: usize,
    unit_price: usize,
    amount: usize,
    /// The ticker's columns, best first: since v3 the export's `symbol` is an asset's UUID and
    /// `assetSymbol` the ticker.
    tickers: Vec<usize>,
    /// The account's columns, best first: `accountName`, then the template's `account`
    /// (`accountId` is Wealthfolio's UUID, which names none of ours).
    accounts: Vec<usize>,
    currency: Option<usize>,
    fee: Option<usize>,
    subtype: Option<usize>,
    status: Option<usize>,
    is_draft: Option<usize>,
    comment: Option<usize>,
}

/// A header name as compared: lower case, without spaces, `_`, `-` or `.`.
fn compact(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .collect()
}

/// The columns, if the header is Wealthfolio's: it has `activityType`, or `unit_price` and
/// `type` (the older sample file's layout, which Ghostfolio cannot read). Then the columns
/// Wealthfolio itself requires must be there too, or the header is in error.
pub(super) fn columns(headers: &csv::StringRecord) -> Option<Result<Columns, Vec<RowError>>> {
    let names: Vec<String> = headers.iter().map(compact).collect();
    let at = |name: &str| names.iter().position(|found| found == name);
    let legacy = headers
        .iter()
        .any(|header| header.to_lowercase().contains("unit_price"));
    if at("activitytype").is_none() && !(legacy && at("type").is_some()) {
        return None;
    }
    let all = |candidates: &[&str]| -> Vec<usize> {
        candidates.iter().filter_map(|name| at(name)).collect()
    };
    let tickers = all(&["assetsymbol", "symbol", "assetid"]);
    let mut missing = Vec::new();
    let mut need = |position: Option<usize>, name: &'static str| {
        if position.is_none() {
            missing.push(name);
        }
        position.unwrap_or_default()
    };
    let kind = need(at("activitytype").or(at("type")), "activityType");
    let date = need(at("date"), "date");
    need(tickers.first().copied(), "symbol");
    let quantity = need(at("quantity"), "quantity");
    let unit_price = need(at("unitprice"), "unitPrice");
    let amount = need(at("amount"), "amount");
    if !missing.is_empty() {
        return Some(Err(missing
            .into_iter()
            .map(|name| {
                error(
                    1,
                    "file",
                    format!("The header reads as a Wealthfolio activities CSV but has no {name} column."),
                )
            })
            .collect()));
    }
    Some(Ok(Columns {
        export: at("assetsymbol").is_some() || at("accountname").is_some(),
        kind,
        date,
        quantity,
        unit_price,
        amount,
        tickers,
        accounts: all(&["accountname", "account"]),
        currency: at("currency"),
        fee: at("fee"),
        subtype: at("subtype"),
        status: at("status"),
        is_draft: at("isdraft"),
        comment: at("comment"),
    }))
}

/// A type or subtype as Wealthfolio compares it: upper case, runs of spaces and hyphens as one
/// `_` (`transfer in` is `TRANSFER_IN`).
fn label(raw: &str) -> String {
    raw.to_uppercase()
        .split([' ', '-'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

impl Columns {
    pub(super) fn is_export(&self) -> bool {
        self.export
    }

    pub(super) fn read(
        &self,
        row: usize,
        record: &csv::StringRecord,
    ) -> Result<Vec<CsvRow>, Vec<RowError>> {
        // Version 2.1 wrote a missing value as the text `null`.
        let cell = |at: usize| match record.get(at).unwrap_or_default() {
            "null" => "",
            value => value,
        };
        let optional = |at: Option<usize>| at.map_or("", cell);
        let first = |columns: &[usize]| {
            columns
                .iter()
                .map(|&at| cell(at))
                .find(|value| !value.is_empty())
                .unwrap_or_default()
        };
        let mut errors = Vec::new();
        // Wealthfolio computes posted activities only; its export holds the rest too.
        let status = optional(self.status);
        if !status.is_empty() && !status.eq_ignore_ascii_case("POSTED") {
            errors.push(error(
                row,
                "type",
                format!("Status {status} activities are not imported."),
            ));
        }
        if optional(self.is_draft).eq_ignore_ascii_case("true") {
            errors.push(error(row, "type", "Draft activities are not imported."));
        }
        let raw_kind = cell(self.kind);
        let kind = match label(raw_kind).as_str() {
            "BUY" => Some(Kind::Buy),
            "SELL" => Some(Kind::Sell),
            "DIVIDEND" => Some(Kind::Dividend),
            "SPLIT" => Some(Kind::Split),
            "" => {
                errors.push(error(row, "type", REQUIRED));
                None
            }
            _ => {
                errors.push(error(
                    row,
                    "type",
                    format!(
                        "Type \"{raw_kind}\" is not supported; only BUY, SELL, DIVIDEND and \
                         SPLIT rows can be imported from a Wealthfolio file."
                    ),
                ));
                None
            }
        };
        // A reinvested dividend (DRIP) is the dividend and the buy it paid for. Other
        // dividends in kind (shares of another company, a return of capital, a stock
        // dividend) are not cash received, so they are refused rather than misread.
        let raw_subtype = optional(self.subtype);
        let drip = kind == Some(Kind::Dividend)
            && match label(raw_subtype).as_str() {
                "" | "QUALIFIED" | "ORDINARY" => false,
                "DRIP" => true,
                _ => {
                    errors.push(error(
                        row,
                        "type",
                        format!("Dividend subtype \"{raw_subtype}\" is not supported."),
                    ));
                    false
                }
            };
        let Some(kind) = kind.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };

        let mut out = CsvRow::new(row);
        out.set("type", kind.as_str());
        out.set_given("ticker", first(&self.tickers));
        match cell(self.date) {
            "" => {}
            raw => match date(raw) {
                Some(date) => out.set("date", date.format("%Y-%m-%d").to_string()),
                None => errors.push(error(
                    row,
                    "date",
                    format!("Date \"{raw}\": use YYYY-MM-DD."),
                )),
            },
        }
        // A split's currency may be blank or stale in Wealthfolio, which uses the account's:
        // so do we.
        if kind != Kind::Split {
            currency(row, optional(self.currency), &mut out, &mut errors);
        }
        out.set_given("note", optional(self.comment));
        out.account = Some(first(&self.accounts).to_owned()).filter(|name| !name.is_empty());

        let (quantity, price, fee) = (
            cell(self.quantity),
            cell(self.unit_price),
            optional(self.fee),
        );
        let mut rows = Vec::new();
        match kind {
            Kind::Buy | Kind::Sell => {
                out.set_given("quantity", unsigned(quantity));
                out.set_given("price", unsigned(price));
                out.set_given("fee", unsigned(fee));
                rows.push(out);
            }
            Kind::Dividend => {
                let mut dividend = out.clone();
                if let Some(gross) =
                    dividend_cash(row, cell(self.amount), quantity, price, &mut errors)
                {
                    net_dividend(row, gross, fee, &mut dividend, &mut errors);
                }
                rows.push(dividend);
                if drip {
                    // The fee was the dividend's; the reinvestment itself cost none.
                    let mut buy = out;
                    buy.set("type", Kind::Buy.as_str());
                    buy.set_given("quantity", unsigned(quantity));
                    buy.set_given("price", unsigned(price));
                    rows.push(buy);
                }
            }
            Kind::Split => {
                let ratio = cell(self.amount);
                if ratio.is_empty()
                    || decimal(ratio)
                        .is_some_and(|ratio| ratio.is_sign_negative() || ratio.is_zero())
                {
                    errors.push(error(
                        row,
                        "ratio",
                        "A SPLIT needs the ratio (new shares per old share) in the amount column.",
                    ));
                }
                out.set_given("ratio", ratio);
                rows.push(out);
            }
        }
        if errors.is_empty() {
            Ok(rows)
        } else {
            Err(errors)
        }
    }
}

/// A dividend's cash before its fee: `amount`, the only figure Wealthfolio books; when it
/// is blank, quantity × unit price as its export derives it, or else the quantity alone,
/// as its importer falls back.
fn dividend_cash(
    row: usize,
    amount: &str,
    quantity: &str,
    price: &str,
    errors: &mut Vec<RowError>,
) -> Option<Decimal> {
    if !amount.is_empty() {
        let amount = magnitude(amount);
        if amount.is_none() {
            errors.push(error(row, "amount", NOT_A_NUMBER));
        }
        return amount;
    }
    let positive = |raw: &str| magnitude(raw).filter(|value| !value.is_zero());
    match (positive(quantity), positive(price)) {
        (Some(quantity), Some(price)) => derived(quantity, price).or_else(|| {
            errors.push(error(row, "amount", NOT_A_NUMBER));
            None
        }),
        (Some(quantity), None) => Some(quantity),
        (None, _) => {
            errors.push(error(
                row,
                "amount",
                "A DIVIDEND needs its cash in the amount column.",
            ));
            None
        }
    }
}

/// The date forms Wealthfolio writes: `YYYY-MM-DD`, and a timestamp (with `T` or a space, with
/// or without an offset) whose date is kept as written. Day and month in any other order are
/// refused: Wealthfolio itself guesses US order first, so a guess here could be either.
fn date(raw: &str) -> Option<NaiveDate> {
    iso_date(raw).or_else(|| timestamp_date(raw, b"T "))
}

/// Calls `visit` with each record of an export's body and its row until `visit` says stop.
/// Each line is one record: its cells are JSON strings, which hold no raw line break. A line
/// that is not (a file re-saved by a spreadsheet) is read as CSV with `\` escaping quotes.
pub(super) fn each_export_record(
    text: &str,
    mut visit: impl FnMut(usize, &csv::StringRecord) -> bool,
) {
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(at, line)| (at + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty());
    lines.next();
    for (row, line) in lines {
        let mut record = json_cells(line).unwrap_or_else(|| escaped_cells(line));
        record.trim();
        if record.iter().all(str::is_empty) {
            continue;
        }
        if !visit(row, &record) {
            return;
        }
    }
}

/// A line of JSON strings (or nulls) separated by commas, decoded as JSON decodes them.
fn json_cells(line: &str) -> Option<csv::StringRecord> {
    let values: Vec<Value> = serde_json::from_str(&format!("[{line}]")).ok()?;
    values
        .into_iter()
        .map(|value| match value {
            Value::String(text) => Some(text),
            Value::Null => Some(String::new()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(csv::StringRecord::from)
}

fn escaped_cells(line: &str) -> csv::StringRecord {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .escape(Some(b'\\'))
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record,
        Ok(false) | Err(_) => csv::StringRecord::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, rows, shown};
    use super::super::Layout;

    const TEMPLATE: &str =
        "date,symbol,instrumentType,quantity,activityType,unitPrice,currency,fee,amount,fxRate,subtype\n";

    /// The 31 columns Wealthfolio 3 exports.
    const EXPORT: &str = "\"id\",\"accountId\",\"symbol\",\"activityType\",\"subtype\",\"status\",\"date\",\"quantity\",\"unitPrice\",\"currency\",\"fee\",\"amount\",\"needsReview\",\"comment\",\"fxRate\",\"createdAt\",\"updatedAt\",\"accountName\",\"accountCurrency\",\"assetSymbol\",\"assetName\",\"exchangeMic\",\"assetPricingMode\",\"instrumentType\",\"sourceSystem\",\"sourceRecordId\",\"sourceGroupId\",\"idempotencyKey\",\"importRunId\",\"isUserModified\",\"metadata\"";

    /// One export line: the given type, subtype, status, date, quantity, unit price, fee,
    /// amount and comment (JSON-escaped already), the rest as Wealthfolio fills it.
    #[allow(clippy::too_many_arguments)]
    fn exported(
        kind: &str,
        subtype: &str,
        status: &str,
        date: &str,
        quantity: &str,
        price: &str,
        fee: &str,
        amount: &str,
        comment: &str,
        metadata: &str,
    ) -> String {
        format!(
            "\"9e2d41aa-0b6c-4f1e-a7d3-55c0e9b8f201\",\"5b1f0c2e-7d4a-4e8b-9a31-2c6d8e0f4a17\",\
             \"c0a8e1f2-3b4d-4c5e-8f60-718293a4b5c6\",\"{kind}\",\"{subtype}\",\"{status}\",\"{date}\",\
             \"{quantity}\",\"{price}\",\"USD\",\"{fee}\",\"{amount}\",\"false\",\"{comment}\",\"\",\
             \"2023-08-01T19:04:12.118+00:00\",\"2023-08-01T19:04:12.118+00:00\",\"Brokerage\",\"USD\",\
             \"MSFT\",\"Microsoft Corporation\",\"XNAS\",\"MARKET\",\"EQUITY\",\"MANUAL\",\"\",\"\",\"\",\"\",\
             \"false\",\"{metadata}\""
        )
    }

    fn template(line: &str) -> Vec<String> {
        rows(Layout::Wealthfolio, &format!("{TEMPLATE}{line}\n"))
            .iter()
            .map(shown)
            .collect()
    }

    fn refused(text: &str) -> Vec<(usize, String, String)> {
        errors(text)
            .into_iter()
            .map(|error| (error.row, error.field, error.message))
            .collect()
    }

    #[test]
    fn the_template_reads_trades_dividends_and_splits_and_refuses_a_deposit() {
        let text = format!(
            "{TEMPLATE}\
             2023-02-06,MSFT,EQUITY,4,BUY,258.35,USD,0.99,,,\n\
             2023-05-10,MSFT,EQUITY,1,SELL,310.10,USD,0.99,,,\n\
             2023-06-08,MSFT,EQUITY,3,DIVIDEND,0.68,USD,0,2.04,,QUALIFIED\n\
             2023-07-03,MSFT,EQUITY,,SPLIT,,,,2,,\n\
             2023-08-01,,,,DEPOSIT,,USD,,500.00,,\n"
        );
        assert_eq!(
            refused(&text),
            [(
                6,
                "type".into(),
                "Type \"DEPOSIT\" is not supported; only BUY, SELL, DIVIDEND and SPLIT rows can \
                 be imported from a Wealthfolio file."
                    .into()
            )]
        );
        let good: String = text
            .lines()
            .take(5)
            .map(|line| format!("{line}\n"))
            .collect();
        let read = rows(Layout::Wealthfolio, &good);
        let expected = [
            "currency=USD date=2023-02-06 fee=0.99 price=258.35 quantity=4 ticker=MSFT type=BUY",
            "currency=USD date=2023-05-10 fee=0.99 price=310.10 quantity=1 ticker=MSFT type=SELL",
            // The amount column, not quantity × price; the subtype is dropped.
            "amount=2.04 currency=USD date=2023-06-08 ticker=MSFT type=DIVIDEND",
            "date=2023-07-03 ratio=2 ticker=MSFT type=SPLIT",
        ];
        assert_eq!(read.iter().map(shown).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn the_export_reads_by_column_name_with_json_escapes_and_refuses_a_deposit() {
        let lines = [
            EXPORT.to_owned(),
            exported(
                "DEPOSIT",
                "",
                "POSTED",
                "2023-08-01T00:00:00+00:00",
                "",
                "",
                "0",
                "500",
                "Monthly top-up",
                "",
            ),
            exported(
                "SPLIT",
                "",
                "POSTED",
                "2023-07-03T00:00:00+00:00",
                "",
                "",
                "0",
                "2",
                r#"2-for-1 \"forward\" split"#,
                r#"{\"split_ratio\":\"2:1\"}"#,
            ),
            exported(
                "DIVIDEND",
                "QUALIFIED",
                "POSTED",
                "2023-06-08T00:00:00+00:00",
                "3",
                "0.68",
                "0",
                "2.04",
                "",
                "",
            ),
            exported(
                "SELL",
                "",
                "POSTED",
                "2023-05-10T14:30:00.000Z",
                "1",
                "310.10",
                "0.99",
                "310.10",
                "Trim",
                "",
            ),
            exported(
                "BUY",
                "",
                "POSTED",
                "2023-02-06T00:00:00+00:00",
                "4",
                "258.35",
                "0.99",
                "1033.40",
                r"a \\ b\nc",
                "",
            ),
        ];
        // Rows joined by LF with no final newline, as Wealthfolio writes them.
        let refused = refused(&lines.join("\n"));
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "type"));
        assert!(refused[0]
            .2
            .starts_with("Type \"DEPOSIT\" is not supported"));
        let mut good = lines;
        good[1].clear();
        let read = rows(Layout::Wealthfolio, &good.join("\n"));
        let expected = [
            "date=2023-07-03 note=2-for-1 \"forward\" split ratio=2 ticker=MSFT type=SPLIT @Brokerage",
            "amount=2.04 currency=USD date=2023-06-08 ticker=MSFT type=DIVIDEND @Brokerage",
            "currency=USD date=2023-05-10 fee=0.99 note=Trim price=310.10 quantity=1 ticker=MSFT type=SELL @Brokerage",
            "currency=USD date=2023-02-06 fee=0.99 note=a \\ b\nc price=258.35 quantity=4 ticker=MSFT type=BUY @Brokerage",
        ];
        assert_eq!(read.iter().map(shown).collect::<Vec<_>>(), expected);
        assert_eq!(
            read.iter().map(|row| row.row).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
    }

    #[test]
    fn an_export_line_that_is_not_json_is_read_as_backslash_escaped_csv() {
        let text = "\"date\",\"assetSymbol\",\"activityType\",\"quantity\",\"unitPrice\",\"amount\",\"comment\",\"accountName\"\r\n\
                    2023-02-06,MSFT,BUY,4,258.35,,\"say \\\"hi\\\", then go\",IRA\r\n";
        assert_eq!(
            shown(&rows(Layout::Wealthfolio, text)[0]),
            "date=2023-02-06 note=say \"hi\", then go price=258.35 quantity=4 ticker=MSFT type=BUY @IRA"
        );
    }

    #[test]
    fn the_asset_symbol_is_the_ticker_and_the_symbol_only_its_fallback() {
        let text = "\"symbol\",\"activityType\",\"date\",\"quantity\",\"unitPrice\",\"amount\",\"assetSymbol\"\n\
                    \"c0a8e1f2\",\"BUY\",\"2023-02-06\",\"1\",\"2\",\"\",\"MSFT\"\n\
                    \"SHOP.TO\",\"BUY\",\"2023-02-06\",\"1\",\"2\",\"\",\"\"\n\
                    \"SHOP.TO\",\"BUY\",\"2023-02-06\",\"1\",\"2\",\"\",\"null\"\n";
        let read = rows(Layout::Wealthfolio, text);
        let tickers: Vec<_> = read
            .iter()
            .map(|row| row.fields["ticker"].as_str().unwrap())
            .collect();
        assert_eq!(tickers, ["MSFT", "SHOP.TO", "SHOP.TO"]);
    }

    #[test]
    fn types_beyond_trades_dividends_and_splits_are_refused_by_name() {
        for kind in [
            "transfer in",
            "TRANSFER_IN",
            "Transfer-In",
            "ADD_HOLDING",
            "REMOVE_HOLDING",
            "TRANSFER_OUT",
            "INTEREST",
            "WITHDRAWAL",
            "FEE",
            "TAX",
            "CREDIT",
            "ADJUSTMENT",
            "UNKNOWN",
            "CONVERSION_IN",
        ] {
            let refused = refused(&format!(
                "{TEMPLATE}2024-01-02,MSFT,EQUITY,5,{kind},100,USD,0,,,\n"
            ));
            assert_eq!(refused.len(), 1, "{kind}");
            assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "type"));
            assert!(
                refused[0]
                    .2
                    .starts_with(&format!("Type \"{kind}\" is not supported")),
                "{refused:?}"
            );
        }
        assert_eq!(
            template("2024-01-02,msft,EQUITY,5,buy,100,USD,,,,")[0],
            "currency=USD date=2024-01-02 price=100 quantity=5 ticker=msft type=BUY"
        );
    }

    #[test]
    fn a_split_takes_its_ratio_from_the_amount_column_only() {
        assert_eq!(
            template("2024-06-10,NVDA,EQUITY,3,SPLIT,,EUR,,0.1,,")[0],
            "date=2024-06-10 ratio=0.1 ticker=NVDA type=SPLIT"
        );
        for amount in ["", "0", "-2"] {
            let refused = refused(&format!(
                "{TEMPLATE}2024-06-10,NVDA,EQUITY,3,SPLIT,,,,{amount},,\n"
            ));
            assert_eq!(refused.len(), 1);
            assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "ratio"));
            assert!(refused[0].2.contains("amount column"), "{refused:?}");
        }
        // Text that is no number is passed on for `read_entry` to refuse.
        assert_eq!(
            template("2024-06-10,NVDA,EQUITY,,SPLIT,,,,2:1,,")[0],
            "date=2024-06-10 ratio=2:1 ticker=NVDA type=SPLIT"
        );
    }

    #[test]
    fn a_dividend_is_its_amount_less_its_fee_or_else_quantity_times_price() {
        assert_eq!(
            template("2024-01-02,MSFT,EQUITY,,DIVIDEND,,USD,0.75,5,,")[0],
            "amount=4.25 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND"
        );
        assert_eq!(
            template("2024-01-02,MSFT,EQUITY,10,DIVIDEND,0.24,USD,,,,")[0],
            "amount=2.40 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND"
        );
        assert_eq!(
            template("2024-01-02,MSFT,EQUITY,7.5,DIVIDEND,,USD,,,,")[0],
            "amount=7.5 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND"
        );
        assert_eq!(
            template("2024-01-02,MSFT,EQUITY,1,DIVIDEND,0.0000025,USD,,,,")[0],
            "amount=0.000002 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND"
        );
        assert_eq!(
            template("2024-01-02,MSFT,EQUITY,,DIVIDEND,,USD,,-3.10,,")[0],
            "amount=3.10 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND"
        );
        let missing = refused(&format!(
            "{TEMPLATE}2024-01-02,MSFT,EQUITY,,DIVIDEND,0.24,USD,,,,\n"
        ));
        assert_eq!((missing[0].0, missing[0].1.as_str()), (2, "amount"));
        let eaten = refused(&format!(
            "{TEMPLATE}2024-01-02,MSFT,EQUITY,,DIVIDEND,,USD,5,5,,\n"
        ));
        assert_eq!((eaten[0].1.as_str(), eaten.len()), ("amount", 1));
        assert!(eaten[0].2.contains("after its fee"));
        let places = refused(&format!(
            "{TEMPLATE}2024-01-02,MSFT,EQUITY,,DIVIDEND,,USD,0.0000001,5,,\n"
        ));
        assert_eq!(places[0].1, "fee");
    }

    #[test]
    fn a_drip_dividend_is_the_dividend_and_the_buy_it_paid_for() {
        let read = rows(
            Layout::Wealthfolio,
            &format!("{TEMPLATE}2024-01-02,MSFT,EQUITY,0.01,DIVIDEND,300,USD,0.10,3.00,,DRIP\n"),
        );
        assert_eq!(
            read.iter().map(shown).collect::<Vec<_>>(),
            [
                "amount=2.90 currency=USD date=2024-01-02 ticker=MSFT type=DIVIDEND",
                "currency=USD date=2024-01-02 price=300 quantity=0.01 ticker=MSFT type=BUY",
            ]
        );
        assert_eq!((read[0].row, read[1].row), (2, 2));
    }

    #[test]
    fn dividends_that_are_not_cash_are_refused_by_subtype() {
        for subtype in ["DIVIDEND_IN_KIND", "RETURN_OF_CAPITAL", "STOCK_DIVIDEND"] {
            let refused = refused(&format!(
                "{TEMPLATE}2024-01-02,MSFT,EQUITY,,DIVIDEND,,USD,,5,,{subtype}\n"
            ));
            assert_eq!((refused[0].1.as_str(), refused.len()), ("type", 1));
            assert_eq!(
                refused[0].2,
                format!("Dividend subtype \"{subtype}\" is not supported.")
            );
        }
    }

    #[test]
    fn activities_not_posted_and_drafts_are_refused() {
        for status in ["VOID", "DRAFT", "PENDING"] {
            let line = exported(
                "BUY",
                "",
                status,
                "2023-02-06T00:00:00+00:00",
                "4",
                "258.35",
                "0.99",
                "1033.40",
                "",
                "",
            );
            let refused = refused(&format!("{EXPORT}\n{line}"));
            assert_eq!(
                refused,
                [(
                    2,
                    "type".into(),
                    format!("Status {status} activities are not imported.")
                )]
            );
        }
        let text = "\"id\",\"symbol\",\"activityType\",\"date\",\"quantity\",\"unitPrice\",\"amount\",\"isDraft\",\"accountName\"\n\
                    \"1\",\"MSFT\",\"BUY\",\"2023-02-06T00:00:00.000Z\",\"1\",\"2\",\"null\",\"true\",\"IRA\"\n\
                    \"2\",\"MSFT\",\"BUY\",\"2023-02-06T00:00:00.000Z\",\"1\",\"2\",\"null\",\"false\",\"IRA\"\n";
        assert_eq!(
            refused(text),
            [(
                2,
                "type".into(),
                "Draft activities are not imported.".into()
            )]
        );
    }

    #[test]
    fn dates_keep_the_day_written_and_day_month_orders_are_refused() {
        for (raw, day) in [
            ("2025-06-25T00:00:00+01:00", "2025-06-25"),
            ("2024-03-14T23:00:00+00:00", "2024-03-14"),
            ("2024-01-15T00:00:00.000Z", "2024-01-15"),
            ("2024-01-15 00:00:00", "2024-01-15"),
            ("2024-01-15", "2024-01-15"),
        ] {
            assert!(
                template(&format!("{raw},MSFT,EQUITY,1,BUY,1,USD,,,,"))[0]
                    .contains(&format!("date={day} ")),
                "{raw}"
            );
        }
        for raw in [
            "01/02/2024",
            "02.01.2024",
            "02-01-2024",
            "20240102",
            "2024/01/02",
        ] {
            let refused = refused(&format!("{TEMPLATE}{raw},MSFT,EQUITY,1,BUY,1,USD,,,,\n"));
            assert_eq!(
                refused,
                [(2, "date".into(), format!("Date \"{raw}\": use YYYY-MM-DD."))]
            );
        }
    }

    #[test]
    fn a_minor_unit_currency_is_refused_and_a_splits_currency_is_ignored() {
        let refused = refused(&format!(
            "{TEMPLATE}2024-01-02,VOD,EQUITY,10,BUY,7550,GBp,,,,\n"
        ));
        assert_eq!((refused[0].1.as_str(), refused.len()), ("currency", 1));
        assert!(refused[0].2.contains("pence"));
        assert_eq!(
            template("2024-01-02,VOD,EQUITY,,SPLIT,,GBp,,2,,")[0],
            "date=2024-01-02 ratio=2 ticker=VOD type=SPLIT"
        );
    }

    #[test]
    fn the_older_sample_layout_with_unit_price_and_type_is_wealthfolio() {
        let read = rows(
            Layout::Wealthfolio,
            "date,type,symbol,instrumentType,quantity,unit_price,currency,fee,amount,comment,fxRate,subtype\n\
             2024-01-02,BUY,MSFT,EQUITY,1,2,USD,0,,first,,\n",
        );
        assert_eq!(
            shown(&read[0]),
            "currency=USD date=2024-01-02 fee=0 note=first price=2 quantity=1 ticker=MSFT type=BUY"
        );
    }

    #[test]
    fn a_wealthfolio_header_without_its_required_columns_is_the_headers_error() {
        // Version 1.0 exported no amount column.
        let refused = refused("\"id\",\"assetId\",\"activityType\",\"date\",\"quantity\",\"unitPrice\",\"accountName\"\n");
        assert_eq!(
            refused,
            [(
                1,
                "file".into(),
                "The header reads as a Wealthfolio activities CSV but has no amount column.".into()
            )]
        );
    }
}
