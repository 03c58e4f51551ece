#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Stored exchange rates: kept as published, read back for conversions, fetched once a day.

use chrono::Duration;
use tally_core::money::{Currency, Decimal};
use tally_core::rates::{Publication, parse_ecb_xml};
use tally_core::services::rates::{self, ECB_JOB};
use tally_testkit::fixtures::*;

const TWO_DAYS: &str = "<Cube><Cube time='2026-11-27'><Cube currency='USD' rate='1.0565'/>\
    <Cube currency='JPY' rate='161.48'/></Cube><Cube time='2026-11-26'>\
    <Cube currency='USD' rate='1.0500'/></Cube></Cube>";

#[test]
fn rates_are_stored_once_and_convert_at_the_entrys_date() {
    for t in backends("rates_store") {
        with(&t, |c| {
            let publications = parse_ecb_xml(TWO_DAYS).unwrap();
            assert_eq!(rates::store(c, &publications, "test", now())?, 3);
            assert_eq!(
                rates::store(c, &publications, "test", now())?,
                0,
                "nothing twice"
            );
            assert_eq!(rates::latest_date(c)?, Some(day("2026-11-27")));
            let table = rates::table(c, day("2026-11-28"), day("2026-11-30"))?;
            // Saturday the 28th uses Friday's rate and says so.
            let c1 = table
                .convert(10_000, Currency::EUR, Currency::USD, day("2026-11-28"))
                .unwrap();
            assert_eq!((c1.minor, c1.rate_date), (10_565, day("2026-11-27")));
            let c2 = table
                .convert(10_000, Currency::EUR, Currency::USD, day("2026-11-26"))
                .unwrap();
            assert_eq!(c2.minor, 10_500, "an older entry keeps its own day's rate");
            // The decimal comes back exactly as published.
            assert_eq!(
                table.per_euro(Currency::JPY, day("2026-11-27")).unwrap().1,
                "161.48".parse::<Decimal>().unwrap()
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn an_empty_store_converts_nothing() {
    for t in backends("rates_empty") {
        with(&t, |c| {
            assert_eq!(rates::latest_date(c)?, None);
            let table = rates::table(c, day("2026-11-01"), day("2026-11-30"))?;
            assert!(table.is_empty());
            assert_eq!(rates::store(c, &[] as &[Publication], "test", now())?, 0);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn the_daily_fetch_is_claimed_by_one_and_retried_after_a_failure() {
    for t in backends("rates_claim") {
        let lease = Duration::minutes(10);
        let today = day("2026-11-24");
        let claim = |at: chrono::DateTime<chrono::Utc>, today| {
            with(&t, |c| rates::claim_daily(c, ECB_JOB, today, at, lease)).unwrap()
        };
        assert!(claim(now(), today), "the first instance claims");
        assert!(!claim(now(), today), "a second instance does not");
        // The first run failed (no finish): once its lease is over, someone retries.
        assert!(!claim(now() + Duration::minutes(9), today));
        assert!(claim(now() + Duration::minutes(11), today));
        with(&t, |c| rates::finish(c, ECB_JOB, today)).unwrap();
        assert!(!claim(now() + Duration::hours(2), today), "done for today");
        assert!(
            claim(now() + Duration::hours(24), day("2026-11-25")),
            "tomorrow again"
        );
    }
}
