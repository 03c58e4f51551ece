//! Stored exchange rates, shared by every instance, and the once-a-day claim on fetching them.

use std::collections::HashSet;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use super::{insert_unless_exists, ts};
use crate::db::AnyConnection;
use crate::db::schema::{exchange_rates, job_runs};
use crate::error::Error;
use crate::money::{Currency, Decimal};
use crate::rates::{Publication, RateTable};

/// How far before a period rates are read, so its first days (a Monday after a holiday
/// weekend, say) still find the latest earlier publication.
const LOOK_BACK_DAYS: u64 = 14;

/// The job name of the daily ECB fetch in `job_runs`.
pub const ECB_JOB: &str = "ecb_rates";

/// Stores what is not stored yet; returns how many rates were new. Rates already stored for a
/// day are kept as they are: a published reference rate does not change.
pub fn store(
    conn: &mut AnyConnection,
    publications: &[Publication],
    source: &str,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let Some(oldest) = publications.iter().map(|p| p.date).min() else {
        return Ok(0);
    };
    let known: HashSet<(NaiveDate, String)> = exchange_rates::table
        .filter(exchange_rates::rate_date.ge(oldest))
        .select((exchange_rates::rate_date, exchange_rates::currency))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .collect();
    let mut added = 0;
    for p in publications {
        for (currency, rate) in &p.rates {
            if known.contains(&(p.date, currency.code().to_string())) {
                continue;
            }
            let inserted = insert_unless_exists(conn, |c| {
                diesel::insert_into(exchange_rates::table)
                    .values((
                        exchange_rates::rate_date.eq(p.date),
                        exchange_rates::currency.eq(currency.code()),
                        exchange_rates::per_euro.eq(rate.to_string()),
                        exchange_rates::source.eq(source),
                        exchange_rates::fetched_at.eq(ts(now)),
                    ))
                    .execute(c)
                    .map_err(Error::from)
            })?;
            added += usize::from(inserted.is_some());
        }
    }
    Ok(added)
}

/// The rates that can serve conversions of entries dated `from..=to`.
pub fn table(conn: &mut AnyConnection, from: NaiveDate, to: NaiveDate) -> Result<RateTable, Error> {
    let start = from
        .checked_sub_days(Days::new(LOOK_BACK_DAYS))
        .unwrap_or(from);
    let rows: Vec<(NaiveDate, String, String)> = exchange_rates::table
        .filter(exchange_rates::rate_date.between(start, to))
        .select((
            exchange_rates::rate_date,
            exchange_rates::currency,
            exchange_rates::per_euro,
        ))
        .order(exchange_rates::rate_date.asc())
        .load(conn)?;
    let mut out = RateTable::new();
    let mut day: Option<Publication> = None;
    for (date, code, text) in rows {
        // A row this version does not understand is skipped, not fatal: rates are an extra.
        let (Ok(currency), Ok(rate)) = (Currency::parse(&code), text.parse::<Decimal>()) else {
            continue;
        };
        match &mut day {
            Some(p) if p.date == date => p.rates.push((currency, rate)),
            _ => {
                if let Some(done) = day.take() {
                    out.insert(done);
                }
                day = Some(Publication {
                    date,
                    rates: vec![(currency, rate)],
                });
            }
        }
    }
    if let Some(done) = day {
        out.insert(done);
    }
    Ok(out)
}

/// The newest date any rate is stored for.
pub fn latest_date(conn: &mut AnyConnection) -> Result<Option<NaiveDate>, Error> {
    Ok(exchange_rates::table
        .select(diesel::dsl::max(exchange_rates::rate_date))
        .first::<Option<NaiveDate>>(conn)?)
}

/// Claims today's run of `job` for `lease`: `true` for exactly one caller among instances
/// racing, and only while the job has not succeeded today. A run that fails leaves its lease to
/// run out, and then anyone may try again; [`finish`] records the success.
pub fn claim_daily(
    conn: &mut AnyConnection,
    job: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, Error> {
    insert_unless_exists(conn, |c| {
        diesel::insert_into(job_runs::table)
            .values((
                job_runs::job.eq(job),
                job_runs::ran_on.eq(None::<NaiveDate>),
                job_runs::lease_until.eq(ts(now)),
            ))
            .execute(c)
            .map_err(Error::from)
    })?;
    let claimed = diesel::update(
        job_runs::table
            .filter(job_runs::job.eq(job))
            .filter(job_runs::ran_on.is_null().or(job_runs::ran_on.lt(today)))
            .filter(job_runs::lease_until.le(ts(now))),
    )
    .set(job_runs::lease_until.eq(ts(now + lease)))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Records that `job` succeeded today.
pub fn finish(conn: &mut AnyConnection, job: &str, today: NaiveDate) -> Result<(), Error> {
    diesel::update(job_runs::table.filter(job_runs::job.eq(job)))
        .set(job_runs::ran_on.eq(Some(today)))
        .execute(conn)?;
    Ok(())
}
