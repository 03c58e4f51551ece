//! `/login`, `/link [CODE]` and `/start CODE`: joining chats and the app into one account.

use chrono::Duration;

use super::message::{Reply, Text};
use super::turn::Turn;
use crate::auth::link;
use crate::domain::Platform;
use crate::error::Error;
use crate::services::linking::{self, Redeemed};

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
        let url = link::url(&self.cx.tally, &token);
        let minutes = self.link_minutes();
        Ok(Reply::text(
            Text::new()
                .bold("Log in to Tally on the web")
                .line()
                .plain(format!(
                    "Open this link within {minutes} minutes to choose a username and password, \
                     or to connect this chat to an account you already have:"
                ))
                .line()
                .plain(url)
                .line()
                .italic("It works once. Don't share it: it can take over this chat's account."),
        ))
    }

    /// `/link` hands out a code for another chat; `/link CODE` joins this chat to the code's account.
    pub(super) fn link_command(&mut self, args: &str) -> Result<Reply, Error> {
        if let Some(reply) = self.private_only("link") {
            return Ok(reply);
        }
        let code = args.split_whitespace().collect::<String>();
        if code.is_empty() {
            self.give_code()
        } else {
            self.redeem(&code)
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
        if self.cx.source.platform != Platform::Telegram
            && let Some(start) = linking::telegram_start_link(self.conn, &code.code)?
        {
            text = text
                .line()
                .plain("On Telegram, you can just open ")
                .plain(start);
        }
        Ok(Reply::text(
            text.line().italic("The code works once. Don't share it."),
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
            Redeemed::Linked(merged) => {
                let mut t =
                    Text::new().plain("✅ Linked! This chat now shares one account and ledger");
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
                t
            }
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
}
