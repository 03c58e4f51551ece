//! Sign-up, login, sessions and password changes: the slow work off the runtime, limits in the
//! database, one message for every wrong login.

use chrono::{DateTime, Duration, Utc};

use super::session_cache::Checked;
use super::slowdown::{self, LOGIN_PAIR, LOGIN_USER};
use super::throttle;
use super::tokens::{Claims, Purpose, TokenError};
use super::{Email, Password, Username};
use crate::domain::AccountId;
use crate::error::Error;
use crate::models::account::Account;
use crate::services::membership::{self, API_FRESHNESS};
use crate::services::{accounts, credentials};
use crate::tally::Tally;

/// The one answer to a wrong username, a wrong password, or an account without a password.
pub const WRONG_LOGIN: &str = "Wrong username or password.";

/// A signed access token and when it runs out.
#[derive(Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
    pub claims: Claims,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// An authenticated caller: the account and the token it came with.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub claims: Claims,
}

/// What a sign-up carries.
#[derive(Clone)]
pub struct SignUp {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
}

impl std::fmt::Debug for SignUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUp")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A sign-up, validated: the username, password and e-mail rules checked, nothing hashed yet.
pub(crate) struct ValidSignUp {
    pub username: Username,
    pub password: Password,
    pub email: Option<Email>,
}

impl SignUp {
    pub(crate) fn validate(self) -> Result<ValidSignUp, Error> {
        Ok(ValidSignUp {
            username: Username::parse(&self.username)?,
            password: Password::new(self.password)?,
            email: Email::parse_optional(self.email.as_deref())?,
        })
    }
}

/// Hashes the password of a valid sign-up, after making sure the name is free (so a taken
/// name is answered before the slow hash).
pub(crate) async fn hash_sign_up(tally: &Tally, valid: &ValidSignUp) -> Result<String, Error> {
    let key = valid.username.key();
    if tally
        .db()
        .read(move |c| credentials::username_taken(c, &key))
        .await?
    {
        return Err(Error::Conflict(
            "That username is taken; choose another.".into(),
        ));
    }
    tally.auth().hash_password(valid.password.clone()).await
}

/// Creates an account with a login. `address`, when known, is held to the sign-up limit.
pub async fn register(
    tally: &Tally,
    sign_up: SignUp,
    address: Option<String>,
) -> Result<Account, Error> {
    let valid = sign_up.validate()?;
    if let Some(a) = address {
        let now = tally.now();
        tally
            .db()
            .write(move |c| {
                throttle::check(c, &throttle::REGISTER_ADDRESS, &a, now)?;
                throttle::record(c, &throttle::REGISTER_ADDRESS, &a, now).map(|_| ())
            })
            .await?;
    }
    let hash = hash_sign_up(tally, &valid).await?;
    let defaults = tally.settings().defaults;
    let now = tally.now();
    tally
        .db()
        .write(move |c| {
            credentials::register(
                c,
                &valid.username,
                valid.email.as_ref(),
                &hash,
                defaults,
                now,
            )
        })
        .await
}

/// Checks a password against an account's, under the login slow-down: per username, and per
/// (address, username) pair when the address is known (see [`slowdown`]). `limit_name` is what
/// the limits are keyed on (the username typed). On success, returns the account's id as stored
/// (follow merges with [`credentials::final_account`]).
async fn check_password(
    tally: &Tally,
    limit_name: &str,
    lookup: Lookup,
    password: String,
    address: Option<String>,
) -> Result<AccountId, Error> {
    let user = throttle::name_subject(limit_name);
    let pair = address.map(|a| slowdown::pair_subject(&a, limit_name));
    let now = tally.now();
    let found = {
        let (user, pair) = (user.clone(), pair.clone());
        tally
            .db()
            .write(move |c| {
                // Claimed before the check, so parallel guesses count in full. The pair first:
                // when it must wait, the transaction rolls back and the username's allowance,
                // which the owner elsewhere relies on, is not spent.
                if let Some(p) = &pair {
                    slowdown::claim(c, &LOGIN_PAIR, p, now)?;
                }
                slowdown::claim(c, &LOGIN_USER, &user, now)?;
                Ok(match lookup {
                    Lookup::Username(key) => {
                        credentials::login_record(c, &key)?.map(|r| (r.account, r.password_hash))
                    }
                    Lookup::Account(id) => Some((id, credentials::password_hash(c, id)?)),
                })
            })
            .await?
    };
    let (account, stored) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let matched = tally
        .auth()
        .verify_password(Password::offered(password), stored)
        .await?;
    match (matched, account) {
        (true, Some(id)) => {
            tally
                .db()
                .write(move |c| {
                    slowdown::clear(c, &LOGIN_USER, &user)?;
                    match &pair {
                        Some(p) => slowdown::clear(c, &LOGIN_PAIR, p),
                        None => Ok(()),
                    }
                })
                .await?;
            Ok(id)
        }
        // The claims stay counted: they were the failures.
        _ => Err(Error::Unauthorized(WRONG_LOGIN.into())),
    }
}

enum Lookup {
    Username(String),
    Account(AccountId),
}

/// A username and password to an account (the one it was merged into, if it was). `address`
/// is the caller's network address, for the per-address limit.
pub async fn authenticate(
    tally: &Tally,
    username: &str,
    password: String,
    address: Option<String>,
) -> Result<Account, Error> {
    let key = username.trim().to_ascii_lowercase();
    let id = check_password(
        tally,
        &key,
        Lookup::Username(key.clone()),
        password,
        address,
    )
    .await?;
    tally
        .db()
        .read(move |c| {
            let id = credentials::final_account(c, id)?;
            accounts::find(c, id)
        })
        .await
}

/// The claims of a new access token for `account`.
pub fn access_claims(account: &Account, now: DateTime<Utc>, ttl: std::time::Duration) -> Claims {
    let ttl = Duration::from_std(ttl).unwrap_or(Duration::hours(1));
    Claims {
        ver: Some(account.token_version),
        ..Claims::new(
            Purpose::Access,
            account.id.to_string(),
            now.timestamp(),
            (now + ttl).timestamp(),
        )
    }
}

/// Signs an access token for `account`.
pub async fn issue_access(tally: &Tally, account: &Account) -> Result<IssuedToken, Error> {
    let now = tally.now();
    let ttl = tally.auth().settings().access_ttl;
    let keys = tally.auth().keys(tally.db(), now).await?;
    let claims = access_claims(account, now, ttl);
    Ok(IssuedToken {
        token: keys.sign(&claims)?,
        expires_in: ttl.as_secs(),
        claims,
    })
}

/// The session a bearer token stands for: signed by us, for access, unexpired, and not revoked
/// (logged out, password changed, account merged away). A token checked less than
/// [`SESSION_CACHE_TTL`](super::session_cache::SESSION_CACHE_TTL) ago is not read again (see
/// [`session_cache`](super::session_cache)).
pub async fn session(tally: &Tally, token: &str) -> Result<Session, Error> {
    Ok(checked(tally, token, None).await?.session)
}

/// [`session`] for an API request, which comes from outside the groups: the caller's group
/// memberships whose platform word is older than [`API_FRESHNESS`] are confirmed with the
/// platforms first (see [`membership::confirm_for_api`]). A token checked a moment ago, whose
/// account had nothing to confirm until later, costs no database read at all.
pub async fn api_session(tally: &Tally, token: &str) -> Result<Session, Error> {
    let now = tally.now();
    let since = now - API_FRESHNESS;
    let found = checked(tally, token, Some(since)).await?;
    let account = found.session.account.id;
    if found.memberships_fresh_until > now {
        return Ok(found.session);
    }
    let stale = match found.stale {
        Some(stale) => stale,
        // A cached session whose memberships have come due: look again.
        None => {
            tally
                .db()
                .read(move |c| membership::to_confirm(c, account, since))
                .await?
        }
    };
    membership::confirm(tally, account, stale).await?;
    Ok(found.session)
}

struct Found {
    session: Session,
    memberships_fresh_until: DateTime<Utc>,
    /// The memberships to confirm, when they were read along with the session.
    stale: Option<Vec<membership::ToConfirm>>,
}

/// The session of `token`, from the cache or read afresh (with the memberships' review as of
/// `since`, when asked for, in the same database call).
async fn checked(tally: &Tally, token: &str, since: Option<DateTime<Utc>>) -> Result<Found, Error> {
    let now = tally.now();
    let cache = tally.auth().sessions();
    // Read before the database, so a change committed after it makes this entry unusable.
    let epoch = tally.db().account_epoch();
    if let Some(hit) = cache.get(token, now, epoch) {
        if hit.session.claims.exp <= now.timestamp() {
            return Err(TokenError::Expired.into());
        }
        return Ok(Found {
            session: hit.session,
            memberships_fresh_until: hit.memberships_fresh_until,
            stale: None,
        });
    }
    let keys = tally.auth().keys(tally.db(), now).await?;
    let claims = keys.verify(token, Purpose::Access, now)?;
    let id = AccountId(claims.account_id().ok_or(TokenError::Invalid)?);
    let jti = claims.jti.clone();
    let (found, spent, review) = tally
        .db()
        .read(move |c| {
            let found = credentials::session_account(c, id)?;
            let spent = credentials::token_spent(c, &jti)?;
            let review = match (&found, since) {
                (Some(_), Some(since)) => Some(membership::review(c, id, since)?),
                _ => None,
            };
            Ok((found, spent, review))
        })
        .await?;
    let Some((account, merged_into)) = found else {
        return Err(TokenError::Invalid.into());
    };
    if spent || merged_into.is_some() || claims.ver != Some(account.token_version) {
        return Err(Error::Unauthorized(
            "This session has ended (logged out, or the password changed). Log in again.".into(),
        ));
    }
    let session = Session { account, claims };
    // Fresh until the first confirmation runs out; with some to confirm now, not at all.
    let memberships_fresh_until = match &review {
        Some(r) if r.stale.is_empty() => r.fresh_until.unwrap_or(DateTime::<Utc>::MAX_UTC),
        _ => now,
    };
    cache.put(
        token,
        Checked {
            session: session.clone(),
            epoch,
            checked_at: now,
            memberships_fresh_until,
        },
        tally.db().account_epoch(),
    );
    Ok(Found {
        session,
        memberships_fresh_until,
        stale: review.map(|r| r.stale),
    })
}

/// Ends this session only: its token id is recorded as spent until it would have expired.
pub async fn logout(tally: &Tally, session: &Session) -> Result<(), Error> {
    let now = tally.now();
    let jti = session.claims.jti.clone();
    let expires = session.claims.expires_at();
    tally
        .db()
        .write(move |c| credentials::spend_token(c, &jti, expires, now).map(|_| ()))
        .await
}

/// Ends every session of the account.
pub async fn logout_everywhere(tally: &Tally, account: AccountId) -> Result<(), Error> {
    let now = tally.now();
    tally
        .db()
        .write(move |c| credentials::bump_token_version(c, account, now))
        .await
}

/// Changes the password after checking the current one (under the login limits); every
/// session ends, and a fresh token for this caller is returned.
pub async fn change_password(
    tally: &Tally,
    session: &Session,
    current: String,
    new: String,
    address: Option<String>,
) -> Result<IssuedToken, Error> {
    let new = Password::new(new)?;
    let account = session.account.id;
    let limit_name = session
        .account
        .username
        .as_deref()
        .map_or_else(|| format!("#{account}"), str::to_ascii_lowercase);
    check_password(
        tally,
        &limit_name,
        Lookup::Account(account),
        current,
        address,
    )
    .await
    .map_err(|e| match e {
        Error::Unauthorized(_) => {
            Error::invalid("current_password", "The current password is not right.")
        }
        other => other,
    })?;
    let hash = tally.auth().hash_password(new).await?;
    let now = tally.now();
    let updated = tally
        .db()
        .write(move |c| credentials::set_password(c, account, &hash, now))
        .await?;
    issue_access(tally, &updated).await
}
