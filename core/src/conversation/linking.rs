//! `/login`, `/link [CODE|confirm|cancel]`, `/start CODE` and `/unlink`: joining chats and the app
//! into one account, with the redeeming chat's consent, and undoing it.

use chrono::Duration;

use super::action::Action;
use super::message::{Button, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::auth::link;
use crate::domain::Platform;
use crate::error::Error;
use crate::services::linking::{self, LinkPreview, MergeOutcome, Redeemed};
use crate::services::pending_links::{self, Confirmed};
use crate::services::unlinking;

fn platform_title(p: Platform) -> &'static str {
    p.title()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Turn<'_> {
    fn link_ttl(&self) -> Duration {
        Duration::from_std(self.cx.tally.auth().settings().link_ttl)
            .unwrap_or(Duration::minutes(10))
    }

    fn link_minutes(&self) -> i64 {
        self.link_ttl().num_minutes().max(1)
    }

    /// Codes and links act on the sender's account: never hand them out where others read.
    fn private_only(&self, command: &str) -> Option<Reply> {
        self.is_group().then(|| {
            Reply::text(
                Text::new()
                    .plain("For your security, send ")
                    .code(format!("/{command}"))
                    .plain(" to me in a private chat (a direct message), not in a group."),
            )
        })
    }

    /// A one-time link to the web page that sets a password or joins an existing account.
    pub(super) fn login_command(&mut self) -> Result<Reply, Error> {
        if let Some(reply) = self.private_only("login") {
            return Ok(reply);
        }
        if self.cx.source.platform == Platform::Web {
            return Ok(Reply::text(Text::plain_str(
                "You're signed in to the app already. To add a chat, send /link here and the code to the bot there.",
            )));
        }
        let token = link::issue_token(
            &self.cx.tally,
            self.conn,
            self.cx.source.platform,
            &self.cx.sender_id,
            self.cx.account.id,
            self.cx.now,
        )?;
        let Some(url) = self.cx.tally.login_page(&token) else {
            return Ok(Reply::text(Text::plain_str(
                "This Tally has no web app to log in to. To use one account in several chats, \
                 send /link here and the code to the bot in the other chat.",
            )));
        };
        let minutes = self.link_minutes();
        Ok(Reply::message(
            OutMessage::new(Text::new()
                .bold("Log in to Tally on the web")
                .line()
                .plain(format!(
                    "Open this link within {minutes} minutes to choose a username and password, \
                     or to connect this chat to an account you already have:"
                ))
                .line()
                .plain(url)
                .line()
                .italic("It works once. Don't share it: it can take over this chat's account."))
            .without_link_preview(),
        ))
    }

    /// `/link` hands out a code for another chat; `/link CODE` joins this chat to the code's account.
    pub(super) fn link_command(&mut self, args: &str) -> Result<Reply, Error> {
        if let Some(reply) = self.private_only("link") {
            return Ok(reply);
        }
        let code = args.split_whitespace().collect::<String>();
        match code.to_ascii_lowercase().as_str() {
            "" => self.give_code(),
            // The typed fallback for chats without buttons.
            "confirm" | "yes" => self.confirm_link(None),
            "cancel" | "no" => self.cancel_link(None),
            _ => self.redeem(&code),
        }
    }

    fn give_code(&mut self) -> Result<Reply, Error> {
        let ttl = self.link_ttl();
        let code = linking::create_code(self.conn, self.cx.account.id, ttl, self.cx.now)?;
        let mut text = Text::new()
            .plain("Your link code: ")
            .code(code.code.clone())
            .line()
            .plain("In your other chat with me (Telegram, Discord…), send ")
            .code(format!("/link {}", code.code))
            .plain(format!(
                " within {} minutes. Both chats will then share one account and ledger.",
                self.link_minutes()
            ));
        let tally = self.cx.tally.clone();
        for (platform, start) in
            tally.start_links(self.conn, &code.code, self.cx.source.platform)?
        {
            text = text
                .line()
                .plain(format!("On {}, you can just open ", platform.title()))
                .plain(start);
        }
        Ok(Reply::message(
            OutMessage::new(text.line().italic(
                "The code works once. Don't share it: whoever sends it can join your account.",
            ))
            .without_link_preview(),
        ))
    }

    fn redeem(&mut self, code: &str) -> Result<Reply, Error> {
        let outcome = linking::redeem_code(
            self.conn,
            self.cx.source.platform,
            &self.cx.sender_id,
            self.cx.account.id,
            code,
            self.cx.now,
        )?;
        let text = match outcome {
            Redeemed::Pending(preview) => return Ok(self.ask_consent(&preview)),
            Redeemed::AlreadyLinked(_) => {
                Text::plain_str("This chat is already connected to that account. Nothing to do.")
            }
            Redeemed::Failed { tries_left } => Text::new()
                .plain(
                    "That code didn't work: it may be mistyped, expired, or used already. \
                     Get a new one with ",
                )
                .code("/link")
                .plain(" in your other chat, or from the app.")
                .line()
                .italic(format!(
                    "{tries_left} {} left for now.",
                    if tries_left == 1 { "try" } else { "tries" }
                )),
        };
        Ok(Reply::text(text))
    }

    /// Says which account the code joins and what would move, and asks before doing anything.
    fn ask_consent(&self, p: &LinkPreview) -> Reply {
        let mut whose = Text::new();
        match &p.target.username {
            Some(name) => whose = whose.plain("the Tally account ").bold(name.clone()),
            None => whose = whose.plain("a Tally account"),
        }
        if !p.target_chats.is_empty() {
            let chats: Vec<String> = p
                .target_chats
                .iter()
                .map(|(platform, name)| format!("{name} on {}", platform_title(*platform)))
                .collect();
            whose = whose.plain(format!(" (used by {})", chats.join(", ")));
        }
        let mut text = Text::new()
            .bold("Link this chat to another account?")
            .line()
            .plain("This code belongs to ")
            .append(whose)
            .plain(".")
            .line();
        if p.both_have_logins {
            text = text.plain(linking::BOTH_LOGINS);
            return Reply::text(text);
        }
        let mut moving = plural(p.moving_entries, "entry", "entries");
        if p.moving_groups > 0 {
            moving.push_str(&format!(
                " and {}",
                plural(p.moving_groups, "group membership", "group memberships")
            ));
        }
        text = text
            .plain(format!(
                "If you confirm, this chat and that account become one account with one ledger: \
                 this chat's {moving} move there, and whoever uses that account sees them \
                 (and you see theirs)."
            ))
            .line()
            .italic(
                "Only confirm if that account is yours. Nothing happens until you do; /unlink \
                 undoes it later. No buttons? Send /link confirm or /link cancel.",
            );
        Reply::message(OutMessage::new(text).with_buttons(vec![vec![
            Button {
                label: "✅ Confirm link".into(),
                action: Action::LinkConfirm(p.id),
            },
            Button {
                label: "✖ Cancel".into(),
                action: Action::LinkCancel(p.id),
            },
        ]]))
    }

    /// The Confirm button (or `/link confirm`): merges, if this chat redeemed the code.
    pub(super) fn confirm_link(&mut self, id: Option<i64>) -> Result<Reply, Error> {
        if let Some(reply) = self.private_only("link") {
            return Ok(reply);
        }
        let outcome = pending_links::confirm(
            self.conn,
            self.cx.source.platform,
            &self.cx.sender_id,
            id,
            self.cx.now,
        )?;
        let text = match outcome {
            Confirmed::Linked(merged) => linked_text(&merged),
            Confirmed::AlreadyLinked(_) => {
                Text::plain_str("This chat is already connected to that account. Nothing to do.")
            }
        };
        Ok(self.answer(id, text, "Linked"))
    }

    /// The Cancel button (or `/link cancel`).
    pub(super) fn cancel_link(&mut self, id: Option<i64>) -> Result<Reply, Error> {
        pending_links::cancel(
            self.conn,
            self.cx.source.platform,
            &self.cx.sender_id,
            id,
            self.cx.now,
        )?;
        let text = Text::plain_str("Okay, nothing was linked. The code is used up; nothing moved.");
        Ok(self.answer(id, text, "Cancelled"))
    }

    /// A button press edits the message that asked; a typed answer gets a new message.
    fn answer(&self, pressed: Option<i64>, text: Text, notice: &str) -> Reply {
        match pressed {
            Some(_) => Reply {
                edit: Some(OutMessage::new(text)),
                notice: Some(notice.into()),
                ..Reply::default()
            },
            None => Reply::text(text),
        }
    }

    /// `/unlink`: this chat leaves its account for a fresh one; the history stays behind.
    pub(super) fn unlink_command(&mut self) -> Result<Reply, Error> {
        if let Some(reply) = self.private_only("unlink") {
            return Ok(reply);
        }
        if self.cx.source.platform == Platform::Web {
            return Ok(Reply::text(Text::plain_str(
                "The app's own login can't be unlinked. To unlink a chat, send /unlink in that \
                 chat, or remove it under your identities in the app.",
            )));
        }
        let Some(id) = unlinking::find(
            self.conn,
            self.cx.account.id,
            self.cx.source.platform,
            &self.cx.sender_id,
        )?
        else {
            return Err(Error::not_found("identity"));
        };
        let defaults = self.cx.tally.settings().defaults;
        let done = unlinking::detach(self.conn, self.cx.account.id, id, defaults, self.cx.now)?;
        let kept = match &done.kept_by.username {
            Some(name) => Text::new().plain("the account ").bold(name.clone()),
            None => Text::plain_str("your other account"),
        };
        Ok(Reply::text(
            Text::new()
                .plain("✅ Unlinked. This chat now has a fresh account of its own, with an empty ledger.")
                .line()
                .plain("Everything recorded so far stays with ")
                .append(kept)
                .plain(", reachable from your other chats and the app. To join again, use ")
                .code("/link")
                .plain("."),
        ))
    }
}

fn linked_text(merged: &MergeOutcome) -> Text {
    let mut t = Text::new().plain("✅ Linked! This chat now shares one account and ledger");
    if let Some(name) = &merged.survivor.username {
        t = t.plain(" with ").bold(name.clone());
    }
    t = t.plain(".");
    if merged.moved_transactions > 0 {
        t = t.plain(format!(
            " {} {} moved over, nothing was lost.",
            merged.moved_transactions,
            if merged.moved_transactions == 1 {
                "entry was"
            } else {
                "entries were"
            }
        ));
    }
    t.line().italic("Changed your mind? /unlink undoes it.")
}
