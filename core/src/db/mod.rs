//! Storage: one diesel code base over SQLite and PostgreSQL, pooled, off the async runtime.

mod connection;
mod migrate;
pub mod schema;

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::Connection as _;
use diesel::r2d2::{Pool, PooledConnection};

pub use connection::{AnyConnection, Backend, DatabaseUrl, Manager, MultiBackend};

use crate::error::Error;

/// A handle on the database: a connection pool plus what it takes to use it well.
///
/// Every call runs on tokio's blocking pool, so no database I/O ever stalls the async runtime.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer. Taking this before a write transaction means two of our own
    /// writers never race for the lock (which SQLite would answer with SQLITE_BUSY mid-transaction).
    write_lock: Option<Arc<Mutex<()>>>,
    /// Moves on after every committed unit of work that changed an account (see
    /// [`account_changed`]); caches of accounts compare it to know they are still right.
    account_epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    /// Opens a pool on `url` (`sqlite://PATH` or `postgres://…`). Nothing is migrated here.
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, Error> {
        let url = DatabaseUrl::parse(url)?;
        let backend = url.backend();
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            // A PostgreSQL connection can die with the server or the network; an SQLite file
            // opened in this process cannot, so its connections are not pinged on every use.
            .test_on_check_out(backend == Backend::Postgres)
            .build(Manager::new(url))
            .map_err(|e| Error::Unavailable(format!("can't open the database: {e}")))?;
        let write_lock = matches!(backend, Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db {
            pool,
            backend,
            write_lock,
            account_epoch: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many units of work that changed an account (its sessions, login or settings) this
    /// process has finished. Read it before reading an account: if it has moved by the time the
    /// copy is used, the copy may be out of date.
    pub fn account_epoch(&self) -> u64 {
        self.account_epoch.load(Ordering::SeqCst)
    }

    /// Applies pending migrations (blocking; call before serving). Returns how many ran.
    pub fn migrate(&self) -> Result<usize, Error> {
        let mut conn = self.checkout()?;
        migrate::run_pending(&mut conn)
    }

    /// Runs `f` with a connection, outside any transaction: for reads.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        let epoch = self.account_epoch.clone();
        run_blocking(move || {
            let _changes = AccountChanges(&epoch);
            let mut conn = checkout(&pool)?;
            f(&mut conn)
        })
        .await
    }

    /// Runs `f` in one database transaction: everything it does commits together or not at all.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, Error> + Send + 'static,
    {
        let db = self.clone();
        run_blocking(move || db.write_blocking(f)).await
    }

    /// The same as [`Db::write`], for callers already on a blocking thread.
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, Error>,
    {
        // Declared first, so dropped last: the epoch moves only once the transaction is over.
        let _changes = AccountChanges(&self.account_epoch);
        // The lock first, then a connection: a writer queued for SQLite's one write lock must not
        // sit on a pooled connection meanwhile, or a burst of writers holds the whole pool and
        // every read (marking a reply sent, the outbox sender) times out behind them.
        let _guard = self
            .write_lock
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let mut conn = self.checkout()?;
        let conn: &mut AnyConnection = &mut conn;
        match conn {
            AnyConnection::Sqlite(_) => immediate_transaction(conn, f),
            AnyConnection::Postgresql(_) => conn.transaction(f),
        }
    }

    /// A pooled connection for blocking code (migrations, benchmarks, tests).
    pub fn checkout(&self) -> Result<PooledConnection<Manager>, Error> {
        checkout(&self.pool)
    }

    /// Cheap liveness check for `/healthz`.
    pub async fn ping(&self) -> Result<(), Error> {
        self.read(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

use diesel::RunQueryDsl as _;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

/// A SQLite write transaction that takes the write lock at `BEGIN` (`BEGIN IMMEDIATE`).
///
/// A plain (deferred) transaction that reads first and then writes cannot wait for a lock held by
/// another process: SQLite answers `SQLITE_BUSY` at once. Taking the lock up front lets the busy
/// timeout do its job. Nested `transaction` calls inside `f` become savepoints as usual, because
/// the connection's transaction manager knows this transaction is open.
fn immediate_transaction<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, Error>,
{
    if let AnyConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    match f(conn) {
        Ok(value) => {
            match <AnyConnection as diesel::Connection>::TransactionManager::commit_transaction(
                conn,
            ) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = <AnyConnection as diesel::Connection>::TransactionManager::rollback_transaction(conn);
                    Err(e.into())
                }
            }
        }
        Err(e) => {
            <AnyConnection as diesel::Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

thread_local! {
    /// Set by [`account_changed`] on the thread running a unit of work.
    static ACCOUNT_CHANGED: Cell<bool> = const { Cell::new(false) };
}

/// Called by every service that changes an account row or ends a session (a spent token, a
/// new token version, a merge, new settings): when the unit of work running on this thread
/// is over, [`Db::account_epoch`] moves on, so cached sessions are read afresh.
pub(crate) fn account_changed() {
    ACCOUNT_CHANGED.with(|c| c.set(true));
}

/// Moves the epoch on when dropped, if the work done meanwhile changed an account. Moving it
/// after a rolled-back transaction too is harmless: a cache then reads once more.
struct AccountChanges<'a>(&'a AtomicU64);

impl Drop for AccountChanges<'_> {
    fn drop(&mut self) {
        if ACCOUNT_CHANGED.with(|c| c.replace(false)) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn checkout(pool: &Pool<Manager>) -> Result<PooledConnection<Manager>, Error> {
    pool.get()
        .map_err(|e| Error::Unavailable(format!("no database connection available: {e}")))
}

async fn run_blocking<T, F>(f: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, Error> + Send + 'static,
{
    let span = tracing::Span::current();
    // An API request's demand for fresh group memberships travels with its database work.
    let required = crate::services::membership::requirement();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| crate::services::membership::under_requirement(required, f))
    })
    .await
    .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    /// Found by the crash harness: writers waiting for SQLite's write lock held every pooled
    /// connection, so reads timed out and replies went out twice.
    #[test]
    fn writers_waiting_for_the_sqlite_lock_leave_connections_for_reads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2).expect("connect");
        db.migrate().expect("migrate");

        // One write holds the lock (and a connection) until told to finish.
        let (release, wait) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel::<()>();
        let holder = {
            let db = db.clone();
            std::thread::spawn(move || {
                db.write_blocking(|_| {
                    started.send(()).ok();
                    wait.recv().ok();
                    Ok(())
                })
            })
        };
        is_started.recv().expect("the first write started");
        // More writers queue behind it.
        let queued: Vec<_> = (0..3)
            .map(|_| {
                let db = db.clone();
                std::thread::spawn(move || db.write_blocking(|_| Ok(())))
            })
            .collect();
        // Give the queued writers the chance to take the last connection, as they did before:
        // poll the pool for a while (they either take it at once or never).
        let deadline = Instant::now() + Duration::from_millis(200);
        while Instant::now() < deadline && db.pool.state().idle_connections > 0 {
            std::thread::yield_now();
        }
        assert!(
            db.pool.state().idle_connections > 0 || db.pool.state().connections < 2,
            "queued writers hold every connection"
        );
        let read = db.checkout();
        assert!(read.is_ok(), "a read gets a connection while writers queue");
        drop(read);

        release.send(()).expect("release the first write");
        holder.join().expect("holder").expect("first write");
        for w in queued {
            w.join().expect("writer").expect("queued write");
        }
    }
}
