//! What the LLM fallback reads and keeps: the asker's figures, turns and tokens used.
//!
//! The fallback is built before the [`Tally`](crate::Tally) that calls it, so it holds an
//! [`LlmStore`] over the database instead; every method is still one unit of work, and reads
//! only the account and ledger of the request it serves.

use chrono::{DateTime, NaiveDate, Utc};

use crate::advice::{self, Finding, Recurring};
use crate::conversation::fallback::FallbackRequest;
use crate::db::Db;
use crate::domain::AccountId;
use crate::error::Error;
use crate::models::transaction::Transaction;
use crate::period::{DateRange, Granularity};
use crate::services::analytics::{self, SavingsPeriod, Summary};
use crate::services::budgets::{self, BudgetStatus};
use crate::services::llm;
use crate::services::transactions::{self, Filter, Page};

pub use crate::services::llm::{KEEP_TURNS, TurnRole};

/// The analyst's top findings and the recurring payments it sees.
#[derive(Debug, Clone)]
pub struct Insights {
    pub findings: Vec<Finding>,
    pub recurring: Vec<Recurring>,
}

/// The asker's own figures, given to the model up front so common questions need no tool call.
#[derive(Debug, Clone)]
pub struct Context {
    pub this_month: Summary,
    pub last_month: Summary,
    pub budgets: Vec<BudgetStatus>,
    pub insights: Insights,
    /// The chat's latest turns of this asker, oldest first.
    pub turns: Vec<(TurnRole, String)>,
}

/// The LLM fallback's handle on the database.
#[derive(Debug, Clone)]
pub struct LlmStore {
    db: Db,
}

impl LlmStore {
    pub fn new(db: Db) -> LlmStore {
        LlmStore { db }
    }

    /// Tokens the account has used on `day`.
    pub async fn tokens_used(&self, account: AccountId, day: NaiveDate) -> Result<i64, Error> {
        self.db
            .read(move |c| llm::tokens_used(c, account, day))
            .await
    }

    /// Counts `tokens` against the account's `day`.
    pub async fn add_tokens(
        &self,
        account: AccountId,
        day: NaiveDate,
        tokens: i64,
    ) -> Result<(), Error> {
        self.db
            .write(move |c| llm::add_tokens(c, account, day, tokens))
            .await
    }

    /// Keeps a question and its answer as the asker's latest turns in the chat.
    pub async fn remember(
        &self,
        account: AccountId,
        chat_key: String,
        question: String,
        answer: String,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.db
            .write(move |c| {
                llm::append_turn(c, account, &chat_key, TurnRole::User, &question, now)?;
                llm::append_turn(c, account, &chat_key, TurnRole::Assistant, &answer, now)
            })
            .await
    }

    /// This month so far, last month, the budgets, the top `findings` and the asker's turns.
    pub async fn context(
        &self,
        request: &FallbackRequest,
        findings: usize,
    ) -> Result<Context, Error> {
        let (account, ledger, today) = (request.account, request.ledger, request.today);
        let key = request.chat_key.clone();
        self.db
            .read(move |c| {
                let this_month =
                    analytics::summary(c, account, ledger, DateRange::this_month(today))?;
                let last_month =
                    analytics::summary(c, account, ledger, DateRange::last_month(today))?;
                let budgets = budgets::status(c, account, ledger, today)?;
                let insights = insights(c, account, ledger, today, findings)?;
                let turns = llm::recent_turns(c, account, &key)?;
                Ok(Context {
                    this_month,
                    last_month,
                    budgets,
                    insights,
                    turns,
                })
            })
            .await
    }

    /// The request's ledger summed over `range`.
    pub async fn summary(
        &self,
        request: &FallbackRequest,
        range: DateRange,
    ) -> Result<Summary, Error> {
        let (account, ledger) = (request.account, request.ledger);
        self.db
            .read(move |c| analytics::summary(c, account, ledger, range))
            .await
    }

    /// The newest `limit` transactions of the request's ledger that match `filter`.
    pub async fn transactions(
        &self,
        request: &FallbackRequest,
        filter: Filter,
        limit: i64,
    ) -> Result<Page<Transaction>, Error> {
        let (account, ledger) = (request.account, request.ledger);
        self.db
            .read(move |c| transactions::list(c, account, ledger, &filter, limit, 0))
            .await
    }

    /// Where the request's ledger's budgets stand today.
    pub async fn budgets(&self, request: &FallbackRequest) -> Result<Vec<BudgetStatus>, Error> {
        let (account, ledger, today) = (request.account, request.ledger, request.today);
        self.db
            .read(move |c| budgets::status(c, account, ledger, today))
            .await
    }

    /// Savings over the last `periods` periods (see [`super::summaries::savings_window`]).
    pub async fn savings(
        &self,
        request: &FallbackRequest,
        granularity: Granularity,
        periods: u32,
    ) -> Result<Vec<SavingsPeriod>, Error> {
        let (account, ledger) = (request.account, request.ledger);
        let range = super::summaries::savings_window(granularity, request.today, periods);
        self.db
            .read(move |c| analytics::savings(c, account, ledger, granularity, range))
            .await
    }

    /// The analyst's top `findings` and the recurring payments.
    pub async fn insights(
        &self,
        request: &FallbackRequest,
        findings: usize,
    ) -> Result<Insights, Error> {
        let (account, ledger, today) = (request.account, request.ledger, request.today);
        self.db
            .read(move |c| insights(c, account, ledger, today, findings))
            .await
    }
}

fn insights(
    conn: &mut crate::db::AnyConnection,
    account: AccountId,
    ledger: crate::domain::LedgerId,
    today: NaiveDate,
    findings: usize,
) -> Result<Insights, Error> {
    let mut found = advice::analyse(conn, account, ledger, today)?;
    found.truncate(findings);
    let recurring = advice::recurring_payments(conn, account, ledger, today)?;
    Ok(Insights {
        findings: found,
        recurring,
    })
}
