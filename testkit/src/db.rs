//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use tally_core::db::Db;

/// The environment variable that enables the PostgreSQL runs of the test suite.
pub const POSTGRES_URL_VAR: &str = "TALLY_TEST_POSTGRES_URL";

/// Set (to anything but empty, `0` or `false`) by CI services and by `.ci/run`: a test that
/// would skip fails instead, so a run that quietly covered less can never pass as green.
pub const CI_VAR: &str = "CI";

/// Whether a value of [`CI_VAR`] means "running in CI" (`true`, `1`, `yes`: any but the negatives).
pub fn is_ci(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.trim();
        !(v.is_empty()
            || v == "0"
            || v.eq_ignore_ascii_case("false")
            || v.eq_ignore_ascii_case("no"))
    })
}

/// Whether this process runs in CI, per [`CI_VAR`].
pub fn in_ci() -> bool {
    is_ci(std::env::var(CI_VAR).ok().as_deref())
}

/// What a test does when something it needs is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// Outside CI: say so on stderr and carry on without that part.
    Skip(String),
    /// In CI: fail, naming what is missing and how to provide it.
    Fail(String),
}

impl Missing {
    /// The decision for `reason` (what is missing, and how to provide it).
    pub fn decide(reason: &str, ci: bool) -> Missing {
        if ci {
            Missing::Fail(format!(
                "{reason}; {CI_VAR} is set, so this fails instead of being skipped"
            ))
        } else {
            Missing::Skip(format!("skipped: {reason}"))
        }
    }
}

/// Skips (printing `reason`) outside CI; panics with `reason` under CI. Tests call this where
/// they would otherwise return early without checking anything.
pub fn skip_unless_ci(reason: &str) {
    match Missing::decide(reason, in_ci()) {
        Missing::Skip(message) => eprintln!("{message}"),
        Missing::Fail(message) => panic!("{message}"),
    }
}

/// A migrated database that lives as long as this value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    /// A fresh SQLite database in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let url = format!("sqlite://{}", dir.path().join("tally.db").display());
        let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("open {url}: {e}"));
        db.migrate().unwrap_or_else(|e| panic!("migrate: {e}"));
        TestDb {
            db,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh schema on the server named by `TALLY_TEST_POSTGRES_URL`, or `None` (after saying
    /// so on stderr) when it is not set. Under CI an unset variable fails the test, and an
    /// unreachable server always does: neither may pass as a skipped run.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let admin_url = std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty());
        let Some(admin_url) = admin_url else {
            skip_unless_ci(&format!(
                "PostgreSQL run of {test}: {POSTGRES_URL_VAR} is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test)"
            ));
            return None;
        };
        Some(TestDb::postgres_at(&admin_url, test))
    }

    /// A fresh schema on the server at `admin_url` (the crash harness takes its server from
    /// `TALLY_BENCH_POSTGRES_URL` too). Panics when the server is unreachable.
    pub fn postgres_at(admin_url: &str, test: &str) -> TestDb {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut admin = PgConnection::establish(admin_url).unwrap_or_else(|e| {
            panic!("the PostgreSQL server at {admin_url} is unreachable ({test}): {e}")
        });
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("create schema: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("open test schema: {e}"));
        db.migrate().unwrap_or_else(|e| panic!("migrate: {e}"));
        TestDb {
            db,
            url,
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                schema,
            },
        }
    }
}

/// A fresh database per backend: SQLite always, PostgreSQL when [`POSTGRES_URL_VAR`] is set.
pub fn backends(test: &str) -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    v.extend(TestDb::postgres(test));
    v
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_values_that_mean_ci() {
        for v in ["true", "TRUE", "1", "yes", "github"] {
            assert!(is_ci(Some(v)), "{v}");
        }
        for v in [
            None,
            Some(""),
            Some(" "),
            Some("0"),
            Some("false"),
            Some("False"),
            Some("no"),
        ] {
            assert!(!is_ci(v), "{v:?}");
        }
    }

    #[test]
    fn a_missing_requirement_skips_outside_ci_and_fails_in_ci() {
        assert_eq!(
            Missing::decide("no server", false),
            Missing::Skip("skipped: no server".into())
        );
        let Missing::Fail(message) = Missing::decide("no server", true) else {
            panic!("CI must fail");
        };
        assert!(message.starts_with("no server; CI is set"), "{message}");
    }
}
