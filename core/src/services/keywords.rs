//! A user's own words for categories: taught by re-categorising, or added by hand.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{insert_unless_exists, ts};
use crate::db::AnyConnection;
use crate::db::schema::keywords;
use crate::domain::{AccountId, CategoryName, TransactionKind};
use crate::error::Error;
use crate::models::transaction::Transaction;
use crate::parser::{Parser, Vocabulary};

/// Most keywords one account keeps; the oldest beyond this are not consulted.
pub const MAX_PER_ACCOUNT: i64 = 2_000;

/// Maps each keyword to `category` for this account, replacing an earlier mapping of that word.
pub fn teach(
    conn: &mut AnyConnection,
    account: AccountId,
    words: &[String],
    kind: TransactionKind,
    category: &CategoryName,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    for word in words {
        let word: String = word.chars().take(64).collect();
        if word.is_empty() {
            continue;
        }
        let updated = diesel::update(
            keywords::table
                .filter(keywords::account_id.eq(account.get()))
                .filter(keywords::kind.eq(kind.as_str()))
                .filter(keywords::keyword.eq(&word)),
        )
        .set((
            keywords::category.eq(category.as_str()),
            keywords::created_at.eq(ts(now)),
        ))
        .execute(conn)?;
        if updated == 0 {
            insert_unless_exists(conn, |c| {
                diesel::insert_into(keywords::table)
                    .values((
                        keywords::account_id.eq(account.get()),
                        keywords::keyword.eq(&word),
                        keywords::kind.eq(kind.as_str()),
                        keywords::category.eq(category.as_str()),
                        keywords::created_at.eq(ts(now)),
                    ))
                    .execute(c)?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// After `tx` was moved to another category by `account`: the words of its note mean that
/// category for this account from now on. Returns the words learned.
pub fn learn_from(
    conn: &mut AnyConnection,
    parser: &Parser,
    account: AccountId,
    tx: &Transaction,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    let words = parser.learnable_words(&tx.note);
    teach(conn, account, &words, tx.kind, &tx.category, now)?;
    Ok(words)
}

/// Drops a keyword mapping.
pub fn forget(conn: &mut AnyConnection, account: AccountId, word: &str) -> Result<bool, Error> {
    let n = diesel::delete(
        keywords::table
            .filter(keywords::account_id.eq(account.get()))
            .filter(keywords::keyword.eq(word)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Everything the parser should know about this user's words, plus the ledger's own categories.
pub fn vocabulary(
    conn: &mut AnyConnection,
    account: Option<AccountId>,
    custom_categories: &[(CategoryName, TransactionKind)],
) -> Result<Vocabulary, Error> {
    let mut vocab = Vocabulary::default();
    for (name, kind) in custom_categories {
        vocab.add_category(name.clone(), *kind);
    }
    // Someone never seen before has no words of their own yet.
    let Some(account) = account else {
        return Ok(vocab);
    };
    let rows: Vec<(String, String, String)> = keywords::table
        .filter(keywords::account_id.eq(account.get()))
        .order(keywords::created_at.desc())
        .limit(MAX_PER_ACCOUNT)
        .select((keywords::keyword, keywords::kind, keywords::category))
        .load(conn)?;
    for (word, kind, category) in rows {
        if let (Ok(kind), Ok(category)) = (kind.parse(), CategoryName::parse(&category)) {
            vocab.add_keyword(&word, category, kind);
        }
    }
    Ok(vocab)
}
