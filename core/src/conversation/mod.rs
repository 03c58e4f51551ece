//! The one entry point: a platform-neutral message in, a platform-neutral reply out.

pub mod action;
mod actions;
mod charts;
pub mod command;
mod commands;
mod currencies;
pub mod digest;
pub mod exports;
pub mod fallback;
pub mod format;
mod help;
mod intents;
mod linking;
pub mod message;
mod pending;
pub mod recurring;
mod reminders;
pub mod splits;
pub mod table;
mod turn;

use std::time::Duration;

use diesel::Connection as _;
use tracing::{Instrument as _, debug, warn};

pub use action::Action;
pub use command::Command;
pub use message::{
    Attachment, AttachmentKind, Button, Chat, Content, Incoming, Mention, Mentions, OutMessage,
    Reply, Sender, Style, Text,
};
pub use table::{COMMANDS, CommandSpec};

use self::fallback::{FallbackAnswer, FallbackError, FallbackRequest};
use self::turn::Turn;
use crate::db::AnyConnection;
use crate::domain::ChatKind;
use crate::error::{Error, ErrorKind};
use crate::parser::recurrence;
use crate::parser::{Confidence, Intent, ParseContext, Parsed};
pub use crate::services::outbox::Delivery;
use crate::services::{accounts, categories, keywords, ledgers, outbox, updates};
use crate::tally::Tally;

/// What [`Tally::handle`] did with an update.
///
/// Adapters count and answer updates by what happened, and only the core knows whether an
/// update was a redelivery or chatter it chose to ignore: saying so here saves every adapter a
/// second trip to the database to tell the two apart.
// One value per update, moved once: boxing the reply would cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Handled: send this, then mark its outbox row sent ([`Tally::mark_sent`]). Also what a
    /// redelivered update gets when its reply was written but never marked sent.
    Replied(Delivery),
    /// A redelivered update: its effects were committed the first time, nothing to send.
    Duplicate,
    /// Not for the bot (chatter in a group): nothing was recorded, nothing to send.
    Ignored,
}

impl Outcome {
    /// The reply to send, if there is one.
    pub fn reply(self) -> Option<Reply> {
        self.delivery().map(|d| d.reply)
    }

    /// The reply to send with its outbox row, if there is one.
    pub fn delivery(self) -> Option<Delivery> {
        match self {
            Outcome::Replied(delivery) => Some(delivery),
            Outcome::Duplicate | Outcome::Ignored => None,
        }
    }

    /// The label metrics and logs use: `handled`, `duplicate` or `ignored`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Replied(_) => "handled",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
        }
    }
}

/// What the first, synchronous pass decided.
#[allow(clippy::large_enum_variant)]
enum Pass {
    /// Finished.
    Done(Outcome),
    /// The rules were unsure and a fallback is configured: ask it, then finish.
    AskFallback(Box<FallbackRequest>),
}

impl Tally {
    /// Handles one update from any platform.
    ///
    /// Says what happened: a reply to send, a redelivered update (its effects were committed
    /// the first time), or chatter in a group that was not meant for the bot. Errors the user
    /// caused come back as a friendly reply; `Err` is for failures on our side, after which
    /// nothing was recorded and a redelivery will be handled afresh.
    pub async fn handle(&self, msg: Incoming) -> Result<Outcome, Error> {
        let span = tracing::info_span!(
            "handle",
            platform = %msg.platform,
            update = %msg.update_id,
            chat = ?msg.chat.kind
        );
        self.handle_in_span(msg).instrument(span).await
    }

    async fn handle_in_span(&self, msg: Incoming) -> Result<Outcome, Error> {
        if let Some(outcome) = self.screen(&msg).await? {
            return Ok(outcome);
        }
        let this = self.clone();
        let first_msg = msg.clone();
        let pass = self
            .db()
            .write(move |conn| this.first_pass(conn, &first_msg))
            .await?;
        match pass {
            Pass::Done(outcome) => Ok(outcome),
            Pass::AskFallback(request) => {
                let answer = self.ask_fallback(*request.clone()).await;
                let this = self.clone();
                self.db()
                    .write(move |conn| this.second_pass(conn, &msg, *request, answer))
                    .await
            }
        }
    }

    /// Tells group chatter (and redeliveries of it) with reads alone. Most of a busy group's
    /// talk is not for the bot, and handling it must not open a write transaction, nor create an
    /// account and a membership for whoever spoke. `None`: the update goes the full way.
    async fn screen(&self, msg: &Incoming) -> Result<Option<Outcome>, Error> {
        if msg.chat.kind != ChatKind::Group || !matches!(msg.content, Content::Text(_)) {
            return Ok(None);
        }
        let this = self.clone();
        let msg = msg.clone();
        self.db()
            .read(move |conn| {
                if updates::seen(conn, msg.platform, &msg.update_id)? {
                    // A reply still unsent may be owed: the full way finds out.
                    if outbox::has_unsent(conn, msg.platform, &msg.update_id)? {
                        return Ok(None);
                    }
                    return Ok(Some(Outcome::Duplicate));
                }
                let Content::Text(text) = &msg.content else {
                    return Ok(None);
                };
                Ok((!this.group_text_is_for_bot(conn, &msg, text)?).then_some(Outcome::Ignored))
            })
            .await
    }

    /// Whether free text in a group is for the bot, read as [`Self::first_pass`] would read it,
    /// but from what exists: a sender or group never seen before has only the defaults.
    fn group_text_is_for_bot(
        &self,
        conn: &mut AnyConnection,
        msg: &Incoming,
        text: &str,
    ) -> Result<bool, Error> {
        if strip_remind_me(text).is_some() || crate::parser::shared::read(text).is_some() {
            return Ok(true);
        }
        let account = match accounts::find_identity(conn, msg.platform, &msg.sender.id)? {
            Some(identity) => Some(accounts::find(conn, identity.account)?),
            None => None,
        };
        let custom = match ledgers::find_group(conn, msg.platform, &msg.chat.id)? {
            Some(ledger) => categories::custom_of(conn, ledger.id)?,
            None => Vec::new(),
        };
        let vocabulary = keywords::vocabulary(conn, account.as_ref().map(|a| a.id), &custom)?;
        let defaults = self.settings().defaults;
        let (timezone, currency, date_order) = match &account {
            Some(a) => (a.timezone, a.default_currency, a.date_order),
            None => (defaults.timezone, defaults.currency, defaults.date_order),
        };
        let ctx = ParseContext {
            today: self.today_in(timezone, msg.at),
            currency,
            date_order,
            vocabulary: &vocabulary,
        };
        let parser = self.parser();
        if parser.parse_chart(text, &ctx).is_some() {
            return Ok(true);
        }
        // A schedule ("every Monday 12 lunch") is for the bot when what repeats is a confident add.
        let schedule = recurrence::read(text, ctx.today)
            .filter(|r| !r.rest.trim().is_empty())
            .is_some_and(|r| {
                let parsed = parser.parse(&r.rest, &ctx);
                matches!(parsed.intent, Intent::Add(_)) && parsed.confidence.is_confident()
            });
        Ok(schedule || meant_for_bot(&parser.parse(text, &ctx)))
    }

    fn first_pass(&self, conn: &mut AnyConnection, msg: &Incoming) -> Result<Pass, Error> {
        if updates::seen(conn, msg.platform, &msg.update_id)? {
            return self.redelivered(conn, msg).map(Pass::Done);
        }
        let command = match &msg.content {
            Content::Command { name, args } => Some(Command::from_slash(name, args)),
            Content::Typed(command) => Some(command.clone()),
            Content::Text(_) | Content::Action(_) => None,
        };
        if let Some(Command::GroupLedger { enable }) = command {
            // `None` there means the update was claimed before.
            return match commands::group_ledger(self, conn, msg, enable)? {
                Some(reply) => self.replied(conn, msg, reply, self.now()).map(Pass::Done),
                None => Ok(Pass::Done(Outcome::Duplicate)),
            };
        }
        let mut turn = Turn::begin(self, conn, msg)?;
        if !turn.cx.ledger.active {
            return self.finish(turn, msg, |t| Ok(t.reply_inactive_ledger()));
        }
        // Free text, and `/ask TEXT`, which is free text addressed to the bot explicitly.
        let question = match (&msg.content, &command) {
            (Content::Text(text), _) => Some((text.as_str(), false)),
            (_, Some(Command::Ask { text })) => Some((text.as_str(), true)),
            _ => None,
        };
        if let Some((text, explicit)) = question {
            if explicit && text.trim().is_empty() {
                return self.finish(turn, msg, |_| Ok(Reply::text(help::ask_usage())));
            }
            if let Some(rest) = strip_remind_me(text) {
                let request = reminders::read(rest);
                return self.finish(turn, msg, move |t| t.remind(request));
            }
            if let Some(shared) = crate::parser::shared::read(text) {
                return self.finish(turn, msg, move |t| t.shared_text(shared));
            }
            if let Some(request) = turn.read_chart(text)? {
                return self.finish(turn, msg, move |t| t.chart(request));
            }
            if let Some(request) = turn.read_schedule(text, explicit)? {
                return self.finish(turn, msg, move |t| t.schedule(request));
            }
            let group = msg.chat.kind == ChatKind::Group;
            if let Some(charge) = crate::parser::fx::card_charge(text)
                && (explicit || !group || meant_for_bot(&turn.parse(&charge.rest)?))
            {
                let text = text.to_owned();
                return self.finish(turn, msg, move |t| t.record_charged(charge, &text));
            }
            if let Some(ask) = crate::parser::fx::conversion_question(text)
                && (explicit || !group)
            {
                return self.finish(turn, msg, move |t| t.convert_answer(ask));
            }
            let parsed = turn.parse(text)?;
            if group && !explicit && !meant_for_bot(&parsed) {
                return Ok(Pass::Done(Outcome::Ignored));
            }
            let unsure = !parsed.confidence.is_confident() || parsed.intent == Intent::Unknown;
            if unsure && (explicit || !group) && self.fallback().is_some() {
                return Ok(Pass::AskFallback(Box::new(
                    turn.fallback_request(text, parsed)?,
                )));
            }
            return self.finish(turn, msg, |t| t.answer_parsed(parsed, text));
        }
        match (command, &msg.content) {
            (Some(command), _) => self.finish(turn, msg, |t| t.execute_command(command)),
            (None, Content::Action(action)) => self.finish(turn, msg, |t| t.action(action)),
            (None, _) => Ok(Pass::Done(Outcome::Ignored)),
        }
    }

    /// Claims the update and runs `work` in a savepoint: a user error rolls back the work but
    /// keeps the claim, so the error reply is sent once and a redelivery changes nothing.
    fn finish(
        &self,
        turn: Turn<'_>,
        msg: &Incoming,
        work: impl FnOnce(&mut Turn<'_>) -> Result<Reply, Error>,
    ) -> Result<Pass, Error> {
        let Turn { conn, cx } = turn;
        if !updates::claim(conn, msg.platform, &msg.update_id, cx.now)? {
            return Ok(Pass::Done(Outcome::Duplicate));
        }
        let now = cx.now;
        let merged = cx.merged.clone();
        let result = conn.transaction(|c| work(&mut Turn { conn: c, cx }));
        let reply = match result {
            Ok(reply) => splits::with_merge_note(reply, merged.as_deref()),
            Err(e) if e.kind() != ErrorKind::Internal => {
                debug!(error = %e, "user error");
                Reply::text(Text::plain_str(e.user_message()))
            }
            Err(e) => return Err(e),
        };
        self.replied(conn, msg, reply, now).map(Pass::Done)
    }

    /// Writes the reply's messages to the outbox in the update's transaction, leased to the
    /// caller who sends them now; a crash before they are marked sent leaves them for the
    /// sender, or for the update's redelivery.
    fn replied(
        &self,
        conn: &mut AnyConnection,
        msg: &Incoming,
        reply: Reply,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Outcome, Error> {
        let id = if reply.messages.is_empty() {
            None
        } else {
            Some(outbox::enqueue(
                conn,
                msg.platform,
                &msg.chat.id,
                Some(&msg.update_id),
                &reply.messages,
                now,
                self.outbox_lease(),
            )?)
        };
        // A press names the message its button sat under: the edit of it goes the same way.
        let edit_id = match (&reply.edit, &msg.content, &msg.message_ref) {
            (Some(edit), Content::Action(_), Some(carrier)) => Some(outbox::enqueue_edit(
                conn,
                msg.platform,
                &msg.chat.id,
                Some(&msg.update_id),
                carrier,
                edit,
                now,
                self.outbox_lease(),
            )?),
            _ => None,
        };
        Ok(Outcome::Replied(Delivery {
            id,
            edit_id,
            skipped: 0,
            reply,
        }))
    }

    /// A redelivered update: a duplicate, unless the reply written the first time was never
    /// marked sent and nobody holds its lease. Then it is claimed here and sent again, once.
    fn redelivered(&self, conn: &mut AnyConnection, msg: &Incoming) -> Result<Outcome, Error> {
        let pending = outbox::claim_of_update(
            conn,
            msg.platform,
            &msg.update_id,
            self.now(),
            self.outbox_lease(),
        )?;
        if pending.is_empty() {
            debug!("duplicate update ignored");
            return Ok(Outcome::Duplicate);
        }
        let mut delivery = Delivery::default();
        for row in pending {
            debug!(
                outbox = row.id,
                parts_sent = row.parts_sent,
                "redelivered update; sending its unsent reply"
            );
            match row.kind {
                outbox::Kind::Edit { .. } => {
                    delivery.edit_id = Some(row.id);
                    delivery.reply.edit = row.messages.into_iter().next();
                }
                outbox::Kind::Send => {
                    delivery.id = Some(row.id);
                    delivery.skipped = row.parts_sent;
                    delivery.reply.messages = row.messages;
                }
            }
        }
        Ok(Outcome::Replied(delivery))
    }

    async fn ask_fallback(
        &self,
        request: FallbackRequest,
    ) -> Result<FallbackAnswer, FallbackError> {
        let Some(fallback) = self.fallback().cloned() else {
            return Ok(FallbackAnswer::Nothing);
        };
        let limit: Duration = self.settings().fallback_timeout;
        match tokio::time::timeout(limit, fallback.interpret(request)).await {
            Ok(answer) => answer,
            Err(_) => Err(FallbackError::Timeout),
        }
    }

    fn second_pass(
        &self,
        conn: &mut AnyConnection,
        msg: &Incoming,
        request: FallbackRequest,
        answer: Result<FallbackAnswer, FallbackError>,
    ) -> Result<Outcome, Error> {
        let turn = Turn::begin(self, conn, msg)?;
        let text = request.text.clone();
        let pass = self.finish(turn, msg, move |t| match answer {
            Ok(FallbackAnswer::Intent(intent)) => t.answer_from_fallback(intent, &text),
            Ok(FallbackAnswer::Answer(reply)) => Ok(Reply::text(reply)),
            Ok(FallbackAnswer::Nothing) => t.answer_parsed(request.rules, &text),
            Err(e) => {
                warn!(error = %e, "fallback failed; answering offline");
                let mut reply = t.answer_parsed(request.rules, &text)?;
                let note = Text::new().italic(format!("({e}, so this is my offline answer.)"));
                match reply.messages.last_mut() {
                    Some(last) => last.text = last.text.clone().line().append(note),
                    None => reply.messages.push(OutMessage::new(note)),
                }
                Ok(reply)
            }
        })?;
        Ok(match pass {
            Pass::Done(outcome) => outcome,
            // `finish` never asks again.
            Pass::AskFallback(_) => Outcome::Ignored,
        })
    }
}

/// "remind me every evening…": the words after "remind me", when the message starts so.
fn strip_remind_me(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let head = t.get(..9)?;
    head.eq_ignore_ascii_case("remind me")
        .then(|| &t[9..])
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// In a group, free text is for the bot only when it clearly records or asks something.
fn meant_for_bot(parsed: &Parsed) -> bool {
    parsed.confidence >= Confidence::GROUP_CHATTER
        && !matches!(
            parsed.intent,
            Intent::Unknown | Intent::Help | Intent::Advice
        )
}
