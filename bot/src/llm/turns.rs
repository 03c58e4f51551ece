//! A few turns of conversation per chat member, kept in the database so every instance sees them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use tally_core::Error;
use tally_core::db::AnyConnection;
use tally_core::db::schema::llm_turns;
use tally_core::domain::AccountId;

/// Turns kept per member of a chat (a question and its answer are two).
pub const KEEP: i64 = 8;
/// The longest turn stored; a turn is context, not an archive.
const MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    fn as_str(&self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// The chat's latest turns, oldest first, only ever the asker's own.
pub fn recent(
    conn: &mut AnyConnection,
    account: AccountId,
    chat_key: &str,
) -> Result<Vec<(Role, String)>, Error> {
    let mut rows: Vec<(String, String)> = llm_turns::table
        .filter(llm_turns::chat_key.eq(chat_key))
        .filter(llm_turns::account_id.eq(account.get()))
        .order(llm_turns::id.desc())
        .limit(KEEP)
        .select((llm_turns::role, llm_turns::content))
        .load(conn)?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|(role, content)| {
            let role = if role == "assistant" {
                Role::Assistant
            } else {
                Role::User
            };
            (role, content)
        })
        .collect())
}

/// Adds a turn and forgets all but the latest [`KEEP`] of this member in this chat. Pruning by
/// chat alone would let one talkative group member push everyone else's context out.
pub fn append(
    conn: &mut AnyConnection,
    account: AccountId,
    chat_key: &str,
    role: Role,
    content: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let content: String = content.chars().take(MAX_CHARS).collect();
    diesel::insert_into(llm_turns::table)
        .values((
            llm_turns::account_id.eq(account.get()),
            llm_turns::chat_key.eq(chat_key),
            llm_turns::role.eq(role.as_str()),
            llm_turns::content.eq(&content),
            llm_turns::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    let oldest_kept: Option<i64> = llm_turns::table
        .filter(llm_turns::chat_key.eq(chat_key))
        .filter(llm_turns::account_id.eq(account.get()))
        .order(llm_turns::id.desc())
        .offset(KEEP - 1)
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

#[cfg(test)]
mod tests {
    use tally_core::services::accounts::{self, AccountDefaults};
    use tally_testkit::db::TestDb;

    use super::*;

    #[test]
    fn one_members_turns_never_evict_anothers() {
        let test = TestDb::sqlite();
        let mut pooled = test.db.checkout().expect("connection");
        let conn: &mut AnyConnection = &mut pooled;
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().expect("instant");
        let ann = accounts::create(conn, "Ann", AccountDefaults::default(), now)
            .expect("ann")
            .id;
        let bob = accounts::create(conn, "Bob", AccountDefaults::default(), now)
            .expect("bob")
            .id;
        let group = "telegram:-100";
        append(conn, ann, group, Role::User, "ann asks", now).expect("append");
        append(conn, ann, group, Role::Assistant, "ann's answer", now).expect("append");
        // Bob talks a lot more than KEEP turns in the same group.
        for i in 0..3 * KEEP {
            append(conn, bob, group, Role::User, &format!("bob {i}"), now).expect("append");
        }
        assert_eq!(
            recent(conn, ann, group).expect("recent"),
            vec![
                (Role::User, "ann asks".to_owned()),
                (Role::Assistant, "ann's answer".to_owned())
            ]
        );
        let bobs = recent(conn, bob, group).expect("recent");
        assert_eq!(bobs.len(), KEEP as usize);
        assert_eq!(bobs.last().map(|t| t.1.as_str()), Some("bob 23"));
        // Bob's old turns are gone from the table, not merely hidden.
        let stored: i64 = llm_turns::table
            .filter(llm_turns::account_id.eq(bob.get()))
            .count()
            .get_result(conn)
            .expect("count");
        assert_eq!(stored, KEEP);
    }
}
