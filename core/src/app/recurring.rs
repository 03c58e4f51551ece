//! Recurring transactions: list, create from the web, change, pause, resume, skip, delete.

use chrono::NaiveDate;

use crate::Tally;
use crate::domain::{AccountId, CategoryName, Platform, TransactionKind};
use crate::error::Error;
use crate::money::Currency;
use crate::recurring::Schedule;
use crate::services::recurring::{self, NewRecurring, Recurring};
use crate::services::{categories, ledgers};

use super::{AmountInput, required_amount, resolve_ledger};

/// A schedule asked for outside a chat (the web): it posts to no chat.
#[derive(Debug)]
pub struct NewSchedule {
    pub kind: TransactionKind,
    pub amount: Option<AmountInput>,
    /// Default: the ledger's currency.
    pub currency: Option<Currency>,
    /// Must be one of the ledger's (unarchived) categories of `kind`; default `other`.
    pub category: Option<CategoryName>,
    pub note: String,
    pub schedule: Schedule,
}

/// What to change about a schedule.
#[derive(Debug, Default)]
pub struct ScheduleEdit {
    /// Read in the schedule's own currency.
    pub amount: Option<AmountInput>,
    pub paused: Option<bool>,
}

impl Tally {
    /// The ledger's recurring transactions.
    pub async fn recurring(
        &self,
        account: AccountId,
        ledger: Option<i64>,
    ) -> Result<Vec<Recurring>, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                recurring::list(c, account, ledger)
            })
            .await
    }

    /// Creates a schedule in the ledger, first due on or after `today`.
    pub async fn create_recurring(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        new: NewSchedule,
        today: NaiveDate,
    ) -> Result<Recurring, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                let home = ledgers::access(c, account, ledger)?.ledger.default_currency;
                let money = required_amount(new.amount, new.currency.unwrap_or(home))?;
                let kind = new.kind;
                let category = match new.category {
                    Some(name) => categories::list(c, account, ledger, false)?
                        .into_iter()
                        .find(|cat| cat.name == name && cat.kind == kind)
                        .map(|cat| cat.name)
                        .ok_or_else(|| {
                            Error::invalid(
                                "category",
                                format!(
                                    "There is no {} category {name} in this ledger.",
                                    kind.as_str()
                                ),
                            )
                        })?,
                    None => CategoryName::other(),
                };
                recurring::create(
                    c,
                    account,
                    ledger,
                    NewRecurring {
                        kind,
                        money,
                        category,
                        note: new.note,
                        schedule: new.schedule,
                        platform: Platform::Web,
                        chat_id: String::new(),
                    },
                    today,
                    now,
                )
            })
            .await
    }

    /// Changes a schedule's amount and/or pauses or resumes it (resuming from `today`).
    pub async fn edit_recurring(
        &self,
        account: AccountId,
        schedule: i64,
        edit: ScheduleEdit,
        today: NaiveDate,
    ) -> Result<Recurring, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let mut current = recurring::get(c, account, schedule)?;
                if let Some(a) = edit.amount {
                    let money = a.read(current.money.currency(), "amount")?;
                    current = recurring::set_amount(c, account, schedule, money, now)?;
                }
                match edit.paused {
                    Some(true) => current = recurring::pause(c, account, schedule, now)?,
                    Some(false) => {
                        current = recurring::resume(c, account, schedule, today, now)?;
                    }
                    None => {}
                }
                Ok(current)
            })
            .await
    }

    pub async fn delete_recurring(
        &self,
        account: AccountId,
        schedule: i64,
    ) -> Result<Recurring, Error> {
        self.db()
            .write(move |c| recurring::delete(c, account, schedule))
            .await
    }

    /// Skips the next occurrence; answers with the date skipped.
    pub async fn skip_recurring(
        &self,
        account: AccountId,
        schedule: i64,
    ) -> Result<(NaiveDate, Recurring), Error> {
        let now = self.now();
        self.db()
            .write(move |c| recurring::skip(c, account, schedule, now))
            .await
    }
}
