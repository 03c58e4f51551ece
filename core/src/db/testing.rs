//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::Db;

/// The environment variable that enables the PostgreSQL runs of the test suite.
pub const POSTGRES_URL_VAR: &str = "TALLY_TEST_POSTGRES_URL";

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
    /// so on stderr) when it is not set.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            eprintln!("skipped on PostgreSQL: {POSTGRES_URL_VAR} is not set ({test})");
            return None;
        };
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("connect to {POSTGRES_URL_VAR}: {e}"));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("create schema: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("open test schema: {e}"));
        db.migrate().unwrap_or_else(|e| panic!("migrate: {e}"));
        Some(TestDb {
            db,
            url,
            cleanup: Cleanup::Postgres { admin_url, schema },
        })
    }
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
