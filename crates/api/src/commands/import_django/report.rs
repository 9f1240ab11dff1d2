//! What an import did, or would do: per table the rows read, imported, already present and
//! invalid; every invalid row with its table, id and reason; the tables the source lacks; the
//! weeks added; the rows that could not keep their Django id.

use std::collections::BTreeMap;
use std::fmt;

use super::rows::Table;
use super::Mode;

/// A row that does not fit, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub table: Table,
    pub id: i64,
    pub reason: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub read: usize,
    pub imported: usize,
    pub already_present: usize,
}

/// A row whose Django id was taken here, and the id it got instead.
#[derive(Debug, Clone, Copy)]
pub struct Renumbered {
    pub table: Table,
    pub from: i64,
    pub to: i64,
}

#[derive(Debug)]
pub struct Report {
    pub source: String,
    pub target: String,
    pub mode: Mode,
    pub counts: BTreeMap<Table, Counts>,
    pub missing: Vec<Table>,
    pub invalid: Vec<Invalid>,
    pub kept_ids: usize,
    pub renumbered: Vec<Renumbered>,
    pub weeks_over: usize,
    pub weeks_open: usize,
}

impl Report {
    pub fn new(source: String, target: String, mode: Mode) -> Self {
        Self {
            source,
            target,
            mode,
            counts: Table::ALL.map(|table| (table, Counts::default())).into(),
            missing: Vec::new(),
            invalid: Vec::new(),
            kept_ids: 0,
            renumbered: Vec::new(),
            weeks_over: 0,
            weeks_open: 0,
        }
    }

    pub fn counts(&mut self, table: Table) -> &mut Counts {
        self.counts.entry(table).or_default()
    }

    pub fn invalid(&mut self, table: Table, id: i64, reason: String) {
        self.invalid.push(Invalid { table, id, reason });
    }

    /// Whether invalid rows stop this import (nothing is written).
    pub fn aborted(&self) -> bool {
        !self.invalid.is_empty() && !self.mode.skip_invalid
    }

    fn invalid_in(&self, table: Table) -> usize {
        self.invalid.iter().filter(|row| row.table == table).count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dry = if self.aborted() {
            " (stopped by invalid rows: the counts are what --skip-invalid would import)"
        } else if self.mode.dry_run {
            " (dry run: the counts are what would be imported)"
        } else {
            ""
        };
        writeln!(
            f,
            "Django import from {} into {}{dry}",
            self.source, self.target
        )?;
        for (table, counts) in &self.counts {
            writeln!(
                f,
                "  {}: read {}, imported {}, already present {}, invalid {}",
                table.name(),
                counts.read,
                counts.imported,
                counts.already_present,
                self.invalid_in(*table)
            )?;
        }
        if !self.missing.is_empty() {
            let names: Vec<&str> = self.missing.iter().map(|t| t.name()).collect();
            writeln!(
                f,
                "Not in the source: {} (the game's migrations were never applied there, or the \
                 dump has none); nothing of the game to import.",
                names.join(", ")
            )?;
        }
        writeln!(
            f,
            "Weeks added: {} over (marked closed as Django left them), {} still to be played.",
            self.weeks_over, self.weeks_open
        )?;
        writeln!(
            f,
            "Ids: {} rows kept their Django id, {} got a new one (their id was taken here).",
            self.kept_ids,
            self.renumbered.len()
        )?;
        for moved in &self.renumbered {
            writeln!(f, "  {} {} -> {}", moved.table.name(), moved.from, moved.to)?;
        }
        if !self.invalid.is_empty() {
            writeln!(f, "Invalid rows:")?;
            for row in &self.invalid {
                writeln!(f, "  {} {}: {}", row.table.name(), row.id, row.reason)?;
            }
        }
        let outcome = match (self.aborted(), self.mode.dry_run) {
            (true, true) => {
                "Dry run: nothing was written. The import would stop at the invalid \
                             rows; --skip-invalid imports the rest."
            }
            (true, false) => {
                "Nothing was imported because of the invalid rows; \
                              --skip-invalid imports the rest."
            }
            (false, true) => "Dry run: nothing was written.",
            (false, false) => "Imported.",
        };
        writeln!(f, "{outcome}")
    }
}
