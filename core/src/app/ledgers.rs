//! Ledgers: the ones an account is in, a chat's group ledger, and exporting one.

use std::io::Write;

use crate::Tally;
use crate::domain::{AccountId, LedgerId, Platform, Role};
use crate::error::Error;
use crate::models::ledger::Ledger;
use crate::services::exports::{self, Request};
use crate::services::{accounts, ledgers};

use super::resolve_ledger;

impl Tally {
    /// The account's personal ledger and the groups it is in, with its role in each.
    pub async fn ledgers(&self, account: AccountId) -> Result<Vec<(Ledger, Role)>, Error> {
        self.db().read(move |c| ledgers::list_for(c, account)).await
    }

    /// The group ledger opened for a platform's chat or channel, if any.
    pub async fn group_ledger(
        &self,
        platform: Platform,
        chat_id: String,
    ) -> Result<Option<Ledger>, Error> {
        self.db()
            .read(move |c| ledgers::find_group(c, platform, &chat_id))
            .await
    }

    /// The account and personal ledger of a platform user Tally has met; `None` for someone it
    /// has not (nothing is created).
    pub async fn personal_ledger_of(
        &self,
        platform: Platform,
        user_id: String,
    ) -> Result<Option<(AccountId, LedgerId)>, Error> {
        self.db()
            .read(move |c| {
                let Some(identity) = accounts::find_identity(c, platform, &user_id)? else {
                    return Ok(None);
                };
                let ledger = ledgers::personal(c, identity.account)?;
                Ok(Some((identity.account, ledger.id)))
            })
            .await
    }

    /// The ledger an export would read and its title, checked before the first byte is sent so
    /// a refusal is an ordinary error answer.
    pub async fn export_target(
        &self,
        account: AccountId,
        ledger: Option<i64>,
    ) -> Result<(LedgerId, String), Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                let title = ledgers::access(c, account, ledger)?.ledger.title;
                Ok((ledger, title))
            })
            .await
    }

    /// Writes the export to `out` (on a blocking thread, so `out` may block) and flushes it;
    /// answers with how many transactions were written.
    pub async fn export<W>(
        &self,
        account: AccountId,
        request: Request,
        out: W,
    ) -> Result<u64, Error>
    where
        W: Write + Send + 'static,
    {
        self.db()
            .read(move |c| {
                let mut out = out;
                let n = exports::stream(c, account, &request, &mut out)?;
                out.flush().map_err(|e| Error::Internal(e.to_string()))?;
                Ok(n)
            })
            .await
    }
}
