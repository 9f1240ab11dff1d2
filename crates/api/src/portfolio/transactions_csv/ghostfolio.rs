//! Ghostfolio's activities CSV: its import template (`Date,Code,DataSource,Currency,Price,
//! Quantity,Action,Fee,Note`) and the column aliases its importer reads, which also cover
//! Interactive Brokers' Activity Flex files. Ghostfolio exports JSON only, so these files are
//! written by hand or by converters. Ghostfolio has no splits; its fee, interest and liability
//! rows have no place in our ledger.

use chrono::NaiveDate;

use super::{
    currency, derived, error, magnitude, net_dividend, timestamp_date, unsigned, ymd, CsvRow, Kind,
    RowError, NOT_A_NUMBER, REQUIRED,
};

// The fields, as places in `ALIASES`.
const DATE: usize = 0;
const TICKER: usize = 1;
const TYPE: usize = 2;
const PRICE: usize = 3;
const QUANTITY: usize = 4;
const CURRENCY: usize = 5;
const FEE: usize = 6;
const ACCOUNT: usize = 7;
const NOTE: usize = 8;

/// Each field's header names, lower-cased, in the order Ghostfolio tries them; the first seven
/// groups are the ones it requires.
const ALIASES: [&[&str]; 9] = [
    &["date", "tradedate"],
    &["code", "symbol", "ticker"],
    &["action", "buy/sell", "type"],
    // `value` is a unit price here, not a total.
    &["price", "tradeprice", "unitprice", "value"],
    &["qty", "quantity", "shares", "units"],
    &["ccy", "currency", "currencyprimary"],
    &["commission", "fee", "ibcommission"],
    &["account", "accountid"],
    &["comment", "note"],
];
const REQUIRED_GROUPS: usize = 7;

/// For each field, the columns that may hold it, in alias order.
pub(super) struct Columns([Vec<usize>; 9]);

/// The columns, if the header names every required field by one of its aliases.
pub(super) fn columns(headers: &csv::StringRecord) -> Option<Columns> {
    let names: Vec<String> = headers
        .iter()
        .map(|header| header.trim().to_lowercase())
        .collect();
    let groups = ALIASES.map(|aliases| {
        aliases
            .iter()
            .filter_map(|alias| names.iter().position(|name| name == alias))
            .collect::<Vec<_>>()
    });
    groups[..REQUIRED_GROUPS]
        .iter()
        .all(|found| !found.is_empty())
        .then_some(Columns(groups))
}

impl Columns {
    pub(super) fn read(
        &self,
        row: usize,
        record: &csv::StringRecord,
    ) -> Result<Vec<CsvRow>, Vec<RowError>> {
        // The first alias with a value wins, as in Ghostfolio.
        let cell = |field: usize| {
            self.0[field]
                .iter()
                .map(|&at| record.get(at).unwrap_or_default())
                .find(|value| !value.is_empty())
                .unwrap_or_default()
        };
        let raw_kind = cell(TYPE);
        let kind = match raw_kind.to_lowercase().as_str() {
            "buy" => Kind::Buy,
            "sell" => Kind::Sell,
            "dividend" => Kind::Dividend,
            "" => return Err(vec![error(row, "type", REQUIRED)]),
            _ => {
                return Err(vec![error(
                    row,
                    "type",
                    format!(
                        "Type \"{raw_kind}\" is not supported; only BUY, SELL and DIVIDEND \
                         rows can be imported from a Ghostfolio file."
                    ),
                )])
            }
        };
        let mut out = CsvRow::new(row);
        let mut errors = Vec::new();
        out.set("type", kind.as_str());
        out.set_given("ticker", cell(TICKER));
        match cell(DATE) {
            "" => {}
            raw => match date(raw) {
                Some(date) => out.set("date", date.format("%Y-%m-%d").to_string()),
                None => errors.push(error(
                    row,
                    "date",
                    format!(
                        "Date \"{raw}\" is not valid; Ghostfolio dates are DD-MM-YYYY, \
                         DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD or YYYYMMDD."
                    ),
                )),
            },
        }
        currency(row, cell(CURRENCY), &mut out, &mut errors);
        out.set_given("note", cell(NOTE));
        out.account = Some(cell(ACCOUNT).to_owned()).filter(|account| !account.is_empty());
        if kind == Kind::Dividend {
            // Ghostfolio's dividend is shares held × dividend per share; converters that
            // write quantity 1 and the total as the price come out the same.
            let mut number = |field: usize, name: &str| match cell(field) {
                "" => {
                    errors.push(error(row, name, REQUIRED));
                    None
                }
                raw => magnitude(raw).or_else(|| {
                    errors.push(error(row, name, NOT_A_NUMBER));
                    None
                }),
            };
            let (quantity, price) = (number(QUANTITY, "quantity"), number(PRICE, "price"));
            if let (Some(quantity), Some(price)) = (quantity, price) {
                match derived(quantity, price) {
                    Some(gross) => net_dividend(row, gross, cell(FEE), &mut out, &mut errors),
                    None => errors.push(error(row, "amount", NOT_A_NUMBER)),
                }
            }
        } else {
            out.set_given("quantity", unsigned(cell(QUANTITY)));
            out.set_given("price", unsigned(cell(PRICE)));
            out.set_given("fee", unsigned(cell(FEE)));
        }
        if errors.is_empty() {
            Ok(vec![out])
        } else {
            Err(errors)
        }
    }
}

/// The date forms Ghostfolio reads: `YYYYMMDD`, day first with `-`, `/` or `.` (never month
/// first), year first with the same, and an ISO timestamp (its date as written). Day and month
/// are two digits, the year four: `16/09/21` is refused, as Ghostfolio refuses it.
fn date(raw: &str) -> Option<NaiveDate> {
    if !raw.is_ascii() {
        return None;
    }
    let bytes = raw.as_bytes();
    match bytes.len() {
        8 => ymd(&raw[..4], &raw[4..6], &raw[6..]),
        10 => [b'-', b'/', b'.'].into_iter().find_map(|separator| {
            if bytes[2] == separator && bytes[5] == separator {
                ymd(&raw[6..], &raw[3..5], &raw[..2])
            } else if bytes[4] == separator && bytes[7] == separator {
                ymd(&raw[..4], &raw[5..7], &raw[8..])
            } else {
                None
            }
        }),
        _ => timestamp_date(raw, b"T"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, rows, shown};
    use super::super::Layout;
    use super::*;

    const HEADER: &str = "Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note\n";

    fn one(line: &str) -> String {
        shown(&rows(Layout::Ghostfolio, &format!("{HEADER}{line}\n"))[0])
    }

    fn refused(line: &str) -> Vec<(usize, String, String)> {
        errors(&format!("{HEADER}{line}\n"))
            .into_iter()
            .map(|error| (error.row, error.field, error.message))
            .collect()
    }

    #[test]
    fn the_template_reads_as_trades_and_net_dividends_and_refuses_a_fee_row() {
        let text = format!(
            "{HEADER}\
             15-03-2023,KO,YAHOO,USD,58.40,20,buy,1.50,First lot\n\
             2023-06-20,KO,YAHOO,USD,61.25,5,Sell,1.50,\n\
             12/09/2023,KO,YAHOO,USD,0.46,15,dividend,0,Q3 dividend\n\
             2023.12.14,KO,YAHOO,USD,0.46,15,DIVIDEND,1.04,Q4 dividend after withholding\n\
             20231115,Custody Fee,MANUAL,USD,12,1,fee,0,Annual custody fee\n"
        );
        let refused = errors(&text);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!((refused[0].row, refused[0].field.as_str()), (6, "type"));
        assert_eq!(
            refused[0].message,
            "Type \"fee\" is not supported; only BUY, SELL and DIVIDEND rows can be imported \
             from a Ghostfolio file."
        );
        let good: String = text
            .lines()
            .take(5)
            .map(|line| format!("{line}\n"))
            .collect();
        let read = rows(Layout::Ghostfolio, &good);
        let expected = [
            "currency=USD date=2023-03-15 fee=1.50 note=First lot price=58.40 quantity=20 ticker=KO type=BUY",
            "currency=USD date=2023-06-20 fee=1.50 price=61.25 quantity=5 ticker=KO type=SELL",
            "amount=6.90 currency=USD date=2023-09-12 note=Q3 dividend ticker=KO type=DIVIDEND",
            "amount=5.86 currency=USD date=2023-12-14 note=Q4 dividend after withholding ticker=KO type=DIVIDEND",
        ];
        assert_eq!(read.iter().map(shown).collect::<Vec<_>>(), expected);
        assert_eq!(
            read.iter().map(|row| row.row).collect::<Vec<_>>(),
            [2, 3, 4, 5]
        );
    }

    #[test]
    fn slash_dash_and_dot_dates_are_day_first() {
        for (raw, day) in [
            ("01/02/2024", "2024-02-01"),
            ("01-02-2024", "2024-02-01"),
            ("01.02.2024", "2024-02-01"),
            ("2024/02/01", "2024-02-01"),
            ("20240201", "2024-02-01"),
            ("2024-01-02T00:00:00.000Z", "2024-01-02"),
            ("2024-01-02T23:00:00-05:00", "2024-01-02"),
            ("2024-01-02T10:00:00", "2024-01-02"),
        ] {
            assert!(
                one(&format!("{raw},KO,YAHOO,USD,1,1,buy,0,")).contains(&format!("date={day}")),
                "{raw}"
            );
        }
    }

    #[test]
    fn two_digit_years_and_other_date_forms_are_refused() {
        for raw in [
            "16/09/21",
            "1/2/2024",
            "02/30/2024",
            "2024-1-2",
            "Jan 2 2024",
            "2024-01-02 10:00",
        ] {
            let refused = refused(&format!("{raw},KO,YAHOO,USD,1,1,buy,0,"));
            assert_eq!(refused.len(), 1, "{raw}");
            assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "date"));
            assert!(refused[0].2.contains(&format!("\"{raw}\"")), "{refused:?}");
        }
    }

    #[test]
    fn negative_numbers_are_read_as_their_magnitude() {
        assert_eq!(
            one("2024-01-02,KO,YAHOO,USD,-61.25,-5,sell,-1.5,"),
            "currency=USD date=2024-01-02 fee=1.5 price=61.25 quantity=5 ticker=KO type=SELL"
        );
    }

    #[test]
    fn a_blank_fee_is_zero() {
        assert_eq!(
            one("2024-01-02,KO,YAHOO,USD,61.25,5,buy,,"),
            "currency=USD date=2024-01-02 price=61.25 quantity=5 ticker=KO type=BUY"
        );
        assert!(one("2024-01-02,KO,YAHOO,USD,0.5,3,dividend,,").contains("amount=1.5 "));
    }

    #[test]
    fn symbols_are_passed_on_unchanged_for_the_ticker_rule_to_judge() {
        assert!(one("2024-01-02,VWRL.AS,YAHOO,EUR,100,1,buy,0,").contains("ticker=VWRL.AS "));
    }

    #[test]
    fn types_ghostfolio_has_and_we_do_not_are_refused_by_name() {
        for kind in ["item", "fee", "interest", "liability", "split", "ITEM"] {
            let refused = refused(&format!("2024-01-02,KO,YAHOO,USD,1,1,{kind},0,"));
            assert_eq!(refused.len(), 1);
            assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "type"));
            assert!(refused[0]
                .2
                .starts_with(&format!("Type \"{kind}\" is not supported")));
        }
        assert_eq!(
            refused("2024-01-02,KO,YAHOO,USD,1,1,,0,"),
            [(2, "type".into(), REQUIRED.into())]
        );
    }

    #[test]
    fn a_minor_unit_currency_is_refused() {
        let refused = refused("2024-01-02,VOD,YAHOO,GBp,7550,10,buy,0,");
        assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "currency"));
        assert!(refused[0].2.contains("\"GBp\"") && refused[0].2.contains("GBP"));
        assert!(one("2024-01-02,VOD,YAHOO,GBP,75.50,10,buy,0,").contains("currency=GBP "));
    }

    #[test]
    fn a_dividend_needs_quantity_and_price_and_must_exceed_its_fee() {
        assert_eq!(
            refused("2024-01-02,KO,YAHOO,USD,,x,dividend,0,"),
            [
                (2, "quantity".into(), NOT_A_NUMBER.into()),
                (2, "price".into(), REQUIRED.into())
            ]
        );
        let eaten = refused("2024-01-02,KO,YAHOO,USD,0.10,10,dividend,1,");
        assert_eq!((eaten[0].0, eaten[0].1.as_str()), (2, "amount"));
        assert!(eaten[0].2.contains("after its fee"), "{eaten:?}");
        assert_eq!(
            refused("2024-01-02,KO,YAHOO,USD,0.10,0,dividend,0,")[0].1,
            "amount"
        );
        // Converters write quantity 1 and the total as the price: the same cash.
        assert!(one("2024-01-02,KO,YAHOO,USD,6.90,1,dividend,0,").contains("amount=6.90 "));
        // q × p is rounded half to even at 6 places.
        assert!(
            one("2024-01-02,KO,YAHOO,USD,0.0000125,0.2,dividend,0,").contains("amount=0.000002 ")
        );
    }

    #[test]
    fn the_first_alias_with_a_value_wins_and_the_account_is_kept() {
        let read = rows(
            Layout::Ghostfolio,
            "Code,Symbol,TradeDate,Type,Qty,Price,CCY,Commission,Account,Comment\n\
             ,KO, 2024-01-02 ,BUY,1,2,USD,0, Main ,hi\n",
        );
        assert_eq!(
            shown(&read[0]),
            "currency=USD date=2024-01-02 fee=0 note=hi price=2 quantity=1 ticker=KO type=BUY @Main"
        );
    }

    #[test]
    fn an_interactive_brokers_flex_file_reads_through_the_aliases() {
        let read = rows(
            Layout::Ghostfolio,
            "\"CurrencyPrimary\",\"Symbol\",\"TradeDate\",\"TradePrice\",\"Quantity\",\"Buy/Sell\",\"IBCommission\"\n\
             \"USD\",\"VTI\",\"20230403\",\"203.47\",\"2\",\"BUY\",\"-0.35\"\n",
        );
        assert_eq!(
            shown(&read[0]),
            "currency=USD date=2023-04-03 fee=0.35 price=203.47 quantity=2 ticker=VTI type=BUY"
        );
    }
}
