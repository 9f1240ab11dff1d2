//! Our own layout: the export's columns, of which `type`, `ticker` and `date` must be there
//! and the others may be, in any order and case; columns of other names are ignored. Cells are
//! passed on as written, since `read_entry` judges our own field names itself.

use super::{currency, error, CsvRow, RowError, COLUMNS};

/// Where each of our columns is.
pub(super) struct Columns(Vec<(usize, &'static str)>);

/// Our columns, if the header has `type`, `ticker` and `date`; a column named twice is the
/// header's error.
pub(super) fn columns(headers: &csv::StringRecord) -> Option<Result<Columns, Vec<RowError>>> {
    let found: Vec<(usize, &'static str)> = headers
        .iter()
        .enumerate()
        .filter_map(|(at, header)| {
            let header = header.trim().to_lowercase();
            COLUMNS
                .iter()
                .find(|name| **name == header)
                .map(|name| (at, *name))
        })
        .collect();
    let has = |name: &str| found.iter().any(|(_, found)| *found == name);
    if !["type", "ticker", "date"].into_iter().all(has) {
        return None;
    }
    let twice: Vec<RowError> = COLUMNS
        .iter()
        .filter(|name| found.iter().filter(|(_, found)| found == *name).count() > 1)
        .map(|name| {
            error(
                1,
                name,
                format!("The header names the {name} column twice."),
            )
        })
        .collect();
    Some(if twice.is_empty() {
        Ok(Columns(found))
    } else {
        Err(twice)
    })
}

impl Columns {
    pub(super) fn read(
        &self,
        row: usize,
        record: &csv::StringRecord,
    ) -> Result<Vec<CsvRow>, Vec<RowError>> {
        let mut out = CsvRow::new(row);
        let mut errors = Vec::new();
        for &(at, name) in &self.0 {
            let cell = record.get(at).unwrap_or_default();
            match name {
                _ if cell.is_empty() => {}
                "account" => out.account = Some(cell.to_owned()),
                "currency" => currency(row, cell, &mut out, &mut errors),
                _ => out.set(name, cell),
            }
        }
        if errors.is_empty() {
            Ok(vec![out])
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, rows, shown};
    use super::super::Layout;

    #[test]
    fn columns_are_found_in_any_order_and_case_and_unknown_ones_ignored() {
        let read = rows(
            Layout::Ours,
            " Note ,DATE,Ticker,Type,Shares,Account,Amount\n\
             Q3,2023-09-12,ko,dividend,99,  IRA  ,6.90\n",
        );
        assert_eq!(
            shown(&read[0]),
            "amount=6.90 date=2023-09-12 note=Q3 ticker=ko type=dividend @IRA"
        );
        assert_eq!(read[0].row, 2);
    }

    #[test]
    fn empty_cells_are_not_given_and_every_value_is_passed_on_as_written() {
        // `read_entry` judges these: a bad decimal, an unknown type, a bad date, a zero.
        let read = rows(
            Layout::Ours,
            "type,ticker,date,quantity,price,fee,amount,ratio,account,currency,note\n\
             GIFT,VWRL.AS,2024-13-01,0,1,234,-1,,,,,\n\
             SPLIT,NVDA,,,,,,10,,usd,\n",
        );
        assert_eq!(
            shown(&read[0]),
            "amount=-1 date=2024-13-01 fee=234 price=1 quantity=0 ticker=VWRL.AS type=GIFT"
        );
        assert_eq!(read[0].account, None);
        assert_eq!(
            shown(&read[1]),
            "currency=usd ratio=10 ticker=NVDA type=SPLIT"
        );
    }

    #[test]
    fn a_minor_unit_currency_is_refused_in_our_layout_too() {
        let refused = errors("type,ticker,date,currency\nBUY,VOD,2024-01-02,GBp\n");
        assert_eq!((refused[0].row, refused[0].field.as_str()), (2, "currency"));
        assert!(refused[0].message.contains("pence"), "{refused:?}");
    }

    #[test]
    fn a_column_named_twice_is_the_headers_error() {
        let refused = errors("type,ticker,date,Date\n");
        assert_eq!(refused.len(), 1);
        assert_eq!((refused[0].row, refused[0].field.as_str()), (1, "date"));
        assert!(refused[0].message.contains("twice"));
    }
}
