//! Transactions awaiting the user's "yes": read by a fallback, or by rules that were unsure.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::Value;

use super::turn::Cx;
use crate::db::AnyConnection;
use crate::db::schema::pending_actions;
use crate::domain::{AccountId, CategoryName, LedgerId};
use crate::error::Error;
use crate::money::{Currency, Decimal};
use crate::parser::{AddIntent, Intent};
use crate::services::ts;

/// How long a confirmation button keeps working.
const VALID_FOR_HOURS: i64 = 24;

pub fn store(conn: &mut AnyConnection, cx: &Cx, add: &AddIntent) -> Result<i64, Error> {
    let payload = Intent::Add(add.clone()).to_spec_json().to_string();
    let id: i64 = diesel::insert_into(pending_actions::table)
        .values((
            pending_actions::account_id.eq(cx.account.id.get()),
            pending_actions::ledger_id.eq(cx.ledger.id.get()),
            pending_actions::payload.eq(&payload),
            pending_actions::created_at.eq(ts(cx.now)),
            pending_actions::expires_at.eq(ts(cx.now + Duration::hours(VALID_FOR_HOURS))),
        ))
        .returning(pending_actions::id)
        .get_result(conn)?;
    Ok(id)
}

/// Takes a pending transaction for the account that asked for it, once.
pub fn take(conn: &mut AnyConnection, cx: &Cx, id: i64) -> Result<(LedgerId, AddIntent), Error> {
    let row: Option<(i64, String)> = pending_actions::table
        .filter(pending_actions::id.eq(id))
        .filter(pending_actions::account_id.eq(cx.account.id.get()))
        .filter(pending_actions::consumed_at.is_null())
        .filter(pending_actions::expires_at.gt(ts(cx.now)))
        .select((pending_actions::ledger_id, pending_actions::payload))
        .first(conn)
        .optional()?;
    let (ledger, payload) = row.ok_or(Error::Conflict(
        "That confirmation has expired or was already answered.".into(),
    ))?;
    mark_consumed(conn, cx.account.id, id, cx)?;
    let add =
        decode(&payload).ok_or_else(|| Error::Internal("unreadable pending action".into()))?;
    Ok((LedgerId(ledger), add))
}

pub fn cancel(conn: &mut AnyConnection, cx: &Cx, id: i64) -> Result<(), Error> {
    mark_consumed(conn, cx.account.id, id, cx)
}

fn mark_consumed(
    conn: &mut AnyConnection,
    account: AccountId,
    id: i64,
    cx: &Cx,
) -> Result<(), Error> {
    diesel::update(
        pending_actions::table
            .filter(pending_actions::id.eq(id))
            .filter(pending_actions::account_id.eq(account.get())),
    )
    .set(pending_actions::consumed_at.eq(Some(ts(cx.now))))
    .execute(conn)?;
    Ok(())
}

fn decode(payload: &str) -> Option<AddIntent> {
    let v: Value = serde_json::from_str(payload).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    Some(AddIntent {
        kind: s("kind")?.parse().ok()?,
        amount: s("amount")?.parse::<Decimal>().ok()?,
        currency: Currency::parse(s("currency")?).ok()?,
        category: CategoryName::parse(s("category")?).ok()?,
        date: s("date")?.parse().ok()?,
        note: s("note").unwrap_or_default().to_owned(),
    })
}
