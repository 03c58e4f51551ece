//! Shared expenses in a group ledger: splits, balances, settle-up, settlements, placeholders.
//!
//! A split is stored beside the payer's expense (one share row per participant), and a
//! settlement is an entry of its own kind, so neither ever counts as spending twice. Balances
//! are computed from both on every read: per currency, a payer is owed the amount and each
//! participant owes their share, so every currency's balances add up to zero by construction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::accounts::{self, AccountDefaults};
use super::transactions::{self, NewTransaction, Source};
use super::{insert_unless_exists, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{
    ledger_members, settlements, split_placeholders, split_shares, splits, transactions as tx_t,
};
use crate::domain::{AccountId, LedgerId, Role, TransactionId, TransactionKind};
use crate::error::Error;
use crate::models::ledger::MemberRow;
use crate::models::split::{
    NewPlaceholderRow, NewSettlementRow, PlaceholderRow, SettlementRow, ShareRow, SplitRow,
};
use crate::models::transaction::Transaction;
use crate::money::{Currency, Money};
use crate::split::{Mode, Plan, PlanError, Transfer, Value, Weight, settle_up};

/// One participant's part of a shared expense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub account: AccountId,
    pub name: String,
    pub money: Money,
}

/// A shared expense: the entry, who paid, how it was divided and each share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitEntry {
    pub transaction: Transaction,
    pub payer: AccountId,
    pub payer_name: String,
    pub mode: Mode,
    pub shares: Vec<Share>,
}

/// A member's net position in one currency: positive is owed money, negative owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub account: AccountId,
    pub name: String,
    pub net: Money,
}

/// One proposed payment of a settle-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub from: AccountId,
    pub from_name: String,
    pub to: AccountId,
    pub to_name: String,
    pub money: Money,
}

/// A recorded settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub id: i64,
    pub ledger: LedgerId,
    pub author: AccountId,
    pub from: AccountId,
    pub from_name: String,
    pub to: AccountId,
    pub to_name: String,
    pub money: Money,
    pub date: NaiveDate,
    pub deleted: bool,
}

/// Who is named in a split, with what they were given (`2x`, `30`, `50%`), if anything.
pub type Named = Vec<(AccountId, Option<Value>)>;

fn plan_error(e: PlanError) -> Error {
    Error::invalid("split", e.to_string())
}

fn require_group(access: &ledgers::Access) -> Result<(), Error> {
    if access.ledger.is_group() {
        Ok(())
    } else {
        Err(Error::invalid(
            "ledger",
            "Shared expenses live in a group: use this in the group chat (or a budget channel).",
        ))
    }
}

/// The names members go by in this ledger, including people who left (their past shares stay).
fn names(conn: &mut AnyConnection, ledger: LedgerId) -> Result<HashMap<i64, String>, Error> {
    Ok(ledger_members::table
        .filter(ledger_members::ledger_id.eq(ledger.get()))
        .select((ledger_members::account_id, ledger_members::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

fn name_of(names: &HashMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_else(|| "someone".into())
}

/// The current members a split may name: everyone who has not left.
pub fn members(
    conn: &mut AnyConnection,
    ledger: LedgerId,
) -> Result<Vec<(AccountId, String)>, Error> {
    Ok(ledger_members::table
        .filter(ledger_members::ledger_id.eq(ledger.get()))
        .filter(ledger_members::left_at.is_null())
        .order((ledger_members::joined_at, ledger_members::account_id))
        .select((ledger_members::account_id, ledger_members::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| (AccountId(id), name))
        .collect())
}

fn require_member(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    account: AccountId,
) -> Result<(), Error> {
    let found: Option<i64> = ledger_members::table
        .filter(ledger_members::ledger_id.eq(ledger.get()))
        .filter(ledger_members::account_id.eq(account.get()))
        .filter(ledger_members::left_at.is_null())
        .select(ledger_members::account_id)
        .first(conn)
        .optional()?;
    found.map(|_| ()).ok_or_else(|| {
        Error::invalid(
            "member",
            "Everyone in a split must be a member of this group.",
        )
    })
}

/// Records an expense paid by `payer` and divides it: among `named` (and the payer unless
/// `payer_included` is false), or among every member when nobody is named.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    new: NewTransaction,
    payer: AccountId,
    payer_included: bool,
    named: &[(AccountId, Option<Value>)],
    now: DateTime<Utc>,
) -> Result<SplitEntry, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    require_group(&access)?;
    if new.kind != TransactionKind::Expense {
        return Err(Error::invalid("kind", "Only an expense can be shared."));
    }
    require_member(conn, ledger, payer)?;
    let everyone: Named;
    let named = if named.is_empty() {
        everyone = members(conn, ledger)?
            .into_iter()
            .filter(|(id, _)| *id != payer)
            .map(|(id, _)| (id, None))
            .collect();
        everyone.as_slice()
    } else {
        named
    };
    for (account, _) in named {
        require_member(conn, ledger, *account)?;
    }
    let plan = Plan::build(payer, payer_included, named, new.money).map_err(plan_error)?;
    let transaction = transactions::record(conn, actor, ledger, new, now)?;
    attach(conn, transaction, payer, &plan, now)
}

/// Stores the split of a recorded expense.
fn attach(
    conn: &mut AnyConnection,
    transaction: Transaction,
    payer: AccountId,
    plan: &Plan<AccountId>,
    now: DateTime<Utc>,
) -> Result<SplitEntry, Error> {
    let ledger = transaction.ledger;
    let shares = plan
        .allocate(transaction.money, tie_start(transaction.id))
        .map_err(plan_error)?;
    diesel::insert_into(splits::table)
        .values(SplitRow {
            transaction_id: transaction.id.get(),
            ledger_id: ledger.get(),
            payer_account_id: payer.get(),
            mode: plan.mode.as_str().to_owned(),
            created_at: ts(now),
        })
        .execute(conn)?;
    let rows: Vec<ShareRow> = plan
        .parts
        .iter()
        .zip(&shares)
        .enumerate()
        .map(|(i, ((account, weight), share))| ShareRow {
            transaction_id: transaction.id.get(),
            position: i as i32,
            account_id: account.get(),
            weight: weight.encode(),
            share_minor: *share,
        })
        .collect();
    // One row at a time: SQLite through the multi-backend connection has no batch insert.
    for row in &rows {
        diesel::insert_into(split_shares::table)
            .values(row)
            .execute(conn)?;
    }
    load(conn, transaction)?.ok_or_else(|| Error::Internal("split vanished".into()))
}

/// Shares a plain expense of the group among every member, paid by its author. Its author
/// and the group's admins may.
pub fn share_among_all(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
    now: DateTime<Utc>,
) -> Result<SplitEntry, Error> {
    let transaction = transactions::get(conn, actor, id)?;
    let access = ledgers::access_to_write(conn, actor, transaction.ledger)?;
    require_group(&access)?;
    if transaction.author != actor && !access.can_manage() {
        return Err(Error::Forbidden(
            "Only the person who recorded this, or a group admin, can share it.".into(),
        ));
    }
    if transaction.kind != TransactionKind::Expense {
        return Err(Error::invalid("kind", "Only an expense can be shared."));
    }
    if load(conn, transaction.clone())?.is_some() {
        return Err(Error::Conflict("That expense is already shared.".into()));
    }
    let payer = transaction.author;
    let named: Named = members(conn, transaction.ledger)?
        .into_iter()
        .filter(|(id, _)| *id != payer)
        .map(|(id, _)| (id, None))
        .collect();
    let plan = Plan::build(payer, true, &named, transaction.money).map_err(plan_error)?;
    attach(conn, transaction, payer, &plan, now)
}

/// Someone mentioned by platform user id (a Telegram `text_mention`, a Discord mention) takes
/// part in the group's splits. The mention is not the platform's word that they are in the
/// group, so the membership stays unconfirmed until they write (and the API refuses it).
pub fn add_mentioned_member(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let exists: Option<i64> = ledger_members::table
        .find((ledger.get(), account.get()))
        .select(ledger_members::account_id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Ok(());
    }
    let name = accounts::find(conn, account)?.display_name;
    insert_unless_exists(conn, |c| {
        diesel::insert_into(ledger_members::table)
            .values(MemberRow {
                ledger_id: ledger.get(),
                account_id: account.get(),
                role: Role::Member.as_str().to_owned(),
                display_name: name,
                joined_at: ts(now),
                left_at: None,
                confirmed_at: None,
            })
            .execute(c)?;
        Ok(())
    })?;
    Ok(())
}

/// The odd minor units of a split go first to a participant that depends on the entry, so
/// they do not always land on the same person, while one entry always splits the same way.
fn tie_start(id: TransactionId) -> usize {
    usize::try_from(id.get()).unwrap_or(0)
}

/// The split of a transaction the actor may see, if it is shared.
pub fn of(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
) -> Result<Option<SplitEntry>, Error> {
    let transaction = transactions::get(conn, actor, id)?;
    load(conn, transaction)
}

fn load(conn: &mut AnyConnection, transaction: Transaction) -> Result<Option<SplitEntry>, Error> {
    let Some(split): Option<SplitRow> = splits::table
        .find(transaction.id.get())
        .select(SplitRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let rows: Vec<ShareRow> = split_shares::table
        .filter(split_shares::transaction_id.eq(transaction.id.get()))
        .order(split_shares::position)
        .select(ShareRow::as_select())
        .load(conn)?;
    let names = names(conn, transaction.ledger)?;
    let currency = transaction.money.currency();
    let shares = rows
        .iter()
        .map(|r| {
            Ok(Share {
                account: AccountId(r.account_id),
                name: name_of(&names, r.account_id),
                money: Money::from_minor(r.share_minor, currency)
                    .map_err(|e| Error::Internal(format!("stored share: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Some(SplitEntry {
        payer: AccountId(split.payer_account_id),
        payer_name: name_of(&names, split.payer_account_id),
        mode: crate::models::stored("splits.mode", &split.mode)?,
        shares,
        transaction,
    }))
}

/// After an edit of a shared expense: the same weights divide the new amount. An edit that
/// makes the split impossible (exact amounts above the new total) or the entry income is
/// refused, and the caller's transaction rolls back.
pub(crate) fn recompute(conn: &mut AnyConnection, transaction: &Transaction) -> Result<(), Error> {
    let rows: Vec<ShareRow> = split_shares::table
        .filter(split_shares::transaction_id.eq(transaction.id.get()))
        .order(split_shares::position)
        .select(ShareRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(());
    }
    if transaction.kind != TransactionKind::Expense {
        return Err(Error::invalid(
            "kind",
            "This is a shared expense; undo it and record the income on its own.",
        ));
    }
    let parts = rows
        .iter()
        .map(|r| {
            Weight::decode(&r.weight)
                .map(|w| (AccountId(r.account_id), w))
                .ok_or_else(|| Error::Internal(format!("stored weight {:?}", r.weight)))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mode_text: String = splits::table
        .find(transaction.id.get())
        .select(splits::mode)
        .first(conn)?;
    let plan = Plan {
        mode: crate::models::stored("splits.mode", &mode_text)?,
        parts,
    };
    let shares = plan
        .allocate(transaction.money, tie_start(transaction.id))
        .map_err(plan_error)?;
    for (row, share) in rows.iter().zip(shares) {
        diesel::update(split_shares::table.find((row.transaction_id, row.position)))
            .set(split_shares::share_minor.eq(share))
            .execute(conn)?;
    }
    Ok(())
}

/// Who an account counts as in balances: a placeholder merged into a member is that member.
fn merges(conn: &mut AnyConnection, ledger: LedgerId) -> Result<HashMap<i64, i64>, Error> {
    Ok(split_placeholders::table
        .filter(split_placeholders::ledger_id.eq(ledger.get()))
        .filter(split_placeholders::merged_into.is_not_null())
        .select((
            split_placeholders::account_id,
            split_placeholders::merged_into,
        ))
        .load::<(i64, Option<i64>)>(conn)?
        .into_iter()
        .filter_map(|(from, to)| to.map(|to| (from, to)))
        .collect())
}

/// Net positions per currency, in minor units, from live splits and settlements.
fn nets(
    conn: &mut AnyConnection,
    ledger: LedgerId,
) -> Result<BTreeMap<String, BTreeMap<i64, i64>>, Error> {
    let merged = merges(conn, ledger)?;
    let who = |id: i64| merged.get(&id).copied().unwrap_or(id);
    let mut out: BTreeMap<String, BTreeMap<i64, i64>> = BTreeMap::new();
    let mut add = |currency: &str, account: i64, minor: i64| {
        *out.entry(currency.to_owned())
            .or_default()
            .entry(who(account))
            .or_default() += minor;
    };
    let paid: Vec<(i64, i64, i64, String)> = splits::table
        .inner_join(tx_t::table.on(tx_t::id.eq(splits::transaction_id)))
        .filter(splits::ledger_id.eq(ledger.get()))
        .filter(tx_t::deleted_at.is_null())
        .select((
            splits::transaction_id,
            splits::payer_account_id,
            tx_t::amount_minor,
            tx_t::currency,
        ))
        .load(conn)?;
    let currency_of: HashMap<i64, String> =
        paid.iter().map(|(t, _, _, c)| (*t, c.clone())).collect();
    for (_, payer, amount, currency) in &paid {
        add(currency, *payer, *amount);
    }
    let owed: Vec<(i64, i64, i64)> = split_shares::table
        .inner_join(splits::table.on(splits::transaction_id.eq(split_shares::transaction_id)))
        .inner_join(tx_t::table.on(tx_t::id.eq(split_shares::transaction_id)))
        .filter(splits::ledger_id.eq(ledger.get()))
        .filter(tx_t::deleted_at.is_null())
        .select((
            split_shares::transaction_id,
            split_shares::account_id,
            split_shares::share_minor,
        ))
        .load(conn)?;
    for (t, account, share) in owed {
        if let Some(currency) = currency_of.get(&t) {
            add(currency, account, -share);
        }
    }
    let settled: Vec<(i64, i64, i64, String)> = settlements::table
        .filter(settlements::ledger_id.eq(ledger.get()))
        .filter(settlements::deleted_at.is_null())
        .select((
            settlements::from_account_id,
            settlements::to_account_id,
            settlements::amount_minor,
            settlements::currency,
        ))
        .load(conn)?;
    for (from, to, amount, currency) in settled {
        add(&currency, from, amount);
        add(&currency, to, -amount);
    }
    Ok(out)
}

fn currency(code: &str) -> Result<Currency, Error> {
    Currency::parse(code).map_err(|e| Error::Internal(format!("stored currency: {e}")))
}

/// Each member's net position per currency (zero positions left out), by currency then name.
/// Every currency's positions add up to zero.
pub fn balances(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Vec<Position>, Error> {
    ledgers::access(conn, actor, ledger)?;
    let names = names(conn, ledger)?;
    let mut out = Vec::new();
    for (code, nets) in nets(conn, ledger)? {
        let currency = currency(&code)?;
        let mut group: Vec<Position> = nets
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(account, n)| {
                Ok(Position {
                    account: AccountId(account),
                    name: name_of(&names, account),
                    net: Money::from_minor(n, currency)
                        .map_err(|e| Error::Internal(format!("balance: {e}")))?,
                })
            })
            .collect::<Result<_, Error>>()?;
        group.sort_by(|a, b| b.net.minor().cmp(&a.net.minor()).then(a.name.cmp(&b.name)));
        out.extend(group);
    }
    Ok(out)
}

/// The fewest payments that settle everyone, per currency (exact up to
/// [`crate::split::EXACT_SETTLE_LIMIT`] people with a balance, greedy beyond).
pub fn settle_plan(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Vec<Payment>, Error> {
    ledgers::access(conn, actor, ledger)?;
    let names = names(conn, ledger)?;
    let mut out = Vec::new();
    for (code, nets) in nets(conn, ledger)? {
        let currency = currency(&code)?;
        let balances: Vec<(i64, i64)> = nets.into_iter().collect();
        let plan = settle_up(&balances)
            .ok_or_else(|| Error::Internal(format!("{code} balances do not add up to zero")))?;
        for Transfer { from, to, amount } in plan {
            out.push(Payment {
                from: AccountId(from),
                from_name: name_of(&names, from),
                to: AccountId(to),
                to_name: name_of(&names, to),
                money: Money::from_minor(amount, currency)
                    .map_err(|e| Error::Internal(format!("transfer: {e}")))?,
            });
        }
    }
    Ok(out)
}

/// Records that `from` paid `to`: a settlement, never spending.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    from: AccountId,
    to: AccountId,
    money: Money,
    date: NaiveDate,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<Settlement, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    require_group(&access)?;
    if from == to {
        return Err(Error::invalid(
            "member",
            "A settlement is between two different people.",
        ));
    }
    require_member(conn, ledger, from)?;
    require_member(conn, ledger, to)?;
    if money.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    let amount_minor = money
        .stored_minor()
        .map_err(|e| Error::money("amount", e))?;
    let row: SettlementRow = diesel::insert_into(settlements::table)
        .values(NewSettlementRow {
            ledger_id: ledger.get(),
            author_account_id: actor.get(),
            from_account_id: from.get(),
            to_account_id: to.get(),
            amount_minor,
            currency: money.currency().code(),
            occurred_on: date,
            source_platform: source.platform.as_str(),
            source_ref: source.reference.as_deref(),
            created_at: ts(now),
        })
        .returning(settlements::all_columns)
        .get_result(conn)?;
    settlement_of(conn, row)
}

fn settlement_of(conn: &mut AnyConnection, row: SettlementRow) -> Result<Settlement, Error> {
    let names = names(conn, LedgerId(row.ledger_id))?;
    Ok(Settlement {
        id: row.id,
        ledger: LedgerId(row.ledger_id),
        author: AccountId(row.author_account_id),
        from: AccountId(row.from_account_id),
        from_name: name_of(&names, row.from_account_id),
        to: AccountId(row.to_account_id),
        to_name: name_of(&names, row.to_account_id),
        money: Money::from_minor(row.amount_minor, currency(&row.currency)?)
            .map_err(|e| Error::Internal(format!("settlement: {e}")))?,
        date: row.occurred_on,
        deleted: row.deleted_at.is_some(),
    })
}

/// Undoes a settlement: its author may, and a group admin may.
pub fn undo_settlement(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Settlement, Error> {
    let row: SettlementRow = settlements::table
        .find(id)
        .filter(settlements::deleted_at.is_null())
        .select(SettlementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("settlement"))?;
    let access = ledgers::access(conn, actor, LedgerId(row.ledger_id))
        .map_err(|_| Error::not_found("settlement"))?;
    access.require_writable()?;
    if row.author_account_id != actor.get() && !access.can_manage() {
        return Err(Error::Forbidden(
            "Only the person who recorded this, or a group admin, can change it.".into(),
        ));
    }
    diesel::update(settlements::table.find(id))
        .set(settlements::deleted_at.eq(Some(ts(now))))
        .execute(conn)?;
    let mut s = settlement_of(conn, row)?;
    s.deleted = true;
    Ok(s)
}

/// The actor's own latest live settlement in this ledger, with when it was recorded.
pub fn last_settlement_of(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Option<(i64, NaiveDateTime)>, Error> {
    Ok(settlements::table
        .filter(settlements::ledger_id.eq(ledger.get()))
        .filter(settlements::author_account_id.eq(actor.get()))
        .filter(settlements::deleted_at.is_null())
        .order(settlements::id.desc())
        .select((settlements::id, settlements::created_at))
        .first(conn)
        .optional()?)
}

/// A platform username as kept: without `@`, lower case; `None` when it cannot be one.
pub fn username_key(raw: &str) -> Option<String> {
    let u = raw.trim().trim_start_matches('@');
    let ok = (1..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    ok.then(|| u.to_ascii_lowercase())
}

fn placeholder_row(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    key: &str,
) -> Result<Option<PlaceholderRow>, Error> {
    Ok(split_placeholders::table
        .filter(split_placeholders::ledger_id.eq(ledger.get()))
        .filter(split_placeholders::username_key.eq(key))
        .select(PlaceholderRow::as_select())
        .first(conn)
        .optional()?)
}

/// The member a bare `@username` names in this group: the member who wrote here with that
/// platform username, or else a placeholder member, created on first mention, who is merged
/// into the real person the first time they write in this chat.
pub fn mentioned(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    username: &str,
    defaults: AccountDefaults,
    now: DateTime<Utc>,
) -> Result<AccountId, Error> {
    let key = username_key(username).ok_or_else(|| {
        Error::invalid("member", format!("{username} is not a username I can use."))
    })?;
    if let Some(row) = placeholder_row(conn, ledger, &key)? {
        return Ok(AccountId(row.merged_into.unwrap_or(row.account_id)));
    }
    let shown = format!("@{key}");
    let account = accounts::create(conn, &shown, defaults, now)?;
    diesel::insert_into(ledger_members::table)
        .values(MemberRow {
            ledger_id: ledger.get(),
            account_id: account.id.get(),
            role: Role::Member.as_str().to_owned(),
            display_name: shown,
            joined_at: ts(now),
            left_at: None,
            // A mention is not the platform's word that the person is here.
            confirmed_at: None,
        })
        .execute(conn)?;
    let inserted = insert_unless_exists(conn, |c| {
        diesel::insert_into(split_placeholders::table)
            .values(NewPlaceholderRow {
                ledger_id: ledger.get(),
                username_key: &key,
                account_id: account.id.get(),
                created_at: ts(now),
            })
            .execute(c)?;
        Ok(())
    })?;
    match inserted {
        Some(()) => Ok(account.id),
        // Named at the same moment by another update: use that one.
        None => placeholder_row(conn, ledger, &key)?
            .map(|r| AccountId(r.merged_into.unwrap_or(r.account_id)))
            .ok_or_else(|| Error::Internal("placeholder vanished".into())),
    }
}

/// Whether an account is a placeholder (nobody has ever been it).
fn is_placeholder(conn: &mut AnyConnection, account: i64) -> Result<bool, Error> {
    Ok(accounts::identities_of(conn, AccountId(account))?.is_empty())
}

/// Someone wrote in the group with a platform username: a placeholder of that username in this
/// group becomes them (the merge is recorded, never rewrites shares, and can be undone with
/// [`unmerge`]), and later mentions of the username name them. Returns the username when a
/// placeholder was merged, so the reply can say so.
pub fn claim_username(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    username: &str,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<Option<String>, Error> {
    let Some(key) = username_key(username) else {
        return Ok(None);
    };
    match placeholder_row(conn, ledger, &key)? {
        None => {
            insert_unless_exists(conn, |c| {
                diesel::insert_into(split_placeholders::table)
                    .values(NewPlaceholderRow {
                        ledger_id: ledger.get(),
                        username_key: &key,
                        account_id: account.get(),
                        created_at: ts(now),
                    })
                    .execute(c)?;
                Ok(())
            })?;
            Ok(None)
        }
        Some(row) if row.account_id == account.get() || row.merged_into == Some(account.get()) => {
            Ok(None)
        }
        // Unmerged on purpose: it stays apart.
        Some(row) if row.merged_at.is_some() && row.merged_into.is_none() => Ok(None),
        Some(row) if row.merged_into.is_none() && is_placeholder(conn, row.account_id)? => {
            diesel::update(split_placeholders::table.find(row.id))
                .set((
                    split_placeholders::merged_into.eq(Some(account.get())),
                    split_placeholders::merged_at.eq(Some(ts(now))),
                ))
                .execute(conn)?;
            diesel::update(ledger_members::table.find((ledger.get(), row.account_id)))
                .set(ledger_members::left_at.eq(Some(ts(now))))
                .execute(conn)?;
            Ok(Some(key))
        }
        // The username now belongs to someone else on the platform: later mentions name
        // them. What was recorded for the previous holder stays theirs.
        Some(row) => {
            if row.merged_into.is_none() {
                diesel::update(split_placeholders::table.find(row.id))
                    .set(split_placeholders::account_id.eq(account.get()))
                    .execute(conn)?;
            }
            Ok(None)
        }
    }
}

/// Undoes the merge of `@username` in this group: the placeholder and its shares stand apart
/// again (and are not merged again automatically). Group admins, and the person merged, may.
pub fn unmerge(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    username: &str,
) -> Result<bool, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    let Some(key) = username_key(username) else {
        return Ok(false);
    };
    let Some(row) = placeholder_row(conn, ledger, &key)? else {
        return Ok(false);
    };
    let Some(into) = row.merged_into else {
        return Ok(false);
    };
    if into != actor.get() && !access.can_manage() {
        access.require_manage("undo someone else's merge")?;
    }
    diesel::update(split_placeholders::table.find(row.id))
        .set(split_placeholders::merged_into.eq(None::<i64>))
        .execute(conn)?;
    diesel::update(ledger_members::table.find((ledger.get(), row.account_id)))
        .set(ledger_members::left_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(true)
}

/// How a shared expense moves spending between members in a summary: `delta` for `account`
/// (minus the whole amount for its author, plus each share for its participant); `shared` is
/// the expense's amount, given once per expense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shift {
    pub currency: Currency,
    pub account: i64,
    pub delta: Money,
    pub shared: Option<Money>,
}

/// The shifts of the live shared expenses dated within `range`.
pub(crate) fn member_shifts(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    range: crate::period::DateRange,
) -> Result<Vec<Shift>, Error> {
    let merged = merges(conn, ledger)?;
    let who = |id: i64| merged.get(&id).copied().unwrap_or(id);
    let rows: Vec<(i64, i64, i64, String, i64, i64)> = split_shares::table
        .inner_join(tx_t::table.on(tx_t::id.eq(split_shares::transaction_id)))
        .filter(tx_t::ledger_id.eq(ledger.get()))
        .filter(tx_t::deleted_at.is_null())
        .filter(tx_t::occurred_on.ge(range.from))
        .filter(tx_t::occurred_on.le(range.to))
        .order((split_shares::transaction_id, split_shares::position))
        .select((
            split_shares::transaction_id,
            tx_t::author_account_id,
            tx_t::amount_minor,
            tx_t::currency,
            split_shares::account_id,
            split_shares::share_minor,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    let mut last = None;
    for (t, author, amount, code, account, share) in rows {
        let currency = currency(&code)?;
        let money = |m: i64| {
            Money::from_minor(m, currency).map_err(|e| Error::Internal(format!("share: {e}")))
        };
        if last != Some(t) {
            last = Some(t);
            out.push(Shift {
                currency,
                account: author,
                delta: money(-amount)?,
                shared: Some(money(amount)?),
            });
        }
        out.push(Shift {
            currency,
            account: who(account),
            delta: money(share)?,
            shared: None,
        });
    }
    Ok(out)
}
