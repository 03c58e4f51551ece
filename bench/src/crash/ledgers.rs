//! What the database holds after the run, compared with what was sent: lost and duplicated entries.

use std::collections::HashMap;

use diesel::prelude::*;
use tally_core::db::Db;
use tally_core::db::schema::{identities, ledgers, outbox, transactions};

use super::workload::Workload;

/// How the ledgers compare with the messages.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LedgerCount {
    /// Messages with no entry.
    pub lost: usize,
    /// Entries beyond the first for one message.
    pub duplicated: usize,
    /// Entries in a ledger other than the chat's own.
    pub misplaced: usize,
    /// Entries whose amount no message had.
    pub unexpected: usize,
    /// Ledgers checked, and those whose total differs from the sum of their chat's messages.
    pub ledgers: usize,
    pub wrong_totals: usize,
}

/// Replies written to the outbox and not marked sent.
pub async fn unsent(db: &Db) -> anyhow::Result<i64> {
    db.read(|conn| {
        Ok(outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .map_err(|e| anyhow::anyhow!("counting unsent replies: {e}"))
}

type Ledger = (i64, String, Option<i64>, Option<String>);

/// Reads every live entry and the chats' ledgers, and compares.
pub async fn count(db: &Db, workload: &Workload) -> anyhow::Result<LedgerCount> {
    let (people, all_ledgers, entries) = db
        .read(|conn| {
            let people: Vec<(String, i64)> = identities::table
                .filter(identities::platform.eq("telegram"))
                .select((identities::platform_user_id, identities::account_id))
                .load(conn)?;
            let all_ledgers: Vec<Ledger> = ledgers::table
                .select((
                    ledgers::id,
                    ledgers::kind,
                    ledgers::owner_account_id,
                    ledgers::chat_id,
                ))
                .load(conn)?;
            let entries: Vec<(i64, i64)> = transactions::table
                .filter(transactions::deleted_at.is_null())
                .select((transactions::ledger_id, transactions::amount_minor))
                .load(conn)?;
            Ok((people, all_ledgers, entries))
        })
        .await
        .map_err(|e| anyhow::anyhow!("reading the ledgers: {e}"))?;
    let account_of: HashMap<String, i64> = people.into_iter().collect();
    let mut personal: HashMap<i64, i64> = HashMap::new();
    let mut group: HashMap<String, i64> = HashMap::new();
    for (id, kind, owner, chat) in all_ledgers {
        match (kind.as_str(), owner, chat) {
            ("personal", Some(owner), _) => {
                personal.insert(owner, id);
            }
            ("group", _, Some(chat)) => {
                group.insert(chat, id);
            }
            _ => {}
        }
    }
    // The ledger each message belongs in (`None`: its chat has none, so its entry is lost).
    let expected_ledger = |chat: i64, from: usize| -> Option<i64> {
        if chat < 0 {
            group.get(&chat.to_string()).copied()
        } else {
            let user = workload.users[from].id.to_string();
            account_of
                .get(&user)
                .and_then(|account| personal.get(account))
                .copied()
        }
    };
    let mut by_amount: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut actual_totals: HashMap<i64, i64> = HashMap::new();
    for (ledger, amount) in entries {
        by_amount.entry(amount).or_default().push(ledger);
        *actual_totals.entry(ledger).or_default() += amount;
    }
    let mut out = LedgerCount::default();
    let mut expected_totals: HashMap<i64, i64> = HashMap::new();
    for m in &workload.messages {
        let want = expected_ledger(m.chat, m.from);
        if let Some(l) = want {
            *expected_totals.entry(l).or_default() += m.amount;
        }
        let found = by_amount.remove(&m.amount).unwrap_or_default();
        match found.len() {
            0 => out.lost += 1,
            n => out.duplicated += n - 1,
        }
        out.misplaced += found.iter().filter(|l| Some(**l) != want).count();
    }
    out.unexpected = by_amount.values().map(Vec::len).sum();
    out.ledgers = expected_totals.len();
    out.wrong_totals = expected_totals
        .iter()
        .filter(|(l, total)| actual_totals.get(l).copied().unwrap_or(0) != **total)
        .count();
    Ok(out)
}
