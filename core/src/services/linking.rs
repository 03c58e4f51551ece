//! One person, one account: link codes, and merging the account a chat created into another.
//!
//! A merge moves everything the absorbed account had (its personal ledger's transactions,
//! categories and budgets, its group memberships, keywords, identities and the rest) to the
//! surviving account, in the caller's transaction, and marks the absorbed one `merged_into`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

pub use super::pending_links::LinkPreview;
use super::{accounts, categories, insert_unless_exists, ledgers, pending_links, ts};
use crate::auth::throttle::{self, LINK_CODE, Limit};
use crate::db::AnyConnection;
use crate::db::schema::{
    accounts as accounts_t, budget_alerts, budgets, categories as categories_t, digests,
    idempotency_keys, identities, keywords, ledger_members, ledgers as ledgers_t, link_codes,
    llm_turns, llm_usage, pending_actions, transactions,
};
use crate::domain::{AccountId, LedgerId, Platform, Role};
use crate::error::Error;
use crate::models::account::{Account, AccountRow};
use crate::models::ledger::MemberRow;

/// Letters and digits that can't be mistaken for one another (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 10 characters of 31: about 49 bits, against at most a handful of tries per identity.
pub const CODE_LEN: usize = 10;

/// A fresh link code, shown once; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Upper-cases and drops spaces and dashes; `None` if what is left can't be a code.
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let plausible =
        (8..=32).contains(&code.len()) && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
    plausible.then_some(code)
}

fn random_code() -> String {
    (0..CODE_LEN)
        .map(|_| {
            let i = rand::random_range(0..CODE_ALPHABET.len());
            char::from(CODE_ALPHABET[i])
        })
        .collect()
}

/// Link codes one account may create: each is a live secret someone could guess or phish
/// with, so a handful an hour is plenty for a person linking a few chats.
pub const CODE_CREATION: Limit = Limit {
    scope: "link_code_create",
    max: 10,
    window_secs: 60 * 60,
};

/// A one-time code that attaches whichever chat sends it to `account`, valid for `ttl`.
/// `Err(RateLimited)` past [`CODE_CREATION`].
pub fn create_code(
    conn: &mut AnyConnection,
    account: AccountId,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<LinkCode, Error> {
    let subject = account.to_string();
    throttle::check(conn, &CODE_CREATION, &subject, now)?;
    throttle::record(conn, &CODE_CREATION, &subject, now)?;
    // Spent and expired codes are of no further use.
    diesel::delete(link_codes::table.filter(link_codes::expires_at.lt(ts(now)))).execute(conn)?;
    let expires_at = now + ttl;
    for _ in 0..4 {
        let code = random_code();
        let hash = code_hash(&code);
        let inserted = insert_unless_exists(conn, |c| {
            diesel::insert_into(link_codes::table)
                .values((
                    link_codes::code_hash.eq(&hash),
                    link_codes::account_id.eq(account.get()),
                    link_codes::expires_at.eq(ts(expires_at)),
                    link_codes::created_at.eq(ts(now)),
                ))
                .execute(c)?;
            Ok(())
        })?;
        if inserted.is_some() {
            return Ok(LinkCode { code, expires_at });
        }
    }
    Err(Error::Internal("could not find an unused link code".into()))
}

/// What sending a link code achieved. A code never merges on its own: a valid one becomes a
/// pending link that only the redeeming chat's Confirm carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// Waiting for the redeeming chat to confirm; what it would join and what would move.
    Pending(LinkPreview),
    /// The code belongs to the account this chat already uses.
    AlreadyLinked(Account),
    /// Wrong, expired or used; the attempt was counted.
    Failed { tries_left: i64 },
}

/// Redeems a code sent from the chat identity `(platform, platform_user_id)`, whose account is
/// `current`. Failures are recorded against the identity and limited; a success uses the code
/// up (one conditional `UPDATE`, so two chats racing for one code cannot both have it) and
/// records a pending link for [`pending_links::confirm`]. Returns `Err(RateLimited)` once the
/// tries are used up.
pub fn redeem_code(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    current: AccountId,
    raw_code: &str,
    now: DateTime<Utc>,
) -> Result<Redeemed, Error> {
    let subject = format!("{platform}:{platform_user_id}");
    throttle::check(conn, &LINK_CODE, &subject, now)?;
    let found: Option<(i64, i64)> = match normalize_code(raw_code) {
        Some(code) => link_codes::table
            .filter(link_codes::code_hash.eq(code_hash(&code)))
            .filter(link_codes::used_at.is_null())
            .filter(link_codes::expires_at.gt(ts(now)))
            .select((link_codes::id, link_codes::account_id))
            .first(conn)
            .optional()?,
        None => None,
    };
    // The affected-row count decides who has the code: a second redemption, even one that read
    // the row at the same moment, updates nothing.
    let claimed = match found {
        Some((code_id, _)) => {
            diesel::update(
                link_codes::table
                    .filter(link_codes::id.eq(code_id))
                    .filter(link_codes::used_at.is_null()),
            )
            .set(link_codes::used_at.eq(Some(ts(now))))
            .execute(conn)?
                == 1
        }
        None => false,
    };
    let Some((_, owner)) = found.filter(|_| claimed) else {
        throttle::record(conn, &LINK_CODE, &subject, now)?;
        let left = throttle::remaining(conn, &LINK_CODE, &subject, now)?;
        return Ok(Redeemed::Failed { tries_left: left });
    };
    throttle::clear(conn, &LINK_CODE, &subject)?;
    let target = super::credentials::final_account(conn, AccountId(owner))?;
    let current = super::credentials::final_account(conn, current)?;
    if target == current {
        return Ok(Redeemed::AlreadyLinked(accounts::find(conn, target)?));
    }
    pending_links::open(conn, platform, platform_user_id, target, current, now)
        .map(Redeemed::Pending)
}

/// Which of two accounts lives on: the one with a password if only one has one, else `target`
/// (the account the code or login named). Returns `(survivor, absorbed)`.
pub fn survivor_of(
    conn: &mut AnyConnection,
    target: AccountId,
    other: AccountId,
) -> Result<(AccountId, AccountId), Error> {
    let target_has = accounts::find(conn, target)?.has_password;
    let other_has = accounts::find(conn, other)?.has_password;
    if other_has && !target_has {
        Ok((other, target))
    } else {
        Ok((target, other))
    }
}

/// What a merge did, for the reply and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    pub survivor: Account,
    pub absorbed: AccountId,
    /// Transactions that moved from the absorbed account's personal ledger.
    pub moved_transactions: usize,
    /// Budgets of the absorbed ledger not kept because the survivor had one for the same
    /// category and period (the survivor's stays).
    pub replaced_budgets: usize,
}

fn account_row(conn: &mut AnyConnection, id: AccountId) -> Result<AccountRow, Error> {
    accounts_t::table
        .find(id.get())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("account"))
}

fn rank(role: &str) -> u8 {
    match role.parse::<Role>() {
        Ok(Role::Owner) => 3,
        Ok(Role::Admin) => 2,
        _ => 1,
    }
}

/// What the person merging has proven about the two accounts' passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passwords {
    /// No password was typed (a chat confirming a code, a login page proving only one).
    Unproven,
    /// Both accounts' passwords were typed and checked just now.
    BothProven,
}

/// The refusal when two accounts that each have a login would merge on less than both passwords.
pub const BOTH_LOGINS: &str = "Both accounts have their own username and password, so joining them \
     needs both passwords. Send /login in the chat, open the link, and log in there with the other \
     account: the page asks for this chat's password as well.";

/// Moves everything of `absorbed` to `survivor` and marks `absorbed` merged. Run it inside one
/// transaction (the caller's): it either all happens or none of it. Two accounts that both have
/// a password merge only with [`Passwords::BothProven`]: otherwise whoever knew one password could
/// take the other account. Afterwards only the survivor's username and password log in.
pub fn merge(
    conn: &mut AnyConnection,
    survivor: AccountId,
    absorbed: AccountId,
    passwords: Passwords,
    now: DateTime<Utc>,
) -> Result<MergeOutcome, Error> {
    if survivor == absorbed {
        return Err(Error::invalid(
            "account",
            "An account can't be merged into itself.",
        ));
    }
    let s_row = account_row(conn, survivor)?;
    let a_row = account_row(conn, absorbed)?;
    if s_row.merged_into.is_some() || a_row.merged_into.is_some() {
        return Err(Error::Conflict("That account was merged already.".into()));
    }
    if s_row.password_hash.is_some()
        && a_row.password_hash.is_some()
        && passwords != Passwords::BothProven
    {
        return Err(Error::Conflict(BOTH_LOGINS.into()));
    }

    // 1. The absorbed personal ledger pours into the survivor's, then goes.
    let into = ledgers::personal(conn, survivor)?.id;
    let (moved_transactions, replaced_budgets) = match ledgers::personal(conn, absorbed) {
        Ok(from) => pour_ledger(conn, from.id, into, now)?,
        Err(e) if e.kind() == crate::ErrorKind::NotFound => (0, 0),
        Err(e) => return Err(e),
    };

    // 2. Group memberships: the survivor keeps the higher role where both are members.
    let memberships: Vec<MemberRow> = ledger_members::table
        .filter(ledger_members::account_id.eq(absorbed.get()))
        .select(MemberRow::as_select())
        .load(conn)?;
    for m in memberships {
        let theirs: Option<String> = ledger_members::table
            .find((m.ledger_id, survivor.get()))
            .select(ledger_members::role)
            .first(conn)
            .optional()?;
        match theirs {
            Some(role) => {
                if rank(&m.role) > rank(&role) {
                    diesel::update(ledger_members::table.find((m.ledger_id, survivor.get())))
                        .set(ledger_members::role.eq(&m.role))
                        .execute(conn)?;
                }
                if m.left_at.is_none() {
                    // The absorbed identity is still in the group, so the merged account is.
                    diesel::update(ledger_members::table.find((m.ledger_id, survivor.get())))
                        .set(ledger_members::left_at.eq(None::<chrono::NaiveDateTime>))
                        .execute(conn)?;
                }
                diesel::delete(ledger_members::table.find((m.ledger_id, absorbed.get())))
                    .execute(conn)?;
            }
            None => {
                diesel::update(ledger_members::table.find((m.ledger_id, absorbed.get())))
                    .set(ledger_members::account_id.eq(survivor.get()))
                    .execute(conn)?;
            }
        }
    }

    // 3. Authorship anywhere (group ledgers included).
    diesel::update(transactions::table.filter(transactions::author_account_id.eq(absorbed.get())))
        .set(transactions::author_account_id.eq(survivor.get()))
        .execute(conn)?;
    diesel::update(budgets::table.filter(budgets::created_by.eq(absorbed.get())))
        .set(budgets::created_by.eq(survivor.get()))
        .execute(conn)?;

    // 4. Keywords: where both taught the same word, the survivor's meaning stays.
    let words: Vec<(i64, String, String)> = keywords::table
        .filter(keywords::account_id.eq(absorbed.get()))
        .select((keywords::id, keywords::kind, keywords::keyword))
        .load(conn)?;
    for (id, kind, word) in words {
        let clash: i64 = keywords::table
            .filter(keywords::account_id.eq(survivor.get()))
            .filter(keywords::kind.eq(&kind))
            .filter(keywords::keyword.eq(&word))
            .count()
            .get_result(conn)?;
        if clash > 0 {
            diesel::delete(keywords::table.find(id)).execute(conn)?;
        } else {
            diesel::update(keywords::table.find(id))
                .set(keywords::account_id.eq(survivor.get()))
                .execute(conn)?;
        }
    }

    // 5. Identities, and the account-owned odds and ends.
    diesel::update(identities::table.filter(identities::account_id.eq(absorbed.get())))
        .set(identities::account_id.eq(survivor.get()))
        .execute(conn)?;
    let keys: Vec<String> = idempotency_keys::table
        .filter(idempotency_keys::account_id.eq(absorbed.get()))
        .select(idempotency_keys::key)
        .load(conn)?;
    for key in keys {
        let clash: i64 = idempotency_keys::table
            .find((survivor.get(), &key))
            .count()
            .get_result(conn)?;
        if clash > 0 {
            diesel::delete(idempotency_keys::table.find((absorbed.get(), &key))).execute(conn)?;
        } else {
            diesel::update(idempotency_keys::table.find((absorbed.get(), &key)))
                .set(idempotency_keys::account_id.eq(survivor.get()))
                .execute(conn)?;
        }
    }
    diesel::update(link_codes::table.filter(link_codes::account_id.eq(absorbed.get())))
        .set(link_codes::account_id.eq(survivor.get()))
        .execute(conn)?;
    diesel::update(digests::table.filter(digests::account_id.eq(absorbed.get())))
        .set(digests::account_id.eq(survivor.get()))
        .execute(conn)?;
    diesel::update(llm_turns::table.filter(llm_turns::account_id.eq(absorbed.get())))
        .set(llm_turns::account_id.eq(survivor.get()))
        .execute(conn)?;
    diesel::update(pending_actions::table.filter(pending_actions::account_id.eq(absorbed.get())))
        .set(pending_actions::account_id.eq(survivor.get()))
        .execute(conn)?;
    let usage: Vec<(chrono::NaiveDate, i64)> = llm_usage::table
        .filter(llm_usage::account_id.eq(absorbed.get()))
        .select((llm_usage::day, llm_usage::tokens))
        .load(conn)?;
    for (day, tokens) in usage {
        let added = diesel::update(llm_usage::table.find((survivor.get(), day)))
            .set(llm_usage::tokens.eq(llm_usage::tokens + tokens))
            .execute(conn)?;
        if added > 0 {
            diesel::delete(llm_usage::table.find((absorbed.get(), day))).execute(conn)?;
        } else {
            diesel::update(llm_usage::table.find((absorbed.get(), day)))
                .set(llm_usage::account_id.eq(survivor.get()))
                .execute(conn)?;
        }
    }

    // 6. One login survives: the survivor's, or the absorbed one's moved over when the survivor
    //    had none. The absorbed account's own username and password stop working either way, so
    //    a password someone else set on it cannot outlive the merge.
    crate::db::account_changed();
    diesel::update(accounts_t::table.find(absorbed.get()))
        .set((
            accounts_t::username_key.eq(None::<String>),
            accounts_t::password_hash.eq(None::<String>),
        ))
        .execute(conn)?;
    if s_row.password_hash.is_none() && a_row.password_hash.is_some() {
        diesel::update(accounts_t::table.find(survivor.get()))
            .set((
                accounts_t::username.eq(&a_row.username),
                accounts_t::username_key.eq(&a_row.username_key),
                accounts_t::password_hash.eq(&a_row.password_hash),
                accounts_t::email.eq(s_row.email.as_ref().or(a_row.email.as_ref())),
                accounts_t::updated_at.eq(ts(now)),
            ))
            .execute(conn)?;
    } else if s_row.email.is_none() && a_row.email.is_some() {
        diesel::update(accounts_t::table.find(survivor.get()))
            .set(accounts_t::email.eq(&a_row.email))
            .execute(conn)?;
    }

    // 7. Mark the absorbed account (and any merged into it earlier) and end its sessions.
    diesel::update(accounts_t::table.filter(accounts_t::merged_into.eq(absorbed.get())))
        .set(accounts_t::merged_into.eq(survivor.get()))
        .execute(conn)?;
    diesel::update(accounts_t::table.find(absorbed.get()))
        .set((
            accounts_t::merged_into.eq(Some(survivor.get())),
            accounts_t::token_version.eq(accounts_t::token_version + 1),
            accounts_t::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    tracing::info!(survivor = %survivor, absorbed = %absorbed, moved_transactions, "accounts merged");
    Ok(MergeOutcome {
        survivor: accounts::find(conn, survivor)?,
        absorbed,
        moved_transactions,
        replaced_budgets,
    })
}

/// Moves one personal ledger's contents into another and deletes it. Categories merge by
/// (kind, name); transactions (deleted ones too) and budgets follow their category.
fn pour_ledger(
    conn: &mut AnyConnection,
    from: LedgerId,
    into: LedgerId,
    now: DateTime<Utc>,
) -> Result<(usize, usize), Error> {
    let mut mapping: HashMap<i64, i64> = HashMap::new();
    for c in categories::all_of(conn, from, true)? {
        let existing: Option<(i64, bool)> = categories_t::table
            .filter(categories_t::ledger_id.eq(into.get()))
            .filter(categories_t::kind.eq(c.kind.as_str()))
            .filter(categories_t::name.eq(c.name.as_str()))
            .select((categories_t::id, categories_t::archived))
            .first(conn)
            .optional()?;
        let target = match existing {
            Some((id, archived)) => {
                // A category still in use on the absorbed side stays in use.
                if archived && !c.archived {
                    diesel::update(categories_t::table.find(id))
                        .set(categories_t::archived.eq(false))
                        .execute(conn)?;
                }
                id
            }
            None => diesel::insert_into(categories_t::table)
                .values((
                    categories_t::ledger_id.eq(into.get()),
                    categories_t::kind.eq(c.kind.as_str()),
                    categories_t::name.eq(c.name.as_str()),
                    categories_t::archived.eq(c.archived),
                    categories_t::created_at.eq(ts(now)),
                ))
                .returning(categories_t::id)
                .get_result(conn)?,
        };
        mapping.insert(c.id.get(), target);
    }

    let mut moved = 0;
    for (old, new) in &mapping {
        moved += diesel::update(
            transactions::table
                .filter(transactions::ledger_id.eq(from.get()))
                .filter(transactions::category_id.eq(*old)),
        )
        .set((
            transactions::ledger_id.eq(into.get()),
            transactions::category_id.eq(*new),
        ))
        .execute(conn)?;
    }

    let mut replaced = 0;
    let theirs: Vec<(i64, i64, String)> = budgets::table
        .filter(budgets::ledger_id.eq(from.get()))
        .select((budgets::id, budgets::category_id, budgets::period))
        .load(conn)?;
    for (id, category, period) in theirs {
        let new_category = mapping.get(&category).copied().unwrap_or(category);
        let clash: i64 = budgets::table
            .filter(budgets::ledger_id.eq(into.get()))
            .filter(budgets::category_id.eq(new_category))
            .filter(budgets::period.eq(&period))
            .count()
            .get_result(conn)?;
        if clash > 0 {
            diesel::delete(budget_alerts::table.filter(budget_alerts::budget_id.eq(id)))
                .execute(conn)?;
            diesel::delete(budgets::table.find(id)).execute(conn)?;
            replaced += 1;
        } else {
            diesel::update(budgets::table.find(id))
                .set((
                    budgets::ledger_id.eq(into.get()),
                    budgets::category_id.eq(new_category),
                ))
                .execute(conn)?;
        }
    }

    diesel::update(pending_actions::table.filter(pending_actions::ledger_id.eq(from.get())))
        .set(pending_actions::ledger_id.eq(into.get()))
        .execute(conn)?;
    diesel::update(digests::table.filter(digests::ledger_id.eq(from.get())))
        .set(digests::ledger_id.eq(into.get()))
        .execute(conn)?;
    diesel::delete(categories_t::table.filter(categories_t::ledger_id.eq(from.get())))
        .execute(conn)?;
    diesel::delete(ledger_members::table.filter(ledger_members::ledger_id.eq(from.get())))
        .execute(conn)?;
    diesel::delete(ledgers_t::table.find(from.get())).execute(conn)?;
    Ok((moved, replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalise() {
        let code = random_code();
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_code(&format!(" {}-{} ", &code[..5], &code[5..]).to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("0000000000"), None);
    }
}
