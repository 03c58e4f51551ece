//! The outbox: replies written with the effects of the update they answer, sent and marked later.
//!
//! A reply that only lived in memory was lost when the process died between committing an
//! update's effects and sending its answer, and the redelivered update was then a duplicate
//! nobody answered. Here the reply commits with the effects; whoever sends it marks it sent.
//!
//! `claimed_until` is a lease: while it is in the future, someone (the handler that just wrote
//! the row, a sender, or a redelivery of the update) is sending the row, and nobody else takes
//! it. A send that fails leaves the row; the lease runs out and the next claim tries again, each
//! attempt waiting twice as long as the one before, up to [`MAX_ATTEMPTS`].

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::ts;
use crate::conversation::{
    Action, Attachment, AttachmentKind, Button, OutMessage, Reply, Style, Text,
};
use crate::db::AnyConnection;
use crate::db::schema::{outbox, outbox_files};
use crate::domain::Platform;
use crate::error::Error;

/// After this many claims a row is left alone (and the sender logs it): a message the platform
/// refuses this often (a chat that blocked the bot, a deleted channel) will not go through.
pub const MAX_ATTEMPTS: i32 = 8;

/// A reply written to the outbox: what to send, and the rows to mark once it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    /// The row of `reply.messages`, `None` when there are none (a button's toast).
    pub id: Option<i64>,
    /// The row of `reply.edit` (kind `edit`), when the press that asked for it named the message
    /// to change.
    pub edit_id: Option<i64>,
    /// How many of the row's messages went out before `reply.messages` (a reply sent in part
    /// before a crash): record progress as `skipped + sent so far` ([`mark_part`]).
    pub skipped: usize,
    pub reply: Reply,
}

impl Delivery {
    /// Every row of the delivery, to mark sent once all of it went out.
    pub fn rows(&self) -> Vec<i64> {
        self.edit_id.into_iter().chain(self.id).collect()
    }
}

/// What a row asks of the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Post its messages, in order.
    Send,
    /// Replace the content of an earlier message (the one a pressed button sat under) with its
    /// one message; `message_ref` is the platform's reference to that message.
    Edit { message_ref: String },
}

/// A Discord interaction's token, kept in the row so a sender can answer the interaction after
/// a crash. A secret for its 15 minutes: never printed, and cleared when the row is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct ReplyToken(String);

impl ReplyToken {
    pub fn new(token: impl Into<String>) -> ReplyToken {
        ReplyToken(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ReplyToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyToken(…)")
    }
}

/// An unsent row, claimed by whoever loaded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub platform: Platform,
    pub chat_id: String,
    /// The update the row answers, if it answers one.
    pub update_id: Option<String>,
    pub kind: Kind,
    /// The messages still to send: those after the first `parts_sent`.
    pub messages: Vec<OutMessage>,
    /// Messages of the row that went out before this claim (skipped in `messages`).
    pub parts_sent: usize,
    /// Claims so far, this one included.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The interaction the row answers (Discord), if it was kept.
    pub reply_token: Option<ReplyToken>,
}

/// Writes a reply's messages in the caller's transaction, leased to the caller for `lease`: the
/// caller sends them now, and a sender takes them only if it has not marked them by then.
pub fn enqueue(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
    update_id: Option<&str>,
    messages: &[OutMessage],
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<i64, Error> {
    insert(
        conn,
        NewRow {
            platform,
            chat_id,
            update_id,
            kind: &Kind::Send,
            messages,
        },
        now,
        lease,
    )
}

/// Writes the edit of an earlier message (`message_ref`, the platform's reference to it) in the
/// caller's transaction, leased to the caller as [`enqueue`] does.
#[allow(clippy::too_many_arguments)]
pub fn enqueue_edit(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
    update_id: Option<&str>,
    message_ref: &str,
    message: &OutMessage,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<i64, Error> {
    insert(
        conn,
        NewRow {
            platform,
            chat_id,
            update_id,
            kind: &Kind::Edit {
                message_ref: message_ref.to_owned(),
            },
            messages: std::slice::from_ref(message),
        },
        now,
        lease,
    )
}

struct NewRow<'a> {
    platform: Platform,
    chat_id: &'a str,
    update_id: Option<&'a str>,
    kind: &'a Kind,
    messages: &'a [OutMessage],
}

fn insert(
    conn: &mut AnyConnection,
    row: NewRow<'_>,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<i64, Error> {
    let payload = encode(row.messages)?;
    let (kind, message_ref) = match row.kind {
        Kind::Send => ("send", None),
        Kind::Edit { message_ref } => ("edit", Some(message_ref.as_str())),
    };
    let id = diesel::insert_into(outbox::table)
        .values((
            outbox::platform.eq(row.platform.as_str()),
            outbox::chat_id.eq(row.chat_id),
            outbox::update_id.eq(row.update_id),
            outbox::payload.eq(payload),
            outbox::created_at.eq(ts(now)),
            outbox::claimed_until.eq(ts(now + lease)),
            outbox::attempts.eq(1),
            outbox::kind.eq(kind),
            outbox::message_ref.eq(message_ref),
        ))
        .returning(outbox::id)
        .get_result(conn)?;
    // The files' bytes go to their own table, once, rather than as text in the payload.
    for (part, m) in row.messages.iter().enumerate() {
        if let Some(a) = &m.attachment {
            diesel::insert_into(outbox_files::table)
                .values((
                    outbox_files::outbox_id.eq(id),
                    outbox_files::part.eq(part as i32),
                    outbox_files::bytes.eq(&a.bytes),
                ))
                .execute(conn)?;
        }
    }
    Ok(id)
}

/// Keeps the token of the interaction an update's unsent rows answer (Discord), so a sender
/// can still answer it after a crash.
pub fn keep_reply_token(
    conn: &mut AnyConnection,
    platform: Platform,
    update_id: &str,
    token: &ReplyToken,
) -> Result<usize, Error> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::platform.eq(platform.as_str()))
            .filter(outbox::update_id.eq(update_id))
            .filter(outbox::sent_at.is_null()),
    )
    .set(outbox::reply_token.eq(token.expose()))
    .execute(conn)?)
}

/// Records that the first `parts_sent` messages of a row went out: a later send of the row
/// starts after them. Progress only moves forward.
pub fn mark_part(conn: &mut AnyConnection, id: i64, parts_sent: usize) -> Result<usize, Error> {
    let n = i32::try_from(parts_sent).unwrap_or(i32::MAX);
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::parts_sent.lt(n)),
    )
    .set(outbox::parts_sent.eq(n))
    .execute(conn)?)
}

/// Claims the unsent rows of one update whose lease has run out, for a redelivery of that
/// update to send them again. Taking the lease here means a second redelivery soon after gets
/// nothing: the reply goes out once.
pub fn claim_of_update(
    conn: &mut AnyConnection,
    platform: Platform,
    update_id: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<Pending>, Error> {
    let at = ts(now);
    macro_rules! query {
        () => {
            outbox::table
                .filter(outbox::platform.eq(platform.as_str()))
                .filter(outbox::update_id.eq(update_id))
                .filter(outbox::sent_at.is_null())
                .filter(
                    outbox::claimed_until
                        .is_null()
                        .or(outbox::claimed_until.le(at)),
                )
                .filter(outbox::attempts.lt(MAX_ATTEMPTS))
                .order(outbox::id.asc())
                .select(outbox::id)
        };
    }
    let ids: Vec<i64> = match conn {
        AnyConnection::Postgresql(pg) => query!().for_update().skip_locked().load(pg)?,
        AnyConnection::Sqlite(lite) => query!().load(lite)?,
    };
    take(conn, &ids, now, lease)
}

/// Claims up to `limit` unsent rows whose lease has run out, oldest first. On PostgreSQL the
/// rows are locked with `SKIP LOCKED`, so instances claiming at the same moment take different
/// rows; on SQLite the write transaction is the lock.
pub fn claim_due(
    conn: &mut AnyConnection,
    platforms: &[Platform],
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Pending>, Error> {
    let at = ts(now);
    let names: Vec<&str> = platforms.iter().map(Platform::as_str).collect();
    macro_rules! query {
        () => {
            outbox::table
                .filter(outbox::platform.eq_any(&names))
                .filter(outbox::sent_at.is_null())
                .filter(
                    outbox::claimed_until
                        .is_null()
                        .or(outbox::claimed_until.le(at)),
                )
                .filter(outbox::attempts.lt(MAX_ATTEMPTS))
                .order(outbox::id.asc())
                .limit(limit)
                .select(outbox::id)
        };
    }
    let ids: Vec<i64> = match conn {
        AnyConnection::Postgresql(pg) => query!().for_update().skip_locked().load(pg)?,
        AnyConnection::Sqlite(lite) => query!().load(lite)?,
    };
    take(conn, &ids, now, lease)
}

/// Leases `ids` (still unsent, lease run out) and loads them. Each attempt's lease is twice the
/// one before, so a failing row is retried less and less often.
fn take(
    conn: &mut AnyConnection,
    ids: &[i64],
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<Pending>, Error> {
    let at = ts(now);
    let mut taken = Vec::with_capacity(ids.len());
    for &id in ids {
        let attempts: Option<i32> = outbox::table
            .filter(outbox::id.eq(id))
            .select(outbox::attempts)
            .first(conn)
            .optional()?;
        let Some(attempts) = attempts else { continue };
        let backoff = lease * (1 << attempts.clamp(0, 6));
        let n = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::sent_at.is_null())
                .filter(
                    outbox::claimed_until
                        .is_null()
                        .or(outbox::claimed_until.le(at)),
                ),
        )
        .set((
            outbox::claimed_until.eq(ts(now + backoff)),
            outbox::attempts.eq(attempts + 1),
        ))
        .execute(conn)?;
        if n == 1 {
            taken.push(id);
        }
    }
    load(conn, &taken)
}

type Row = (
    (
        i64,
        String,
        String,
        Option<String>,
        String,
        i32,
        NaiveDateTime,
    ),
    (String, Option<String>, i32, Option<String>),
);

fn load(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Pending>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = outbox::table
        .filter(outbox::id.eq_any(ids))
        .order(outbox::id.asc())
        .select((
            (
                outbox::id,
                outbox::platform,
                outbox::chat_id,
                outbox::update_id,
                outbox::payload,
                outbox::attempts,
                outbox::created_at,
            ),
            (
                outbox::kind,
                outbox::message_ref,
                outbox::parts_sent,
                outbox::reply_token,
            ),
        ))
        .load(conn)?;
    let mut files: HashMap<(i64, i32), Vec<u8>> = outbox_files::table
        .filter(outbox_files::outbox_id.eq_any(ids))
        .select((
            outbox_files::outbox_id,
            outbox_files::part,
            outbox_files::bytes,
        ))
        .load::<(i64, i32, Vec<u8>)>(conn)?
        .into_iter()
        .map(|(row, part, bytes)| ((row, part), bytes))
        .collect();
    rows.into_iter()
        .map(
            |(
                (id, platform, chat_id, update_id, payload, attempts, created_at),
                (kind, message_ref, parts_sent, reply_token),
            )| {
                let bad = |what: String| Error::Internal(format!("outbox row {id}: {what}"));
                let kind = match (kind.as_str(), message_ref) {
                    ("send", _) => Kind::Send,
                    ("edit", Some(message_ref)) => Kind::Edit { message_ref },
                    (other, _) => return Err(bad(format!("unknown kind {other}"))),
                };
                let parts_sent = usize::try_from(parts_sent).unwrap_or(0);
                let mut messages = decode(&payload, |part| files.remove(&(id, part)))?;
                messages.drain(..parts_sent.min(messages.len()));
                Ok(Pending {
                    id,
                    platform: platform
                        .parse()
                        .map_err(|_| bad(format!("unknown platform {platform}")))?,
                    chat_id,
                    update_id,
                    kind,
                    messages,
                    parts_sent,
                    attempts,
                    created_at: created_at.and_utc(),
                    reply_token: reply_token.map(ReplyToken),
                })
            },
        )
        .collect()
}

/// Marks rows sent; rows already marked stay as they were. Returns how many were marked now.
pub fn mark_sent(
    conn: &mut AnyConnection,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::sent_at.is_null()),
    )
    // The interaction's token is a secret needed only until the row is sent.
    .set((
        outbox::sent_at.eq(ts(now)),
        outbox::reply_token.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Forgets rows written before `now - keep` that were sent or given up on: by then the platform
/// stopped redelivering their update, and nothing will send them again.
pub fn prune(conn: &mut AnyConnection, now: DateTime<Utc>, keep: Duration) -> Result<usize, Error> {
    let old: Vec<i64> = outbox::table
        .filter(outbox::created_at.lt(ts(now - keep)))
        .filter(
            outbox::sent_at
                .is_not_null()
                .or(outbox::attempts.ge(MAX_ATTEMPTS)),
        )
        .select(outbox::id)
        .load(conn)?;
    let mut pruned = 0;
    // In slices, so a long pause in pruning does not make one statement with too many values.
    for ids in old.chunks(500) {
        diesel::delete(outbox_files::table.filter(outbox_files::outbox_id.eq_any(ids)))
            .execute(conn)?;
        pruned += diesel::delete(outbox::table.filter(outbox::id.eq_any(ids))).execute(conn)?;
    }
    Ok(pruned)
}

/// Bytes of stored files, for tests and diagnostics: how much the outbox holds.
pub fn stored_file_bytes(conn: &mut AnyConnection) -> Result<Vec<(i64, usize)>, Error> {
    let rows: Vec<(i64, Vec<u8>)> = outbox_files::table
        .order(outbox_files::id.asc())
        .select((outbox_files::outbox_id, outbox_files::bytes))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, b)| (id, b.len())).collect())
}

/// The stored payload text of a row, for tests: what a row costs beyond its files.
pub fn payload_of(conn: &mut AnyConnection, id: i64) -> Result<String, Error> {
    Ok(outbox::table
        .filter(outbox::id.eq(id))
        .select(outbox::payload)
        .first(conn)?)
}

/// Whether an update has rows not yet sent (leased or not): its redelivery may have to answer.
pub fn has_unsent(
    conn: &mut AnyConnection,
    platform: Platform,
    update_id: &str,
) -> Result<bool, Error> {
    let n: i64 = outbox::table
        .filter(outbox::platform.eq(platform.as_str()))
        .filter(outbox::update_id.eq(update_id))
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// An outbox row's id and when it was marked sent (`None`: not yet).
pub type RowState = (i64, Option<DateTime<Utc>>);

/// The rows written for one update, sent or not, oldest first: for tests and diagnostics.
pub fn of_update(
    conn: &mut AnyConnection,
    platform: Platform,
    update_id: &str,
) -> Result<Vec<RowState>, Error> {
    let rows: Vec<(i64, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::platform.eq(platform.as_str()))
        .filter(outbox::update_id.eq(update_id))
        .order(outbox::id.asc())
        .select((outbox::id, outbox::sent_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, sent)| (id, sent.map(|s| s.and_utc())))
        .collect())
}

/// The stored form of a message: kept apart from [`OutMessage`] so the conversation types need
/// no serde, and rows written by one version stay readable by the next.
#[derive(Serialize, Deserialize)]
struct StoredMessage {
    spans: Vec<(String, String)>,
    #[serde(default)]
    buttons: Vec<Vec<(String, String)>>,
    #[serde(default)]
    no_link_preview: bool,
    #[serde(default)]
    attachment: Option<StoredAttachment>,
}

#[derive(Serialize, Deserialize)]
struct StoredAttachment {
    kind: String,
    file_name: String,
    mime: String,
    /// Base64, in rows written before files had their own table; newer rows keep the bytes in
    /// `outbox_files`, under the message's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bytes: Option<String>,
}

fn style_name(s: Style) -> &'static str {
    match s {
        Style::Plain => "plain",
        Style::Bold => "bold",
        Style::Italic => "italic",
        Style::Code => "code",
    }
}

fn style_of(s: &str) -> Style {
    match s {
        "bold" => Style::Bold,
        "italic" => Style::Italic,
        "code" => Style::Code,
        _ => Style::Plain,
    }
}

fn encode(messages: &[OutMessage]) -> Result<String, Error> {
    let stored: Vec<StoredMessage> = messages
        .iter()
        .map(|m| StoredMessage {
            spans: m
                .text
                .spans
                .iter()
                .map(|(s, t)| (style_name(*s).to_owned(), t.clone()))
                .collect(),
            buttons: m
                .buttons
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|b| (b.label.clone(), b.action.encode()))
                        .collect()
                })
                .collect(),
            no_link_preview: m.no_link_preview,
            attachment: m.attachment.as_ref().map(|a| StoredAttachment {
                kind: match a.kind {
                    AttachmentKind::Photo => "photo",
                    AttachmentKind::Document => "document",
                }
                .to_owned(),
                file_name: a.file_name.clone(),
                mime: a.mime.clone(),
                bytes: None,
            }),
        })
        .collect();
    serde_json::to_string(&stored).map_err(|e| Error::Internal(format!("outbox payload: {e}")))
}

/// Reads a payload; `file(part)` gives the stored bytes of message `part`'s attachment.
fn decode(
    payload: &str,
    mut file: impl FnMut(i32) -> Option<Vec<u8>>,
) -> Result<Vec<OutMessage>, Error> {
    use base64::Engine as _;
    let bad = |e: String| Error::Internal(format!("outbox payload: {e}"));
    let stored: Vec<StoredMessage> =
        serde_json::from_str(payload).map_err(|e| bad(e.to_string()))?;
    stored
        .into_iter()
        .enumerate()
        .map(|(part, m)| {
            let attachment = match m.attachment {
                Some(a) => Some(Attachment {
                    kind: if a.kind == "photo" {
                        AttachmentKind::Photo
                    } else {
                        AttachmentKind::Document
                    },
                    file_name: a.file_name,
                    mime: a.mime,
                    bytes: match a.bytes {
                        Some(text) => base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .map_err(|e| bad(e.to_string()))?,
                        None => file(part as i32)
                            .ok_or_else(|| bad(format!("the file of part {part} is missing")))?,
                    },
                }),
                None => None,
            };
            // A button whose action no longer decodes is dropped, not the whole message.
            let buttons: Vec<Vec<Button>> = m
                .buttons
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .filter_map(|(label, data)| {
                            Action::decode(&data).map(|action| Button { label, action })
                        })
                        .collect()
                })
                .collect();
            Ok(OutMessage {
                text: Text {
                    spans: m
                        .spans
                        .into_iter()
                        .map(|(s, t)| (style_of(&s), t))
                        .collect(),
                },
                buttons: Vec::new(),
                no_link_preview: m.no_link_preview,
                attachment,
            }
            .with_buttons(buttons))
        })
        .collect()
}
