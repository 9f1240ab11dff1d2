//! Writing the plan into the target database, in one transaction, by stable keys: accounts by
//! username (case-insensitive, as logins are), holdings by (owner, ticker, shares, cost basis,
//! buy date, Django id), options by (week, ticker), picks by (player, option). A row whose key
//! is there already is counted, not added, so a second import adds nothing.
//!
//! Rows keep their Django id when the target has no row with it, so old links keep working;
//! the others get ids above every id in use. The ids are chosen here, not by the database, so
//! a dry run, which rolls back, uses up no sequence values either. Afterwards PostgreSQL's
//! sequences move past the imported ids.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::result::QueryResult;
use rust_decimal::Decimal;

use super::report::{Renumbered, Report};
use super::rows::Table;
use super::validate::Plan;
use super::ImportError;
use crate::db::{DbConn, DbPool};
use crate::domain::username::skeleton_of_key;
use crate::domain::TransactionType;
use crate::game::picks::PICKS_PER_WEEK;
use crate::models::import::{self, ImportedAsset};
use crate::models::selection::NewSelection;

/// Why the transaction is rolled back.
enum Stop {
    /// A dry run, or invalid rows without `--skip-invalid`: the report is complete.
    RollBack,
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Stop {
    fn from(err: diesel::result::Error) -> Self {
        Self::Database(err)
    }
}

/// Writes `plan` (unless the report says not to), filling in `report`.
pub fn write(
    pool: &DbPool,
    plan: Plan,
    now: NaiveDateTime,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut conn = pool.get()?;
    let written = conn.write_transaction(|conn| {
        let mut writer = Writer {
            report: &mut *report,
            now,
            users: HashMap::new(),
            options: HashMap::new(),
        };
        let inserted = writer.write(conn, plan)?;
        if report.aborted() || report.mode.dry_run {
            return Err(Stop::RollBack);
        }
        import::move_sequences_past_ids(conn, &inserted)?;
        Ok(())
    });
    match written {
        Ok(()) | Err(Stop::RollBack) => Ok(()),
        Err(Stop::Database(err)) => Err(ImportError::Target(err.into())),
    }
}

/// Who holds a stable key.
#[derive(Debug, Clone, Copy)]
enum Holder {
    /// A row that was there before this import (imported earlier, for accounts), by its id.
    Present(i64),
    /// An account made here, not imported: never taken for a Django one.
    Native,
    /// A row of this import, by its Django id: a second one is a duplicate in the source.
    ThisRun(i64),
}

struct Writer<'r> {
    report: &'r mut Report,
    now: NaiveDateTime,
    /// Django user id -> account id here.
    users: HashMap<i64, i64>,
    /// Django option id -> (option id here, its week).
    options: HashMap<i64, (i64, NaiveDate)>,
}

impl Writer<'_> {
    /// Writes every table in dependency order; returns the tables that got rows.
    fn write(&mut self, conn: &mut DbConn, plan: Plan) -> QueryResult<Vec<&'static str>> {
        let mut inserted = Vec::new();
        for (table, target) in [
            (Table::Users, "users"),
            (Table::Assets, "transactions"),
            (Table::Options, "options"),
            (Table::Selections, "selections"),
        ] {
            let before = self.report.counts(table).imported;
            match table {
                Table::Users => self.users(conn, &plan)?,
                Table::Assets => self.assets(conn, &plan)?,
                Table::Options => self.options(conn, &plan)?,
                Table::Selections => self.selections(conn, &plan)?,
            }
            if self.report.counts(table).imported > before {
                inserted.push(target);
            }
        }
        Ok(inserted)
    }

    fn users(&mut self, conn: &mut DbConn, plan: &Plan) -> QueryResult<()> {
        let existing = import::existing_users(conn)?;
        let taken: HashSet<i64> = existing.iter().map(|(id, ..)| *id).collect();
        let mut holders: HashMap<String, Holder> = existing
            .into_iter()
            .map(|(id, key, source)| (key, source.map_or(Holder::Native, |_| Holder::Present(id))))
            .collect();
        // Usernames are unique by how they look too (`domain::username`): a name that looks
        // like one already here, or like an earlier one of this import, is not a new account.
        let mut looks: HashMap<String, String> = holders
            .keys()
            .map(|key| (skeleton_of_key(key), key.clone()))
            .collect();
        let mut new = Vec::new();
        for user in &plan.users {
            let key = user.username.key();
            let look_alike = looks
                .get(&user.username.skeleton())
                .filter(|other| **other != key);
            if let (None, Some(other)) = (holders.get(&key), look_alike) {
                self.report.invalid(
                    Table::Users,
                    user.source_id,
                    format!(
                        "username {:?}: looks the same as {other:?}, taken already (usernames \
                         are unique by how they look here)",
                        user.username.as_str()
                    ),
                );
                continue;
            }
            match holders.get(&key) {
                Some(Holder::Present(id)) => {
                    self.report.counts(Table::Users).already_present += 1;
                    self.users.insert(user.source_id, *id);
                }
                Some(Holder::Native) => self.report.invalid(
                    Table::Users,
                    user.source_id,
                    format!(
                        "username {:?}: taken here by an account that was not imported from Django",
                        user.username.as_str()
                    ),
                ),
                Some(Holder::ThisRun(first)) => self.report.invalid(
                    Table::Users,
                    user.source_id,
                    format!(
                        "username {:?}: the same as user {first}'s, ignoring case (usernames are \
                         case-insensitive here)",
                        user.username.as_str()
                    ),
                ),
                None => {
                    looks.insert(user.username.skeleton(), key.clone());
                    holders.insert(key, Holder::ThisRun(user.source_id));
                    new.push(user);
                }
            }
        }
        let ids = self.ids(Table::Users, new.iter().map(|u| u.source_id), &taken);
        for (user, id) in new.into_iter().zip(ids) {
            import::insert_user(conn, id, user)?;
            self.users.insert(user.source_id, id);
            self.report.counts(Table::Users).imported += 1;
        }
        Ok(())
    }

    /// Each holding's BUY (under its Django id when free) and, when the later schema recorded
    /// a sale, its SELL; each is added only when the target lacks it, so a holding sold in
    /// Django since an earlier import gets its SELL on the next.
    fn assets(&mut self, conn: &mut DbConn, plan: &Plan) -> QueryResult<()> {
        type Key = (i64, String, String, Decimal, Decimal, NaiveDate, i64);
        let existing = import::existing_assets(conn)?;
        let taken: HashSet<i64> = existing.iter().map(|row| row.0).collect();
        let present: HashSet<Key> = existing
            .into_iter()
            .filter_map(|(_, owner, kind, ticker, quantity, price, date, source)| {
                Some((owner, kind, ticker, quantity.0, price.0, date, source?))
            })
            .collect();
        let key = |owner: i64, kind: TransactionType, asset: &ImportedAsset, date, price| {
            (
                owner,
                kind.as_str().to_owned(),
                asset.ticker.as_str().to_owned(),
                asset.shares.value(),
                price,
                date,
                asset.source_id,
            )
        };
        let mut buys = Vec::new();
        let mut sells = Vec::new();
        for (django_owner, asset) in &plan.assets {
            let Some(&owner) = self.users.get(django_owner) else {
                self.report.invalid(
                    Table::Assets,
                    asset.source_id,
                    format!("user_id {django_owner}: that user is not imported"),
                );
                continue;
            };
            let buy = key(
                owner,
                TransactionType::Buy,
                asset,
                asset.buy.into_inner(),
                asset.price,
            );
            let new_buy = !present.contains(&buy);
            let new_sell = asset.sale.is_some_and(|sale| {
                !present.contains(&key(
                    owner,
                    TransactionType::Sell,
                    asset,
                    sale.date,
                    sale.price,
                ))
            });
            if new_buy {
                buys.push((owner, asset));
            }
            if new_sell {
                sells.push((owner, asset));
            }
            if new_buy || new_sell {
                self.report.counts(Table::Assets).imported += 1;
            } else {
                self.report.counts(Table::Assets).already_present += 1;
            }
        }
        let ids = self.ids(Table::Assets, buys.iter().map(|(_, a)| a.source_id), &taken);
        // A SELL has no Django id of its own: it takes the next free one after everything.
        let mut next = taken.iter().chain(&ids).max().map_or(1, |max| max + 1);
        for ((owner, asset), id) in buys.into_iter().zip(ids) {
            import::insert_buy(conn, id, owner, asset)?;
        }
        for (owner, asset) in sells {
            import::insert_sell(conn, next, owner, asset)?;
            next += 1;
        }
        Ok(())
    }

    fn options(&mut self, conn: &mut DbConn, plan: &Plan) -> QueryResult<()> {
        let existing = import::existing_options(conn)?;
        let taken: HashSet<i64> = existing.iter().map(|(id, ..)| *id).collect();
        let mut holders: HashMap<(NaiveDate, String), Holder> = existing
            .into_iter()
            .map(|(id, sunday, ticker)| ((sunday, ticker), Holder::Present(id)))
            .collect();
        let mut new = Vec::new();
        for (source_id, option) in &plan.options {
            let sunday = option.sunday.date();
            let key = (sunday, option.ticker.as_str().to_owned());
            match holders.get(&key) {
                Some(Holder::Present(id)) => {
                    self.report.counts(Table::Options).already_present += 1;
                    self.options.insert(*source_id, (*id, sunday));
                }
                Some(Holder::ThisRun(first)) => self.report.invalid(
                    Table::Options,
                    *source_id,
                    format!(
                        "ticker {:?}: the week of {sunday} has it already (option {first})",
                        option.ticker.as_str()
                    ),
                ),
                Some(Holder::Native) | None => {
                    holders.insert(key, Holder::ThisRun(*source_id));
                    new.push((*source_id, option));
                }
            }
        }
        let mut weeks: HashSet<NaiveDate> = import::existing_weeks(conn)?.into_iter().collect();
        let ids = self.ids(Table::Options, new.iter().map(|(id, _)| *id), &taken);
        for ((source_id, option), id) in new.into_iter().zip(ids) {
            if weeks.insert(option.sunday.date()) {
                let markers = plan.weeks.get(&option.sunday).copied().flatten();
                import::insert_week(conn, option.sunday, markers)?;
                match markers {
                    Some(_) => self.report.weeks_over += 1,
                    None => self.report.weeks_open += 1,
                }
            }
            import::insert_option(conn, id, option)?;
            self.options.insert(source_id, (id, option.sunday.date()));
            self.report.counts(Table::Options).imported += 1;
        }
        Ok(())
    }

    fn selections(&mut self, conn: &mut DbConn, plan: &Plan) -> QueryResult<()> {
        let existing = import::existing_selections(conn)?;
        let taken: HashSet<i64> = existing.iter().map(|row| row.0).collect();
        let mut slots: HashMap<(i64, NaiveDate), Vec<i16>> = HashMap::new();
        let mut holders: HashMap<(i64, i64), Holder> = HashMap::new();
        for (id, player, option, sunday, slot) in existing {
            slots.entry((player, sunday)).or_default().push(slot);
            holders.insert((player, option), Holder::Present(id));
        }
        let mut new = Vec::new();
        for pick in &plan.selections {
            let Some(&player) = self.users.get(&pick.user_id) else {
                self.report.invalid(
                    Table::Selections,
                    pick.id,
                    format!("user_id {}: that user is not imported", pick.user_id),
                );
                continue;
            };
            let Some(&(option, sunday)) = self.options.get(&pick.option_id) else {
                self.report.invalid(
                    Table::Selections,
                    pick.id,
                    format!("option_id {}: that option is not imported", pick.option_id),
                );
                continue;
            };
            match holders.get(&(player, option)) {
                Some(Holder::Present(_)) => {
                    self.report.counts(Table::Selections).already_present += 1;
                    continue;
                }
                Some(Holder::ThisRun(first)) => {
                    self.report.invalid(
                        Table::Selections,
                        pick.id,
                        format!(
                            "user {} picked option {} already (selection {first})",
                            pick.user_id, pick.option_id
                        ),
                    );
                    continue;
                }
                Some(Holder::Native) | None => {}
            }
            let used = slots.entry((player, sunday)).or_default();
            let Some(slot) = (1..=PICKS_PER_WEEK).find(|slot| !used.contains(slot)) else {
                self.report.invalid(
                    Table::Selections,
                    pick.id,
                    format!(
                        "user {} has {PICKS_PER_WEEK} picks in the week of {sunday} already, the \
                         most a week allows",
                        pick.user_id
                    ),
                );
                continue;
            };
            used.push(slot);
            holders.insert((player, option), Holder::ThisRun(pick.id));
            new.push((
                pick.id,
                NewSelection {
                    user_id: player,
                    option_id: option,
                    sunday,
                    slot,
                    created_at: self.now,
                },
            ));
        }
        let ids = self.ids(Table::Selections, new.iter().map(|(id, _)| *id), &taken);
        for ((_, pick), id) in new.into_iter().zip(ids) {
            import::insert_selection(conn, id, pick)?;
            self.report.counts(Table::Selections).imported += 1;
        }
        Ok(())
    }

    /// The id each new row gets: its Django id when no row here has it, else one above every
    /// id in use or kept, so a new id never collides with a kept one.
    fn ids(
        &mut self,
        table: Table,
        wanted: impl Iterator<Item = i64>,
        taken: &HashSet<i64>,
    ) -> Vec<i64> {
        let wanted: Vec<i64> = wanted.collect();
        let mut kept = HashSet::new();
        let keeps: Vec<bool> = wanted
            .iter()
            .map(|id| !taken.contains(id) && kept.insert(*id))
            .collect();
        let mut next = taken.iter().chain(&kept).max().map_or(1, |max| max + 1);
        wanted
            .into_iter()
            .zip(keeps)
            .map(|(id, keep)| {
                if keep {
                    self.report.kept_ids += 1;
                    return id;
                }
                let fresh = next;
                next += 1;
                self.report.renumbered.push(Renumbered {
                    table,
                    from: id,
                    to: fresh,
                });
                fresh
            })
            .collect()
    }
}
