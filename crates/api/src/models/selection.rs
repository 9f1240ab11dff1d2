//! Users' picks. Every query takes the owner's id.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{options, selections, users};
use crate::db::sql_types::DbDecimal;
use crate::db::DbConn;
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = selections)]
pub struct Selection {
    pub id: i64,
    pub user_id: i64,
    pub option_id: i64,
    pub sunday: NaiveDate,
}

/// A selection with its option's ticker, for responses.
pub type SelectionWithTicker = (Selection, String);

#[derive(Debug, Insertable)]
#[diesel(table_name = selections)]
pub struct NewSelection {
    pub user_id: i64,
    pub option_id: i64,
    pub sunday: NaiveDate,
    pub slot: i16,
    pub created_at: NaiveDateTime,
}

pub fn list_for(
    conn: &mut DbConn,
    owner: i64,
    sunday: NaiveDate,
) -> QueryResult<Vec<SelectionWithTicker>> {
    with_conn!(conn, |c| selections::table
        .inner_join(options::table)
        .filter(
            selections::user_id
                .eq(owner)
                .and(selections::sunday.eq(sunday))
        )
        .order(selections::id)
        .select((Selection::as_select(), options::ticker))
        .load(c))
}

pub fn find_for(
    conn: &mut DbConn,
    owner: i64,
    id: i64,
) -> QueryResult<Option<SelectionWithTicker>> {
    with_conn!(conn, |c| selections::table
        .inner_join(options::table)
        .filter(selections::id.eq(id).and(selections::user_id.eq(owner)))
        .select((Selection::as_select(), options::ticker))
        .first(c)
        .optional())
}

/// Slots (1-3) the owner already uses in a week, and whether they picked `option_id`.
pub fn usage(
    conn: &mut DbConn,
    owner: i64,
    sunday: NaiveDate,
    option_id: i64,
) -> QueryResult<(Vec<i16>, bool)> {
    let rows: Vec<(i16, i64)> = with_conn!(conn, |c| selections::table
        .filter(
            selections::user_id
                .eq(owner)
                .and(selections::sunday.eq(sunday))
        )
        .select((selections::slot, selections::option_id))
        .load(c))?;
    let picked = rows.iter().any(|(_, option)| *option == option_id);
    Ok((rows.into_iter().map(|(slot, _)| slot).collect(), picked))
}

pub fn insert(conn: &mut DbConn, new: &NewSelection) -> QueryResult<Selection> {
    with_conn!(conn, |c| diesel::insert_into(selections::table)
        .values(new)
        .returning(Selection::as_returning())
        .get_result(c))
}

pub fn delete_for(conn: &mut DbConn, owner: i64, id: i64) -> QueryResult<bool> {
    let deleted = with_conn!(conn, |c| diesel::delete(
        selections::table.filter(selections::id.eq(id).and(selections::user_id.eq(owner)))
    )
    .execute(c))?;
    Ok(deleted > 0)
}

/// One scored pick: who made it, in which week, and how its option did.
pub type ScoredPick = (String, NaiveDate, DbDecimal);

/// Every pick of closed (scored) options, optionally for one week only.
pub fn scored_picks(conn: &mut DbConn, sunday: Option<NaiveDate>) -> QueryResult<Vec<ScoredPick>> {
    with_conn!(conn, |c| {
        let mut query = selections::table
            .inner_join(options::table)
            .inner_join(users::table)
            .filter(options::percent_change.is_not_null())
            .select((
                users::username,
                selections::sunday,
                options::percent_change.assume_not_null(),
            ))
            .into_boxed();
        if let Some(sunday) = sunday {
            query = query.filter(selections::sunday.eq(sunday));
        }
        query.load(c)
    })
}
