//! `GET /export`: a ledger's entries as a file (CSV, JSON lines, beancount, hledger), streamed.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use tally_core::Tally;
use tally_core::export::{Format, JournalOptions};
use tally_core::services::exports::{self, Request};
use tally_core::services::membership;
use tokio::sync::mpsc;
use tracing::warn;
use utoipa::IntoParams;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiQuery, Caller};
use super::params;

/// Bytes gathered before a chunk goes to the connection.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default), `json` (JSON lines), `beancount` or `ledger` (hledger journal).
    #[param(value_type = Option<ExportFormat>, inline)]
    pub format: Option<String>,
    /// First date included (default: the first entry).
    pub from: Option<String>,
    /// Last date included (default: the last entry).
    pub to: Option<String>,
    /// A ledger id (default: the personal ledger).
    pub ledger: Option<String>,
}

/// The export formats.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ExportFormat {
    Csv,
    Json,
    Beancount,
    Ledger,
}

#[utoipa::path(get, path = "/api/v1/export", tag = "export", security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The file, streamed; Content-Disposition names it.",
            content((String = "text/csv"), (String = "application/x-ndjson"), (String = "text/plain"))),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn get(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| {
            ApiError::invalid("format", "format must be csv, json, beancount or ledger.")
        })?,
    };
    let from = params::date(q.from.as_deref(), "from")?;
    let to = params::date(q.to.as_deref(), "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::invalid("from", "from must not be after to."));
    }
    let requested = params::ledger(q.ledger.as_deref())?;
    let id = caller.id();
    // Check access before the first byte, so a refusal is an ordinary error answer.
    let (ledger, title) = tally.export_target(id, requested).await?;
    let request = Request {
        ledger,
        format,
        from,
        to,
        journal: JournalOptions::default(),
    };
    let file_name = exports::file_name(&title, &request);

    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(4);
    let since = tally.now() - membership::API_FRESHNESS;
    let streaming = tally.clone();
    tokio::spawn(membership::require_confirmed_since(since, async move {
        let errors = tx.clone();
        let result = streaming.export(id, request, ChannelWriter::new(tx)).await;
        if let Err(e) = result {
            warn!(error = %e, "an export stopped half-way");
            let _ = errors.send(Err(io::Error::other(e.to_string()))).await;
        }
    }));
    let stream = tokio_stream_from(rx);
    Ok((
        [
            (CONTENT_TYPE, format.media_type().to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn tokio_stream_from(
    rx: mpsc::Receiver<io::Result<Bytes>>,
) -> impl futures::Stream<Item = io::Result<Bytes>> {
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .boxed()
}

/// A `Write` for the blocking export thread that hands full chunks to the response body; it
/// waits while the client reads slowly, so memory holds a few chunks at most.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> ChannelWriter {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
