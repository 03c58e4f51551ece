//! The `/login` handshake: a one-time signed link from a chat to the web page that gives the
//! chat's account a login, or hands its identity and ledger to an account that has one.

use chrono::{DateTime, Duration, Utc};

use super::sessions::{self, SignUp};
use super::tokens::{Claims, Purpose, TokenError};
use crate::db::AnyConnection;
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::models::account::Account;
use crate::services::linking::{self, Passwords};
use crate::services::{accounts, credentials};
use crate::tally::Tally;

/// Signs a link token for the chat identity `(platform, platform_user_id)` of `account`.
pub fn issue_token(
    tally: &Tally,
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let ttl = Duration::from_std(tally.auth().settings().link_ttl).unwrap_or(Duration::minutes(10));
    let claims = Claims {
        platform: Some(platform.as_str().to_owned()),
        puid: Some(platform_user_id.to_owned()),
        ..Claims::new(
            Purpose::Link,
            account.to_string(),
            now.timestamp(),
            (now + ttl).timestamp(),
        )
    };
    tally.auth().keys_in(conn, now)?.sign(&claims)
}

/// Why a link can't be used at all (as opposed to a form filled in wrongly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLink {
    Invalid,
    Expired,
    Used,
    /// The chat identity is gone (it can't be, short of a hand-edited database).
    Unknown,
}

impl DeadLink {
    pub fn message(&self) -> &'static str {
        match self {
            DeadLink::Invalid => "This link isn't valid. Send /login to the bot to get a new one.",
            DeadLink::Expired => {
                "This link has expired (links work for 10 minutes). Send /login to the bot to get a new one."
            }
            DeadLink::Used => {
                "This link has already been used. Send /login to the bot if you need a new one."
            }
            DeadLink::Unknown => {
                "I can't find the chat this link was made for. Send /login to the bot to get a new one."
            }
        }
    }
}

/// A failed attempt on the page: the link itself, or what was typed.
#[derive(Debug)]
pub enum LinkFailure {
    Dead(DeadLink),
    Form(Error),
}

impl From<Error> for LinkFailure {
    fn from(e: Error) -> LinkFailure {
        LinkFailure::Form(e)
    }
}

/// A valid, unused link, and the account its chat identity belongs to now.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub claims: Claims,
    pub platform: Platform,
    pub platform_user_id: String,
    pub account: Account,
    /// The identity's display name on its platform.
    pub display_name: String,
}

/// Checks a link token without using it up (the page's GET).
pub async fn open(tally: &Tally, token: &str) -> Result<Ticket, LinkFailure> {
    let now = tally.now();
    let keys = tally.auth().keys(tally.db(), now).await?;
    let claims = keys.verify(token, Purpose::Link, now).map_err(|e| {
        LinkFailure::Dead(match e {
            TokenError::Expired => DeadLink::Expired,
            TokenError::Invalid | TokenError::WrongPurpose => DeadLink::Invalid,
        })
    })?;
    let (Some(platform), Some(puid)) = (
        claims
            .platform
            .as_deref()
            .and_then(|p| p.parse::<Platform>().ok()),
        claims.puid.clone(),
    ) else {
        return Err(LinkFailure::Dead(DeadLink::Invalid));
    };
    let jti = claims.jti.clone();
    let lookup_puid = puid.clone();
    let found = tally
        .db()
        .read(move |c| {
            if credentials::token_spent(c, &jti)? {
                return Ok(Err(DeadLink::Used));
            }
            let Some(identity) = accounts::find_identity(c, platform, &lookup_puid)? else {
                return Ok(Err(DeadLink::Unknown));
            };
            Ok(Ok((
                accounts::find(c, identity.account)?,
                identity.display_name,
            )))
        })
        .await?;
    let (account, display_name) = found.map_err(LinkFailure::Dead)?;
    Ok(Ticket {
        claims,
        platform,
        platform_user_id: puid,
        account,
        display_name,
    })
}

/// What the page did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// The chat's account has a username and password now.
    Created(Account),
    /// The chat's identity and ledger went to the account logged in to.
    Merged(linking::MergeOutcome),
    /// The chat already belonged to the account logged in to.
    Already(Account),
}

/// Uses the link up, in the transaction doing the work; `Used` if someone else was first.
fn spend(conn: &mut AnyConnection, ticket: &Ticket, now: DateTime<Utc>) -> Result<bool, Error> {
    credentials::spend_token(conn, &ticket.claims.jti, ticket.claims.expires_at(), now)
}

/// Gives the chat's account a username and password.
pub async fn create_login(
    tally: &Tally,
    token: &str,
    sign_up: SignUp,
) -> Result<Linked, LinkFailure> {
    let ticket = open(tally, token).await?;
    if ticket.account.has_password {
        let name = ticket.account.username.clone().unwrap_or_default();
        return Err(LinkFailure::Form(Error::Conflict(format!(
            "This chat already has a login ({name}). Use \"I already have an account\" instead."
        ))));
    }
    let valid = sign_up.validate()?;
    let hash = sessions::hash_sign_up(tally, &valid).await?;
    let now = tally.now();
    let outcome = tally
        .db()
        .write(move |c| {
            if !spend(c, &ticket, now)? {
                return Ok(Err(DeadLink::Used));
            }
            let account = credentials::set_credentials(
                c,
                ticket.account.id,
                &valid.username,
                valid.email.as_ref(),
                &hash,
                now,
            )?;
            Ok(Ok(account))
        })
        .await?;
    outcome.map(Linked::Created).map_err(LinkFailure::Dead)
}

/// Logs in to an existing account, which absorbs the chat's account (identity, ledger, all).
/// When the chat's account has a login of its own, its password (`chat_password`) must be
/// typed too: two accounts with passwords join only when both are proven, so a login someone
/// else set on this chat cannot come along into the account logged in to.
pub async fn log_in(
    tally: &Tally,
    token: &str,
    username: &str,
    password: String,
    chat_password: Option<String>,
    address: Option<String>,
) -> Result<Linked, LinkFailure> {
    let ticket = open(tally, token).await?;
    let chat_login = ticket
        .account
        .has_password
        .then(|| ticket.account.username.clone().unwrap_or_default());
    let chat_password = chat_password.filter(|p| !p.is_empty());
    if let Some(name) = &chat_login
        && chat_password.is_none()
        && !name.eq_ignore_ascii_case(username.trim())
    {
        return Err(LinkFailure::Form(Error::invalid(
            "chat_password",
            format!(
                "This chat has its own login ({name}) too. Type its password as well, so that \
                 both accounts agree to become one."
            ),
        )));
    }
    let target = sessions::authenticate(tally, username, password, address.clone()).await?;
    let passwords = match (chat_login, chat_password) {
        (Some(name), Some(chat_password)) if ticket.account.id != target.id => {
            let wrong = || {
                Error::invalid(
                    "chat_password",
                    format!("That isn't the password of this chat's login ({name})."),
                )
            };
            let proven = sessions::authenticate(tally, &name, chat_password, address)
                .await
                .map_err(|e| match e {
                    Error::Unauthorized(_) => wrong(),
                    other => other,
                })?;
            if proven.id != ticket.account.id {
                return Err(LinkFailure::Form(wrong()));
            }
            Passwords::BothProven
        }
        _ => Passwords::Unproven,
    };
    let now = tally.now();
    let outcome = tally
        .db()
        .write(move |c| {
            if !spend(c, &ticket, now)? {
                return Ok(Err(DeadLink::Used));
            }
            let identity = accounts::find_identity(c, ticket.platform, &ticket.platform_user_id)?
                .ok_or(Error::not_found("identity"))?;
            let chat_account = credentials::final_account(c, identity.account)?;
            if chat_account == target.id {
                return Ok(Ok(Linked::Already(target)));
            }
            let merged = linking::merge(c, target.id, chat_account, passwords, now)?;
            Ok(Ok(Linked::Merged(merged)))
        })
        .await?;
    outcome.map_err(LinkFailure::Dead)
}
