//! The one entry point: a platform-neutral message in, a platform-neutral reply out.

pub mod action;
mod actions;
mod charts;
pub mod command;
mod commands;
pub mod digest;
pub mod fallback;
pub mod format;
mod help;
mod intents;
mod linking;
pub mod message;
mod pending;
pub mod recurring;
mod reminders;
pub mod table;
mod turn;

use std::time::Duration;

use diesel::Connection as _;
use tracing::{debug, warn};

pub use action::Action;
pub use command::Command;
pub use message::{
    Attachment, AttachmentKind, Button, Chat, Content, Incoming, OutMessage, Reply, Sender, Style,
    Text,
};
pub use table::{COMMANDS, CommandSpec};

use self::fallback::{FallbackAnswer, FallbackError, FallbackRequest};
use self::turn::Turn;
use crate::db::AnyConnection;
use crate::domain::ChatKind;
use crate::error::{Error, ErrorKind};
use crate::parser::{Confidence, Intent, Parsed};
use crate::services::updates;
use crate::tally::Tally;

/// What the first, synchronous pass decided.
enum Pass {
    /// Finished (a reply, or `None` for a duplicate or ignored chatter).
    Done(Option<Reply>),
    /// The rules were unsure and a fallback is configured: ask it, then finish.
    AskFallback(Box<FallbackRequest>),
}

impl Tally {
    /// Handles one update from any platform.
    ///
    /// Returns `Ok(None)` when there is nothing to send: a redelivered update (its effects were
    /// committed the first time), or chatter in a group that was not meant for the bot. Errors the
    /// user caused come back as a friendly reply; `Err` is for failures on our side, after which
    /// nothing was recorded and a redelivery will be handled afresh.
    pub async fn handle(&self, msg: Incoming) -> Result<Option<Reply>, Error> {
        let span = tracing::info_span!(
            "handle",
            platform = %msg.platform,
            update = %msg.update_id,
            chat = ?msg.chat.kind
        );
        let _enter = span.enter();
        let this = self.clone();
        let first_msg = msg.clone();
        let pass = self
            .db()
            .write(move |conn| this.first_pass(conn, &first_msg))
            .await?;
        match pass {
            Pass::Done(reply) => Ok(reply),
            Pass::AskFallback(request) => {
                let answer = self.ask_fallback(*request.clone()).await;
                let this = self.clone();
                self.db()
                    .write(move |conn| this.second_pass(conn, &msg, *request, answer))
                    .await
            }
        }
    }

    fn first_pass(&self, conn: &mut AnyConnection, msg: &Incoming) -> Result<Pass, Error> {
        if updates::seen(conn, msg.platform, &msg.update_id)? {
            debug!("duplicate update ignored");
            return Ok(Pass::Done(None));
        }
        let command = match &msg.content {
            Content::Command { name, args } => Some(Command::from_slash(name, args)),
            Content::Typed(command) => Some(command.clone()),
            Content::Text(_) | Content::Action(_) => None,
        };
        if let Some(Command::GroupLedger { enable }) = command {
            return commands::group_ledger(self, conn, msg, enable).map(Pass::Done);
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
            if let Some(request) = turn.read_chart(text)? {
                return self.finish(turn, msg, move |t| t.chart(request));
            }
            if let Some(request) = turn.read_schedule(text, explicit)? {
                return self.finish(turn, msg, move |t| t.schedule(request));
            }
            let parsed = turn.parse(text)?;
            let group = msg.chat.kind == ChatKind::Group;
            if group && !explicit && !meant_for_bot(&parsed) {
                return Ok(Pass::Done(None));
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
            (None, _) => Ok(Pass::Done(None)),
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
            return Ok(Pass::Done(None));
        }
        let result = conn.transaction(|c| work(&mut Turn { conn: c, cx }));
        match result {
            Ok(reply) => Ok(Pass::Done(Some(reply))),
            Err(e) if e.kind() != ErrorKind::Internal => {
                debug!(error = %e, "user error");
                Ok(Pass::Done(Some(Reply::text(Text::plain_str(
                    e.user_message(),
                )))))
            }
            Err(e) => Err(e),
        }
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
    ) -> Result<Option<Reply>, Error> {
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
            Pass::Done(reply) => reply,
            Pass::AskFallback(_) => None,
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
