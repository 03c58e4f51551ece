//! `POST /import`: a bank's CSV file (or Tally's own export) as a multipart upload; with
//! `dry_run=true` the preview, else the import. The work is the core's `Tally::import_file`.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tally_core::Tally;
use tally_core::domain::Platform;
use tally_core::import::AmountColumns;
use tally_core::services::imports::{Planned, Report};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiQuery, Caller};
use super::params;

/// The largest file accepted: years of a bank's statements fit many times over.
pub const IMPORT_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true` for the preview only: nothing is written.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
    /// A ledger id (default: the personal ledger).
    pub ledger: Option<String>,
}

/// The upload: the file, and optionally `dry_run` as a field instead of in the query.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The CSV file: `,` `;` or tab separated, with or without a header row.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true` for the preview only.
    dry_run: Option<bool>,
}

/// What the file's columns were understood as (columns count from 0).
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnsView {
    /// `,`, `;` or `tab`.
    pub separator: String,
    pub header: bool,
    /// The header's names, or `column 1`… without one.
    pub names: Vec<String>,
    pub date: usize,
    /// `year-month-day`, `day/month/year` or `month/day/year`.
    pub date_style: String,
    /// One signed amount column, or none (see `debit` and `credit`).
    pub amount: Option<usize>,
    pub debit: Option<usize>,
    pub credit: Option<usize>,
    pub decimal_mark: String,
    pub currency: Option<usize>,
    pub note: Option<usize>,
    pub category: Option<usize>,
}

/// One row as it would be (or was) recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedView {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub date: String,
    /// `expense` or `income`.
    pub kind: String,
    /// The amount, always positive, as a decimal string.
    pub amount: String,
    pub currency: String,
    pub category: String,
    pub note: String,
    /// Already in the ledger: skipped.
    pub duplicate: bool,
}

/// The preview, or what the import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    /// True when nothing was written.
    pub dry_run: bool,
    pub columns: ColumnsView,
    /// The first rows.
    pub sample: Vec<PlannedView>,
    pub rows: usize,
    /// Added, or to be added in a dry run.
    pub added: usize,
    /// Skipped: the ledger has them already.
    pub duplicates: usize,
    /// Added to `other`: nothing named their category.
    pub to_other: usize,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn planned(p: &Planned) -> PlannedView {
    PlannedView {
        line: p.line,
        date: p.date.to_string(),
        kind: p.kind.as_str().to_owned(),
        amount: p.money.amount_string(),
        currency: p.money.currency().code().to_owned(),
        category: p.category.as_str().to_owned(),
        note: p.note.clone(),
        duplicate: p.duplicate,
    }
}

fn view(r: &Report) -> ImportView {
    let c = &r.columns;
    let (amount, debit, credit) = match c.amount {
        AmountColumns::Signed { column } => (Some(column), None, None),
        AmountColumns::DebitCredit { debit, credit } => (None, Some(debit), Some(credit)),
    };
    ImportView {
        dry_run: !r.written,
        columns: ColumnsView {
            separator: c.separator.clone(),
            header: c.header,
            names: c.names.clone(),
            date: c.date,
            date_style: c.date_style.to_owned(),
            amount,
            debit,
            credit,
            decimal_mark: c.decimal_mark.clone(),
            currency: c.currency,
            note: c.note,
            category: c.category,
        },
        sample: r.sample.iter().map(planned).collect(),
        rows: r.rows,
        added: r.added,
        duplicates: r.duplicates,
        to_other: r.to_other,
        from: r.from.map(|d| d.to_string()),
        to: r.to.map(|d| d.to_string()),
    }
}

fn flag(value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(ApiError::invalid(
            "dry_run",
            "dry_run must be true or false.",
        )),
    }
}

/// A file over [`IMPORT_LIMIT`], whether declared so or found so while reading.
pub(super) fn file_too_large() -> ApiError {
    ApiError::http(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "The file is larger than {} MiB: import it in parts.",
            IMPORT_LIMIT / (1024 * 1024)
        ),
    )
}

/// An upload that cannot be read: too large (413), or not multipart at all (415), else 400.
fn unreadable(status: StatusCode, e: impl std::fmt::Display) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => file_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::http(
            status,
            "unsupported_media_type",
            "Send the file as multipart/form-data, in a field named file.",
        ),
        _ => ApiError::http(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("The upload could not be read as multipart/form-data: {e}"),
        ),
    }
}

fn field_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    unreadable(e.status(), e)
}

#[utoipa::path(post, path = "/api/v1/import", tag = "export", security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The preview (dry run): nothing was written.", body = ImportView),
        (status = 201, description = "Imported.", body = ImportView),
        (status = 404, body = ErrorBody),
        (status = 422, description = "The file cannot be imported; the message names the line and the problem. Nothing was written.", body = ErrorBody)))]
pub async fn post(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    upload: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let ledger = params::ledger(q.ledger.as_deref())?;
    let mut dry_run = match q.dry_run.as_deref() {
        Some(v) => flag(v)?,
        None => false,
    };
    let mut upload = upload.map_err(|r| match r {
        MultipartRejection::InvalidBoundary(e) => unreadable(StatusCode::UNSUPPORTED_MEDIA_TYPE, e),
        other => unreadable(other.status(), other),
    })?;
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = upload.next_field().await.map_err(field_error)? {
        match field.name() {
            Some("file") => file = Some(field.bytes().await.map_err(field_error)?.to_vec()),
            Some("dry_run") => {
                let text = field.text().await.map_err(field_error)?;
                dry_run = dry_run || flag(&text)?;
            }
            _ => {}
        }
    }
    let file =
        file.ok_or_else(|| ApiError::invalid("file", "Send the CSV file in a field named file."))?;
    let report = tally
        .import_file(caller.id(), ledger, file, dry_run, Platform::Web)
        .await?;
    let status = if report.written {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view(&report))))
}
