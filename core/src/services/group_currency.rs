//! A group's choice for balances and settle-up: per currency (the default) or converted to the
//! group's own currency, and the conversion of dated amounts that balances are made of.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{insert_unless_exists, ledgers};
use crate::db::AnyConnection;
use crate::db::schema::ledger_currency_modes;
use crate::domain::{AccountId, LedgerId};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::rates::RateTable;

/// Whether `ledger`'s balances convert to its currency (`false`: per currency, the default).
pub fn converts_balances(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<bool, Error> {
    ledgers::access(conn, actor, ledger)?;
    Ok(ledger_currency_modes::table
        .find(ledger.get())
        .select(ledger_currency_modes::convert_balances)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// Sets the choice; in a group only admins may.
pub fn set_converts_balances(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    convert: bool,
) -> Result<(), Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("choose how balances are shown")?;
    let updated = diesel::update(ledger_currency_modes::table.find(ledger.get()))
        .set(ledger_currency_modes::convert_balances.eq(convert))
        .execute(conn)?;
    if updated == 0 {
        insert_unless_exists(conn, |c| {
            diesel::insert_into(ledger_currency_modes::table)
                .values((
                    ledger_currency_modes::ledger_id.eq(ledger.get()),
                    ledger_currency_modes::convert_balances.eq(convert),
                ))
                .execute(c)
                .map_err(Error::from)
        })?;
    }
    Ok(())
}

/// Balances in one currency could not be made: these currencies have no rate on or before
/// some amount's date. Show the balances per currency instead, and say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRates(pub Vec<Currency>);

/// Sums dated amounts per key (a member, a pair of members) in `target`: each amount converted
/// at the ECB rates of its own date (the latest publication on or before it), rounded once half
/// to even to `target`'s minor unit, then added, so the lines shown add up to the totals shown.
/// Amounts already in `target` are added as they are. For the splits' balances and settle-up
/// when [`converts_balances`] is on; `table` comes from [`super::rates::table`] over the dates.
pub fn convert_balances<K: Ord + Clone>(
    amounts: &[(K, Money, NaiveDate)],
    table: &RateTable,
    target: Currency,
) -> Result<BTreeMap<K, Money>, MissingRates> {
    let mut out: BTreeMap<K, i128> = BTreeMap::new();
    let mut missing: Vec<Currency> = Vec::new();
    for (key, money, date) in amounts {
        match table.convert(money.minor(), money.currency(), target, *date) {
            Some(c) => *out.entry(key.clone()).or_insert(0) += c.minor,
            None => {
                if !missing.contains(&money.currency()) {
                    missing.push(money.currency());
                }
            }
        }
    }
    if !missing.is_empty() {
        missing.sort_by_key(|c| c.code());
        return Err(MissingRates(missing));
    }
    Ok(out
        .into_iter()
        .map(|(k, minor)| (k, Money::total(minor, target)))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::rates::Publication;

    #[test]
    fn balances_convert_each_amount_at_its_date_and_sum() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut t = RateTable::new();
        t.insert(Publication {
            date: d("2026-11-20"),
            rates: vec![(Currency::USD, "1.04".parse().unwrap())],
        });
        let eur = |s| Money::parse(s, Currency::EUR).unwrap();
        let usd = |s| Money::parse(s, Currency::USD).unwrap();
        let amounts = vec![
            ("ann", usd("10"), d("2026-11-21")),
            ("ann", eur("30"), d("2026-11-21")),
            ("bob", Money::total(-5, Currency::EUR), d("2026-11-22")),
        ];
        let b = convert_balances(&amounts, &t, Currency::USD).unwrap();
        assert_eq!(b["ann"], usd("41.20"));
        // −0.052 → −0.05: each amount rounded once, half to even.
        assert_eq!(b["bob"], usd("-0.05"));
        let early = vec![("ann", eur("1"), d("2026-11-19"))];
        assert_eq!(
            convert_balances(&early, &t, Currency::USD),
            Err(MissingRates(vec![Currency::EUR]))
        );
    }
}
