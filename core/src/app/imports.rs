//! Importing a file into a ledger in one write: all of it, or (a dry run, or a bad file)
//! nothing.

use crate::Tally;
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::services::imports::{self, Report};

use super::resolve_ledger;

impl Tally {
    /// Imports `bytes` (a bank's CSV or Tally's own) into the named ledger or the caller's
    /// personal one; with `dry_run`, only the preview. `platform` marks where the entries
    /// came from.
    pub async fn import_file(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        bytes: Vec<u8>,
        dry_run: bool,
        platform: Platform,
    ) -> Result<Report, Error> {
        let tally = self.clone();
        let now = self.now();
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                imports::import(
                    c,
                    tally.parser(),
                    account,
                    ledger,
                    &bytes,
                    dry_run,
                    platform,
                    now,
                )
            })
            .await
    }
}
