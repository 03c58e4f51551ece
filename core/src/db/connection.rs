//! The two backends behind one connection type, and how each is opened and tuned.

use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::Error;

/// A connection to either backend; diesel derives the shared query support.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A validated `TALLY_DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (or `:memory:`), without the `sqlite://` prefix.
    Sqlite(String),
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    /// Never prints a PostgreSQL URL: it may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{path}"),
            DatabaseUrl::Postgres(_) => f.write_str("postgres://…"),
        }
    }
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, Error> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(Error::Config(
                    "TALLY_DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://tally.db"
                        .into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(path.to_owned()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        Err(Error::Config(
            "TALLY_DATABASE_URL must start with sqlite:// or postgres://".into(),
        ))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    fn open(&self) -> Result<AnyConnection, diesel::ConnectionError> {
        match self {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers work while one writer commits; the busy timeout makes a second
                // process wait for the lock instead of failing; foreign keys are off by default.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA busy_timeout = 5000;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(AnyConnection::Postgresql)
            }
        }
    }
}

/// Opens pooled connections for r2d2, picking the backend from the URL rather than by trial.
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Manager {
        Manager { url }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        self.url
            .open()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection left inside a transaction, or whose transaction failed half-way, goes
    /// rather than back into the pool.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}
