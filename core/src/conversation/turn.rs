//! One update being handled: who is asking, in which ledger, on which day.

use chrono::{DateTime, NaiveDate, Utc};

use super::fallback::FallbackRequest;
use super::message::{Incoming, Reply, Text};
use crate::db::AnyConnection;
use crate::domain::ChatKind;
use crate::error::Error;
use crate::models::account::Account;
use crate::models::ledger::Ledger;
use crate::parser::{ParseContext, Parsed, Vocabulary};
use crate::services::transactions::Source;
use crate::services::{accounts, categories, keywords, ledgers, splits};
use crate::tally::Tally;

/// The update's context, independent of the connection (so it can move into a savepoint).
#[derive(Clone)]
pub(crate) struct Cx {
    pub tally: Tally,
    pub account: Account,
    pub ledger: Ledger,
    pub chat_kind: ChatKind,
    /// How replies name the sender in a group.
    pub sender_name: String,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub source: Source,
    /// `platform:chat id`, for per-chat state such as fallback history.
    pub chat_key: String,
    /// The chat's id on its platform: where digests, schedules and reminders report back.
    pub chat_id: String,
    /// The sender's platform user id: with `source.platform`, the identity (for linking).
    pub sender_id: String,
    /// People the platform marked in the message (shared expenses name them).
    pub mentions: Vec<super::message::Mention>,
    /// A placeholder `@username` this message merged into the sender, to say so in the reply.
    pub merged: Option<String>,
}

pub(crate) struct Turn<'a> {
    pub conn: &'a mut AnyConnection,
    pub cx: Cx,
}

/// The sender's account, created (with its personal ledger) the first time they write.
pub(crate) fn sender_account(
    tally: &Tally,
    conn: &mut AnyConnection,
    msg: &Incoming,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    accounts::resolve_identity(
        conn,
        msg.platform,
        &msg.sender.id,
        &msg.sender.display_name,
        tally.settings().defaults,
        now,
    )
}

impl<'a> Turn<'a> {
    /// Finds (or creates) the sender's account and the chat's ledger, and joins them.
    pub fn begin(
        tally: &Tally,
        conn: &'a mut AnyConnection,
        msg: &Incoming,
    ) -> Result<Turn<'a>, Error> {
        let now = tally.now();
        let account = sender_account(tally, conn, msg, now)?;
        let mut merged = None;
        let ledger = match msg.chat.kind {
            ChatKind::Private => ledgers::personal(conn, account.id)?,
            ChatKind::Group => {
                let title = msg.chat.title.as_deref().unwrap_or("Group");
                let ledger = match ledgers::find_group(conn, msg.platform, &msg.chat.id)? {
                    Some(l) => l,
                    None => ledgers::open_group(
                        conn,
                        msg.platform,
                        &msg.chat.id,
                        title,
                        account.default_currency,
                        now,
                    )?,
                };
                ledgers::join(
                    conn,
                    ledger.id,
                    account.id,
                    &msg.sender.display_name,
                    msg.sender.role,
                    now,
                )?;
                if let Some(username) = &msg.mentions.sender_username {
                    merged = splits::claim_username(conn, ledger.id, username, account.id, now)?;
                }
                ledger
            }
        };
        let today = tally.today_in(account.timezone, msg.at);
        let sender_name = accounts::clean_display_name(&msg.sender.display_name);
        Ok(Turn {
            conn,
            cx: Cx {
                tally: tally.clone(),
                account,
                ledger,
                chat_kind: msg.chat.kind,
                sender_name,
                today,
                now,
                source: Source {
                    platform: msg.platform,
                    reference: msg.message_ref.clone(),
                },
                chat_key: format!("{}:{}", msg.platform, msg.chat.id),
                chat_id: msg.chat.id.clone(),
                sender_id: msg.sender.id.clone(),
                mentions: msg.mentions.users.clone(),
                merged,
            },
        })
    }

    pub fn is_group(&self) -> bool {
        self.cx.chat_kind == ChatKind::Group
    }

    /// The user's words plus the ledger's own (non-default) categories.
    pub fn vocabulary(&mut self) -> Result<Vocabulary, Error> {
        let custom = categories::custom_of(self.conn, self.cx.ledger.id)?;
        keywords::vocabulary(self.conn, Some(self.cx.account.id), &custom)
    }

    pub fn parse(&mut self, text: &str) -> Result<Parsed, Error> {
        let vocabulary = self.vocabulary()?;
        let ctx = ParseContext {
            today: self.cx.today,
            currency: self.cx.account.default_currency,
            date_order: self.cx.account.date_order,
            vocabulary: &vocabulary,
        };
        Ok(self.cx.tally.parser().parse(text, &ctx))
    }

    pub fn fallback_request(
        &mut self,
        text: &str,
        rules: Parsed,
    ) -> Result<FallbackRequest, Error> {
        let categories = categories::all_of(self.conn, self.cx.ledger.id, false)?
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        Ok(FallbackRequest {
            account: self.cx.account.id,
            ledger: self.cx.ledger.id,
            chat_key: self.cx.chat_key.clone(),
            text: text.to_owned(),
            today: self.cx.today,
            currency: self.cx.account.default_currency,
            categories,
            rules,
        })
    }

    pub fn reply_inactive_ledger(&self) -> Reply {
        Reply::text(Text::plain_str(format!(
            "Tally is switched off in this channel. An admin can switch it on with /{} enable.",
            super::table::GROUP_LEDGER
        )))
    }
}
