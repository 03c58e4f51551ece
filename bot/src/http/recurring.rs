//! `GET/POST /recurring`, `PATCH/DELETE /recurring/{id}`, `POST /recurring/{id}/skip`: schedules.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tally_core::Error;
use tally_core::Tally;
use tally_core::app::recurring::{NewSchedule, ScheduleEdit};
use tally_core::conversation::recurring::describe;
use tally_core::domain::TransactionKind;
use tally_core::parser::recurrence;
use tally_core::recurring::Schedule;
use tally_core::services::recurring::Recurring;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use super::params::LedgerQuery;
use super::{amount, params};

#[derive(Debug, Serialize, ToSchema)]
pub struct RecurringView {
    pub id: i64,
    #[schema(example = "expense")]
    pub kind: &'static str,
    #[schema(example = "1450.00")]
    pub amount: String,
    #[schema(example = "USD")]
    pub currency: &'static str,
    #[schema(example = "housing")]
    pub category: String,
    #[schema(example = "rent")]
    pub note: String,
    /// How it repeats, in words.
    #[schema(example = "every month on the 1st")]
    pub schedule: String,
    /// The next occurrence not yet recorded; absent once the schedule has ended.
    pub next_on: Option<NaiveDate>,
    pub paused: bool,
    /// What it costs (or brings) in a year.
    #[schema(example = "17400.00")]
    pub yearly: Option<String>,
}

impl From<&Recurring> for RecurringView {
    fn from(r: &Recurring) -> RecurringView {
        RecurringView {
            id: r.id,
            kind: r.kind.as_str(),
            amount: r.money.amount_string(),
            currency: r.money.currency().code(),
            category: r.category.to_string(),
            note: r.note.clone(),
            schedule: describe(&r.schedule),
            next_on: r.next_on,
            paused: r.paused,
            yearly: r.yearly().map(|m| m.amount_string()),
        }
    }
}

/// Every schedule of the ledger, oldest first.
#[utoipa::path(get, path = "/api/v1/recurring", tag = "recurring", security(("bearer" = [])),
    params(LedgerQuery),
    responses((status = 200, body = [RecurringView]), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<Vec<RecurringView>>, ApiError> {
    let ledger = params::ledger(q.ledger.as_deref())?;
    let all = tally.recurring(caller.id(), ledger).await?;
    Ok(Json(all.iter().map(RecurringView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecurringBody {
    /// `expense` (default) or `income`.
    #[schema(example = "expense")]
    pub kind: Option<String>,
    #[schema(value_type = String, example = "1450.00")]
    pub amount: Option<Value>,
    /// Default: the ledger's currency.
    pub currency: Option<String>,
    /// Default: `other`.
    #[schema(example = "housing")]
    pub category: Option<String>,
    #[schema(example = "rent")]
    pub note: Option<String>,
    /// When it repeats, as in chat: `monthly on the 1st`, `every 2 weeks from friday`,
    /// `on the last working day of each month`, `every year on march 1`, `weekly for 10 weeks`.
    #[schema(example = "monthly on the 1st")]
    pub schedule: String,
}

/// Schedules an entry. Its first occurrence is the first date of the schedule on or after
/// today (or the start it names). In a group, admins only.
#[utoipa::path(post, path = "/api/v1/recurring", tag = "recurring", security(("bearer" = [])),
    params(LedgerQuery),
    request_body = NewRecurringBody,
    responses((status = 201, body = RecurringView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiJson(body): ApiJson<NewRecurringBody>,
) -> Result<(StatusCode, Json<RecurringView>), ApiError> {
    let kind = params::kind(body.kind.as_deref())?.unwrap_or(TransactionKind::Expense);
    let currency = params::currency(body.currency.as_deref())?;
    let category = params::category(body.category.as_deref())?;
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let schedule = schedule(&body.schedule, today)?;
    let ledger = params::ledger(q.ledger.as_deref())?;
    let new = NewSchedule {
        kind,
        amount: body.amount.as_ref().map(|v| amount::input(v, "amount")),
        currency,
        category,
        note: body.note.unwrap_or_default(),
        schedule,
    };
    let created = tally
        .create_recurring(caller.id(), ledger, new, today)
        .await?;
    Ok((StatusCode::CREATED, Json(RecurringView::from(&created))))
}

/// Reads the schedule words the way chat does; nothing else may be in them.
fn schedule(text: &str, today: NaiveDate) -> Result<Schedule, Error> {
    let bad = || {
        Error::invalid(
            "schedule",
            "schedule must say when it repeats, e.g. \"monthly on the 1st\" or \"every 2 weeks from friday\".",
        )
    };
    let read = recurrence::read(text, today).ok_or_else(bad)?;
    if !read.rest.trim().is_empty() {
        return Err(Error::invalid(
            "schedule",
            format!(
                "I couldn't read \"{}\" in the schedule; put only when it repeats there.",
                read.rest.trim()
            ),
        ));
    }
    Schedule::new(read.rule, read.start, read.end)
        .map_err(|e| Error::invalid("schedule", format!("That schedule doesn't work: {e}.")))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringPatch {
    /// A new amount for the occurrences not yet recorded, in the schedule's currency.
    #[schema(value_type = Option<String>, example = "17.99")]
    pub amount: Option<Value>,
    /// `true` pauses; `false` resumes from the next date (paused dates are not caught up).
    pub paused: Option<bool>,
}

/// Changes the amount from the next occurrence on, or pauses or resumes the schedule.
#[utoipa::path(patch, path = "/api/v1/recurring/{id}", tag = "recurring",
    security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RecurringPatch,
    responses((status = 200, body = RecurringView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(schedule): ApiPath<i64>,
    ApiJson(body): ApiJson<RecurringPatch>,
) -> Result<Json<RecurringView>, ApiError> {
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let edit = ScheduleEdit {
        amount: body.amount.as_ref().map(|v| amount::input(v, "amount")),
        paused: body.paused,
    };
    let changed = tally
        .edit_recurring(caller.id(), schedule, edit, today)
        .await?;
    Ok(Json(RecurringView::from(&changed)))
}

/// Deletes the schedule; the entries it recorded stay.
#[utoipa::path(delete, path = "/api/v1/recurring/{id}", tag = "recurring",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(schedule): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    tally.delete_recurring(caller.id(), schedule).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Skipped {
    /// The date that will not be recorded.
    pub skipped: NaiveDate,
    pub recurring: RecurringView,
}

/// Skips the next occurrence once.
#[utoipa::path(post, path = "/api/v1/recurring/{id}/skip", tag = "recurring",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Skipped), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn skip(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(schedule): ApiPath<i64>,
) -> Result<Json<Skipped>, ApiError> {
    let (skipped, r) = tally.skip_recurring(caller.id(), schedule).await?;
    Ok(Json(Skipped {
        skipped,
        recurring: RecurringView::from(&r),
    }))
}
