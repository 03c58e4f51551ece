//! Ledgers, their members, and the one rule of visibility: only members see a ledger.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{categories, insert_unless_exists, ts};
use crate::db::AnyConnection;
use crate::db::schema::{ledger_members, ledgers};
use crate::domain::{AccountId, LedgerId, LedgerKind, Platform, Role};
use crate::error::Error;
use crate::models::account::Account;
use crate::models::ledger::{Ledger, LedgerRow, Member, MemberRow, NewLedgerRow};
use crate::money::Currency;

/// Proof that an account may use a ledger, with its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub ledger: Ledger,
    pub role: Role,
    pub actor: AccountId,
}

impl Access {
    /// In a personal ledger the owner may do anything; in a group, owners and admins manage.
    pub fn can_manage(&self) -> bool {
        self.role.can_manage()
    }

    /// A switched-off group keeps its history readable but takes no changes, from any path.
    pub fn require_writable(&self) -> Result<(), Error> {
        if self.ledger.active {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "This group's shared budget is switched off, so nothing in it can be changed. \
                 An admin can switch it back on in the chat with /{} enable.",
                crate::conversation::table::GROUP_LEDGER
            )))
        }
    }

    pub fn require_manage(&self, what: &str) -> Result<(), Error> {
        if self.can_manage() {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "Only the group's admins can {what}. Ask one of them."
            )))
        }
    }
}

/// The gate every service passes: a non-member gets "not found", never a hint that it exists.
///
/// A member the platform says has left sees nothing. Where the caller asked for a recent word
/// from the platform (API requests, see [`super::membership::require_confirmed_since`]), a group
/// membership not confirmed since then is refused until it is.
pub fn access(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Access, Error> {
    let found: Option<(LedgerRow, String, Option<NaiveDateTime>)> = ledgers::table
        .inner_join(ledger_members::table)
        .filter(ledgers::id.eq(ledger.get()))
        .filter(ledger_members::account_id.eq(actor.get()))
        .filter(ledger_members::left_at.is_null())
        .select((
            LedgerRow::as_select(),
            ledger_members::role,
            ledger_members::confirmed_at,
        ))
        .first(conn)
        .optional()?;
    let (row, role, confirmed_at) = found.ok_or(Error::not_found("ledger"))?;
    let ledger: Ledger = row.try_into()?;
    if ledger.is_group() {
        super::membership::check_confirmed(&ledger, confirmed_at)?;
    }
    Ok(Access {
        ledger,
        role: crate::models::stored("ledger_members.role", &role)?,
        actor,
    })
}

/// [`access`] for a change: also refuses a switched-off group.
pub fn access_to_write(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Access, Error> {
    let access = access(conn, actor, ledger)?;
    access.require_writable()?;
    Ok(access)
}

pub(crate) fn create_personal(
    conn: &mut AnyConnection,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<Ledger, Error> {
    let row: LedgerRow = diesel::insert_into(ledgers::table)
        .values(NewLedgerRow {
            kind: LedgerKind::Personal.as_str(),
            owner_account_id: Some(account.id.get()),
            platform: None,
            chat_id: None,
            title: "Personal",
            default_currency: account.default_currency.code(),
            active: true,
            created_at: ts(now),
        })
        .returning(ledgers::all_columns)
        .get_result(conn)?;
    let ledger: Ledger = row.try_into()?;
    diesel::insert_into(ledger_members::table)
        .values(MemberRow {
            ledger_id: ledger.id.get(),
            account_id: account.id.get(),
            role: Role::Owner.as_str().to_owned(),
            display_name: account.display_name.clone(),
            joined_at: ts(now),
            left_at: None,
            confirmed_at: None,
        })
        .execute(conn)?;
    categories::seed(conn, ledger.id, now)?;
    Ok(ledger)
}

/// The account's own ledger.
pub fn personal(conn: &mut AnyConnection, account: AccountId) -> Result<Ledger, Error> {
    ledgers::table
        .filter(ledgers::owner_account_id.eq(account.get()))
        .select(LedgerRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("ledger"))?
        .try_into()
}

pub(crate) fn set_personal_currency(
    conn: &mut AnyConnection,
    account: AccountId,
    currency: Currency,
) -> Result<(), Error> {
    diesel::update(ledgers::table.filter(ledgers::owner_account_id.eq(account.get())))
        .set(ledgers::default_currency.eq(currency.code()))
        .execute(conn)?;
    Ok(())
}

/// The group ledger of a chat or channel, if one was opened.
pub fn find_group(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
) -> Result<Option<Ledger>, Error> {
    ledgers::table
        .filter(ledgers::platform.eq(platform.as_str()))
        .filter(ledgers::chat_id.eq(chat_id))
        .select(LedgerRow::as_select())
        .first(conn)
        .optional()?
        .map(Ledger::try_from)
        .transpose()
}

/// The group ledger of a chat, created (with categories) the first time, re-activated if it was
/// switched off. Safe when two instances race: the loser reads the winner's row.
pub fn open_group(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
    title: &str,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Ledger, Error> {
    if let Some(ledger) = find_group(conn, platform, chat_id)? {
        if !ledger.active {
            set_active(conn, ledger.id, true)?;
            return Ok(Ledger {
                active: true,
                ..ledger
            });
        }
        return Ok(ledger);
    }
    let title = super::accounts::clean_display_name(title);
    let created = insert_unless_exists(conn, |c| {
        let row: LedgerRow = diesel::insert_into(ledgers::table)
            .values(NewLedgerRow {
                kind: LedgerKind::Group.as_str(),
                owner_account_id: None,
                platform: Some(platform.as_str()),
                chat_id: Some(chat_id),
                title: &title,
                default_currency: currency.code(),
                active: true,
                created_at: ts(now),
            })
            .returning(ledgers::all_columns)
            .get_result(c)?;
        let ledger: Ledger = row.try_into()?;
        categories::seed(c, ledger.id, now)?;
        Ok(ledger)
    })?;
    match created {
        Some(ledger) => Ok(ledger),
        None => find_group(conn, platform, chat_id)?.ok_or_else(|| {
            Error::Internal("group ledger vanished after a unique violation".into())
        }),
    }
}

pub fn set_active(conn: &mut AnyConnection, ledger: LedgerId, active: bool) -> Result<(), Error> {
    diesel::update(ledgers::table.find(ledger.get()))
        .set(ledgers::active.eq(active))
        .execute(conn)?;
    Ok(())
}

/// Makes `account` a member of a group ledger, or refreshes its name and role there. The
/// person just spoke in the group, so the platform counts them in: a member marked as gone is
/// back.
///
/// The message itself is the platform's word that the person is in the group, so the membership
/// counts as confirmed now. `platform_role` is what the platform says (an admin or not); `None`
/// keeps the role we had.
pub fn join(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    account: AccountId,
    display_name: &str,
    platform_role: Option<Role>,
    now: DateTime<Utc>,
) -> Result<Member, Error> {
    let name = super::accounts::clean_display_name(display_name);
    let existing: Option<MemberRow> = ledger_members::table
        .find((ledger.get(), account.get()))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?;
    let confirmed_now = Some(ts(now));
    match existing {
        Some(row) => {
            // A member who had left comes back as a plain member unless the platform says more.
            let kept = if row.left_at.is_some() {
                Role::Member.as_str().to_owned()
            } else {
                row.role.clone()
            };
            let role = platform_role.map_or(kept, |r| r.as_str().to_owned());
            // Chatter should not rewrite the row on every message: a minute's precision is
            // plenty against the API's five-minute window.
            let recent = row
                .confirmed_at
                .is_some_and(|at| at + chrono::Duration::minutes(1) > ts(now) && at <= ts(now));
            let confirmed_at = if recent {
                row.confirmed_at
            } else {
                confirmed_now
            };
            if role != row.role
                || name != row.display_name
                || row.left_at.is_some()
                || confirmed_at != row.confirmed_at
            {
                diesel::update(ledger_members::table.find((ledger.get(), account.get())))
                    .set((
                        ledger_members::role.eq(&role),
                        ledger_members::display_name.eq(&name),
                        ledger_members::left_at.eq(None::<NaiveDateTime>),
                        ledger_members::confirmed_at.eq(confirmed_at),
                    ))
                    .execute(conn)?;
            }
            MemberRow {
                role,
                display_name: name,
                left_at: None,
                confirmed_at,
                ..row
            }
            .try_into()
        }
        None => {
            let row = MemberRow {
                ledger_id: ledger.get(),
                account_id: account.get(),
                role: platform_role.unwrap_or(Role::Member).as_str().to_owned(),
                display_name: name,
                joined_at: ts(now),
                left_at: None,
                confirmed_at: confirmed_now,
            };
            let inserted = insert_unless_exists(conn, |c| {
                diesel::insert_into(ledger_members::table)
                    .values(&row)
                    .execute(c)?;
                Ok(())
            })?;
            if inserted.is_none() {
                // A concurrent first message from the same member: the row exists now.
                return join(conn, ledger, account, display_name, platform_role, now);
            }
            row.try_into()
        }
    }
}

/// Every ledger the account belongs to, personal first.
pub fn list_for(conn: &mut AnyConnection, actor: AccountId) -> Result<Vec<(Ledger, Role)>, Error> {
    let rows: Vec<(LedgerRow, String)> = ledgers::table
        .inner_join(ledger_members::table)
        .filter(ledger_members::account_id.eq(actor.get()))
        .filter(ledger_members::left_at.is_null())
        .order(ledgers::id)
        .select((LedgerRow::as_select(), ledger_members::role))
        .load(conn)?;
    let mut out = rows
        .into_iter()
        .map(|(row, role)| {
            Ok((
                Ledger::try_from(row)?,
                crate::models::stored("ledger_members.role", &role)?,
            ))
        })
        .collect::<Result<Vec<(Ledger, Role)>, Error>>()?;
    out.sort_by_key(|(l, _)| (l.is_group(), l.id));
    Ok(out)
}

pub fn members(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Vec<Member>, Error> {
    access(conn, actor, ledger)?;
    ledger_members::table
        .filter(ledger_members::ledger_id.eq(ledger.get()))
        .filter(ledger_members::left_at.is_null())
        .order(ledger_members::joined_at)
        .select(MemberRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Member::try_from)
        .collect()
}
