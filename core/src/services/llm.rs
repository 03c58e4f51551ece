//! The LLM fallback's bookkeeping: turns per chat member and tokens used per account and day.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::{insert_unless_exists, ts};
use crate::db::AnyConnection;
use crate::db::schema::{llm_turns, llm_usage};
use crate::domain::AccountId;
use crate::error::Error;

/// Turns kept per member of a chat (a question and its answer are two).
pub const KEEP_TURNS: i64 = 8;
/// The longest turn stored; a turn is context, not an archive.
const MAX_TURN_CHARS: usize = 2000;

/// Who said a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnRole {
    User,
    Assistant,
}

impl TurnRole {
    fn as_str(&self) -> &'static str {
        match self {
            TurnRole::User => "user",
            TurnRole::Assistant => "assistant",
        }
    }
}

/// The chat's latest turns, oldest first, only ever the asker's own.
pub fn recent_turns(
    conn: &mut AnyConnection,
    account: AccountId,
    chat_key: &str,
) -> Result<Vec<(TurnRole, String)>, Error> {
    let mut rows: Vec<(String, String)> = llm_turns::table
        .filter(llm_turns::chat_key.eq(chat_key))
        .filter(llm_turns::account_id.eq(account.get()))
        .order(llm_turns::id.desc())
        .limit(KEEP_TURNS)
        .select((llm_turns::role, llm_turns::content))
        .load(conn)?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|(role, content)| {
            let role = if role == "assistant" {
                TurnRole::Assistant
            } else {
                TurnRole::User
            };
            (role, content)
        })
        .collect())
}

/// Adds a turn and forgets all but the latest [`KEEP_TURNS`] of this member in this chat.
/// Pruning by chat alone would let one talkative group member push everyone else's context out.
pub fn append_turn(
    conn: &mut AnyConnection,
    account: AccountId,
    chat_key: &str,
    role: TurnRole,
    content: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let content: String = content.chars().take(MAX_TURN_CHARS).collect();
    diesel::insert_into(llm_turns::table)
        .values((
            llm_turns::account_id.eq(account.get()),
            llm_turns::chat_key.eq(chat_key),
            llm_turns::role.eq(role.as_str()),
            llm_turns::content.eq(&content),
            llm_turns::created_at.eq(ts(now)),
        ))
        .execute(conn)?;
    let oldest_kept: Option<i64> = llm_turns::table
        .filter(llm_turns::chat_key.eq(chat_key))
        .filter(llm_turns::account_id.eq(account.get()))
        .order(llm_turns::id.desc())
        .offset(KEEP_TURNS - 1)
        .select(llm_turns::id)
        .first(conn)
        .optional()?;
    if let Some(id) = oldest_kept {
        diesel::delete(
            llm_turns::table
                .filter(llm_turns::chat_key.eq(chat_key))
                .filter(llm_turns::account_id.eq(account.get()))
                .filter(llm_turns::id.lt(id)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Tokens the account has used on `day`.
pub fn tokens_used(
    conn: &mut AnyConnection,
    account: AccountId,
    day: NaiveDate,
) -> Result<i64, Error> {
    Ok(llm_usage::table
        .filter(llm_usage::account_id.eq(account.get()))
        .filter(llm_usage::day.eq(day))
        .select(llm_usage::tokens)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Adds `tokens` to the account's day, creating the row the first time. Safe when instances race:
/// the insert runs in a savepoint and a collision turns into the update.
pub fn add_tokens(
    conn: &mut AnyConnection,
    account: AccountId,
    day: NaiveDate,
    tokens: i64,
) -> Result<(), Error> {
    let tokens = tokens.max(0);
    let bump = |conn: &mut AnyConnection| -> Result<usize, Error> {
        Ok(diesel::update(
            llm_usage::table
                .filter(llm_usage::account_id.eq(account.get()))
                .filter(llm_usage::day.eq(day)),
        )
        .set(llm_usage::tokens.eq(llm_usage::tokens + tokens))
        .execute(conn)?)
    };
    if bump(conn)? > 0 {
        return Ok(());
    }
    let inserted = insert_unless_exists(conn, |c| {
        Ok(diesel::insert_into(llm_usage::table)
            .values((
                llm_usage::account_id.eq(account.get()),
                llm_usage::day.eq(day),
                llm_usage::tokens.eq(tokens),
            ))
            .execute(c)?)
    })?;
    if inserted.is_none() {
        bump(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::db::Db;
    use crate::services::accounts::{self, AccountDefaults};

    /// A fresh, migrated SQLite file of the test's own (not the shared test kit, which lives
    /// outside this crate).
    fn fresh(name: &str) -> (Db, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "tally-llm-{name}-{}-{}.sqlite",
            std::process::id(),
            rand::random::<u64>()
        ));
        let db = Db::connect(&format!("sqlite://{}", path.display()), 1).expect("open");
        db.migrate().expect("migrate");
        (db, path)
    }

    #[test]
    fn one_members_turns_never_evict_anothers() {
        let (db, path) = fresh("turns");
        let mut pooled = db.checkout().expect("connection");
        let conn: &mut AnyConnection = &mut pooled;
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().expect("instant");
        let ann = accounts::create(conn, "Ann", AccountDefaults::default(), now)
            .expect("ann")
            .id;
        let bob = accounts::create(conn, "Bob", AccountDefaults::default(), now)
            .expect("bob")
            .id;
        let group = "telegram:-100";
        append_turn(conn, ann, group, TurnRole::User, "ann asks", now).expect("append");
        append_turn(conn, ann, group, TurnRole::Assistant, "ann's answer", now).expect("append");
        // Bob talks a lot more than KEEP_TURNS turns in the same group.
        for i in 0..3 * KEEP_TURNS {
            append_turn(conn, bob, group, TurnRole::User, &format!("bob {i}"), now)
                .expect("append");
        }
        assert_eq!(
            recent_turns(conn, ann, group).expect("recent"),
            vec![
                (TurnRole::User, "ann asks".to_owned()),
                (TurnRole::Assistant, "ann's answer".to_owned())
            ]
        );
        let bobs = recent_turns(conn, bob, group).expect("recent");
        assert_eq!(bobs.len(), KEEP_TURNS as usize);
        assert_eq!(bobs.last().map(|t| t.1.as_str()), Some("bob 23"));
        // Bob's old turns are gone from the table, not merely hidden.
        let stored: i64 = llm_turns::table
            .filter(llm_turns::account_id.eq(bob.get()))
            .count()
            .get_result(conn)
            .expect("count");
        assert_eq!(stored, KEEP_TURNS);
        drop(pooled);
        drop(db);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn tokens_add_up_per_account_and_day() {
        let (db, path) = fresh("usage");
        let mut pooled = db.checkout().expect("connection");
        let conn: &mut AnyConnection = &mut pooled;
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().expect("instant");
        let ann = accounts::create(conn, "Ann", AccountDefaults::default(), now)
            .expect("ann")
            .id;
        let day = now.date_naive();
        assert_eq!(tokens_used(conn, ann, day).expect("used"), 0);
        add_tokens(conn, ann, day, 120).expect("add");
        add_tokens(conn, ann, day, 30).expect("add");
        add_tokens(conn, ann, day, -5).expect("negative counts as none");
        assert_eq!(tokens_used(conn, ann, day).expect("used"), 150);
        let next = day.succ_opt().expect("next day");
        assert_eq!(tokens_used(conn, ann, next).expect("used"), 0);
        drop(pooled);
        drop(db);
        let _ = std::fs::remove_file(path);
    }
}
