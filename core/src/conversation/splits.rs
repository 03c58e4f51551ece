//! Shared expenses in a group chat: `/split`, `/balances`, `/settle`, `/paid` and their buttons.

use super::action::Action;
use super::command::SplitCommand;
use super::format;
use super::message::{Button, Mention, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::domain::{AccountId, Platform, TransactionId, TransactionKind};
use crate::error::Error;
use crate::money::{Money, Rounding};
use crate::parser::shared::{Person, SharedIntent};
use crate::services::splits::{self, Payment, Position, Settlement, SplitEntry};
use crate::services::transactions::NewTransaction;
use crate::services::{categories, ledgers};
use crate::split::{Mode, Value};

/// Someone a message names: a platform username, a member by platform user id (a Telegram
/// `text_mention`, a Discord mention), or the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Username(String),
    /// A platform user id, and their name when the platform gave one.
    UserId {
        id: String,
        name: Option<String>,
    },
    Me,
}

/// Who shares an expense, as the words after the amount say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// `for @ann`: the money was for the others only.
    pub payer_excluded: bool,
    pub named: Vec<(Who, Option<Value>)>,
}

/// Reads `for @ann 2x with @ben, @cat 30 and me`. Words that are neither a member, a value
/// right after one, nor a joining word are refused, so a typo never silently drops someone.
///
/// `<@id>` is read as a user id only where the platform writes mentions so (`ids_in_text`,
/// Discord); elsewhere anyone could type it.
pub fn read_members(
    words: &str,
    mentions: &[Mention],
    ids_in_text: bool,
) -> Result<Members, Error> {
    let mut out = Members::default();
    let mut last_valued = true;
    let words: Vec<&str> = words
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == ',' || c == ';'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        i += 1;
        let lower = word.to_ascii_lowercase();
        // A mention the platform marked (possibly several words: "Ann Smith").
        if let Some(m) = mentions.iter().find(|m| {
            let parts: Vec<&str> = m.text.split_whitespace().collect();
            !parts.is_empty()
                && words.len() >= i - 1 + parts.len()
                && words[i - 1..i - 1 + parts.len()]
                    .iter()
                    .zip(&parts)
                    .all(|(a, b)| a.trim_start_matches('@') == b.trim_start_matches('@'))
        }) {
            i += m.text.split_whitespace().count() - 1;
            out.named.push((
                Who::UserId {
                    id: m.user_id.clone(),
                    name: Some(m.name.clone()),
                },
                None,
            ));
            last_valued = false;
        } else if ids_in_text
            && let Some(id) = word.strip_prefix("<@").and_then(|r| r.strip_suffix('>'))
        {
            let id = id.trim_start_matches('!');
            out.named.push((
                Who::UserId {
                    id: id.to_owned(),
                    name: None,
                },
                None,
            ));
            last_valued = false;
        } else if let Some(name) = word.strip_prefix('@') {
            let who = if name.eq_ignore_ascii_case("me") {
                Who::Me
            } else {
                Who::Username(name.to_owned())
            };
            out.named.push((who, None));
            last_valued = false;
        } else if matches!(lower.as_str(), "me" | "myself") {
            out.named.push((Who::Me, None));
            last_valued = false;
        } else if !last_valued && let Some(v) = Value::read(word) {
            if let Some(last) = out.named.last_mut() {
                last.1 = Some(v);
            }
            last_valued = true;
        } else if lower == "for" && out.named.is_empty() {
            out.payer_excluded = true;
        } else if matches!(
            lower.as_str(),
            "with" | "and" | "&" | "among" | "between" | "everyone" | "all" | "everybody" | "us"
        ) {
        } else {
            return Err(Error::invalid(
                "members",
                format!(
                    "I didn't get \"{word}\". Name people with @, e.g. @ann @ben, @ann 2x, \
                     @ann 30 or @ann 50%."
                ),
            ));
        }
    }
    Ok(out)
}

/// Moves the words from the first platform mention in `amount` on (with a `for` or `with`
/// just before it) into the members.
fn cut_at_mentions(amount: &str, members: &str, mentions: &[Mention]) -> (String, String) {
    let words: Vec<&str> = amount.split_whitespace().collect();
    let first = mentions
        .iter()
        .filter_map(|m| {
            let first_word = m.text.split_whitespace().next()?;
            words.iter().position(|w| w.trim_matches(',') == first_word)
        })
        .min();
    let Some(mut cut) = first else {
        return (amount.to_owned(), members.to_owned());
    };
    while cut > 1
        && matches!(
            words[cut - 1].to_ascii_lowercase().as_str(),
            "for" | "with" | "among" | "between"
        )
    {
        cut -= 1;
    }
    (
        words[..cut].join(" "),
        format!("{} {members}", words[cut..].join(" ")),
    )
}

fn mode_words(mode: Mode, n: usize) -> String {
    match mode {
        Mode::Equal => format!("split {n} ways"),
        Mode::Shares => "split by shares".into(),
        Mode::Exact => "split by amounts".into(),
        Mode::Percent => "split by percentages".into(),
    }
}

impl Turn<'_> {
    /// Whether `<@id>` in the words is the platform's own mention syntax (Discord's).
    fn ids_in_text(&self) -> bool {
        self.cx.source.platform == Platform::Discord
    }

    fn require_group_chat(&self) -> Result<(), Error> {
        if self.is_group() {
            Ok(())
        } else {
            Err(Error::invalid(
                "command",
                "Shared expenses live in a group: use this in the group chat.",
            ))
        }
    }

    /// The member a mention names in this group.
    pub(crate) fn resolve_who(&mut self, who: &Who) -> Result<AccountId, Error> {
        let ledger = self.cx.ledger.id;
        match who {
            Who::Me => Ok(self.cx.account.id),
            Who::Username(name) => splits::mentioned(
                self.conn,
                ledger,
                name,
                self.cx.tally.settings().defaults,
                self.cx.now,
            ),
            Who::UserId { id, name } => {
                // Discord shows `<@id>` as the person's name until they write themselves.
                let shown = name.clone().unwrap_or_else(|| format!("<@{id}>"));
                let account = crate::services::accounts::resolve_identity(
                    self.conn,
                    self.cx.source.platform,
                    id,
                    &shown,
                    self.cx.tally.settings().defaults,
                    self.cx.now,
                )?;
                splits::add_mentioned_member(self.conn, ledger, account.id, self.cx.now)?;
                Ok(account.id)
            }
        }
    }

    /// `/split AMOUNT [NOTE] [@member…]`: the sender paid.
    pub(crate) fn split_command(&mut self, command: SplitCommand) -> Result<Reply, Error> {
        let me = self.cx.account.id;
        // A mention without `@` (a Telegram text mention) starts the members too.
        let (amount, members) =
            cut_at_mentions(&command.amount, &command.members, &self.cx.mentions);
        self.split_paid_by(me, &amount, &members)
    }

    /// Records a shared expense paid by `payer`; `amount` is the amount and note as written.
    pub(crate) fn split_paid_by(
        &mut self,
        payer: AccountId,
        amount: &str,
        members: &str,
    ) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let members = read_members(members, &self.cx.mentions, self.ids_in_text())?;
        let vocabulary = self.vocabulary()?;
        let ctx = self.parse_context(&vocabulary);
        let add = self
            .cx
            .tally
            .parser()
            .parse_add_args(amount, TransactionKind::Expense, &ctx)
            .map_err(|e| {
                let said = e
                    .to_string()
                    .replace("/spent 12.50 lunch", "/split 90 taxi @ann @ben");
                Error::invalid("amount", said)
            })?;
        let money = Money::from_decimal(add.amount, add.currency, Rounding::Reject)
            .map_err(|e| Error::money("amount", e))?;
        let ledger = self.cx.ledger.id;
        let category = categories::resolve_or_other(
            self.conn,
            ledger,
            TransactionKind::Expense,
            &add.category,
        )?;
        let mut named = Vec::with_capacity(members.named.len());
        for (who, value) in &members.named {
            named.push((self.resolve_who(who)?, *value));
        }
        let entry = splits::record(
            self.conn,
            self.cx.account.id,
            ledger,
            NewTransaction {
                kind: TransactionKind::Expense,
                money,
                category: category.name,
                date: add.date,
                note: add.note,
                source: self.cx.source.clone(),
            },
            payer,
            !members.payer_excluded,
            &named,
            self.cx.now,
        )?;
        Ok(Reply::message(self.split_message(&entry)))
    }

    /// "✅ Ann paid $90.00 · Transport · today — taxi, split 3 ways:" and each share.
    pub(crate) fn split_message(&self, entry: &SplitEntry) -> OutMessage {
        let mut text = Text::new()
            .plain(format!("✅ {} paid ", entry.payer_name))
            .append(format::transaction_line(&entry.transaction, self.cx.today))
            .plain(format!(", {}:", mode_words(entry.mode, entry.shares.len())));
        for share in &entry.shares {
            text = text
                .line()
                .plain(format!("• {} ", share.name))
                .bold(share.money.to_string());
        }
        OutMessage::new(text).with_buttons(vec![vec![Button {
            label: "↩ Undo".into(),
            action: Action::Undo(entry.transaction.id),
        }]])
    }

    /// The "Split among all" button under a plain group expense.
    pub(crate) fn split_existing(&mut self, id: TransactionId) -> Result<Reply, Error> {
        let entry = splits::share_among_all(self.conn, self.cx.account.id, id, self.cx.now)?;
        Ok(Reply {
            edit: Some(self.split_message(&entry)),
            notice: Some("Split among everyone".into()),
            ..Reply::default()
        })
    }

    /// `/split unmerge @ann`.
    pub(crate) fn unmerge_command(&mut self, username: &str) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let done = splits::unmerge(self.conn, self.cx.account.id, self.cx.ledger.id, username)?;
        Ok(Reply::text(Text::plain_str(if done {
            format!("Done: @{username} stands apart again, with the shares named for them.")
        } else {
            format!("@{username} wasn't merged into anyone here.")
        })))
    }

    /// `/balances`, "who owes whom?".
    pub(crate) fn balances_command(&mut self) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let positions = splits::balances(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        Ok(Reply::text(balances_text(&positions, self.cx.account.id)))
    }

    /// "How much do I owe?": the sender's own position, then everyone's.
    pub(crate) fn my_balance(&mut self) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let positions = splits::balances(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        let mine: Vec<&Position> = positions
            .iter()
            .filter(|p| p.account == self.cx.account.id)
            .collect();
        let mut text = if mine.is_empty() {
            Text::plain_str("You're all square: you owe nothing and nobody owes you.")
        } else {
            let mut t = Text::new();
            for (i, p) in mine.iter().enumerate() {
                if i > 0 {
                    t = t.line();
                }
                t = if p.net.is_negative() {
                    t.plain("You owe ")
                        .bold(p.net.abs().to_string())
                        .plain(" in all.")
                } else {
                    t.plain("You are owed ")
                        .bold(p.net.to_string())
                        .plain(" in all.")
                };
            }
            t
        };
        text = text
            .line()
            .append(balances_text(&positions, self.cx.account.id));
        Ok(Reply::text(text))
    }

    /// `/settle`: the fewest payments, each with a button to record it.
    pub(crate) fn settle_command(&mut self) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let plan = splits::settle_plan(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        if plan.is_empty() {
            return Ok(Reply::text(Text::plain_str(
                "Everyone is settled up: nobody owes anything.",
            )));
        }
        let n = plan.len();
        let mut text = Text::new().plain(format!(
            "To settle up, {n} payment{}:",
            if n == 1 { "" } else { "s" }
        ));
        let mut rows = Vec::new();
        for p in &plan {
            text = text.line().append(payment_line(p));
            let action = Action::SettlePaid {
                from: p.from,
                to: p.to,
                money: p.money,
            };
            if action.encode().len() <= 64 {
                rows.push(vec![Button {
                    label: format!("✅ {} paid {} {}", p.from_name, p.to_name, p.money),
                    action,
                }]);
            }
        }
        Ok(Reply::message(OutMessage::new(text).with_buttons(rows)))
    }

    /// `/paid @ann 20`, "I paid Ann 20": the sender paid Ann.
    pub(crate) fn paid_command(&mut self, words: &str) -> Result<Reply, Error> {
        self.require_group_chat()?;
        let usage = "Say who you paid and how much, e.g. /paid @ann 20";
        let mut who = None;
        let mut rest = Vec::new();
        let mut words = words.to_owned();
        if let Some(m) = self
            .cx
            .mentions
            .iter()
            .find(|m| words.contains(m.text.as_str()))
        {
            who = Some(Who::UserId {
                id: m.user_id.clone(),
                name: Some(m.name.clone()),
            });
            words = words.replacen(m.text.as_str(), " ", 1);
        }
        for w in words.split_whitespace() {
            if who.is_none() && (w.starts_with('@') || w.starts_with("<@")) {
                let members = read_members(w, &[], self.ids_in_text())?;
                who = members.named.into_iter().next().map(|(w, _)| w);
            } else {
                rest.push(w);
            }
        }
        let who = who.ok_or_else(|| Error::invalid("member", usage))?;
        let to = self.resolve_who(&who)?;
        let money = self
            .amount_of(&rest.join(" "))
            .ok_or_else(|| Error::invalid("amount", usage))??;
        let me = self.cx.account.id;
        self.record_settlement(me, to, money)
    }

    /// The amount in words like `20` or `20 EUR`, in the sender's currency unless named.
    pub(crate) fn amount_of(&mut self, words: &str) -> Option<Result<Money, Error>> {
        if words.trim().is_empty() {
            return None;
        }
        let vocabulary = self.vocabulary().ok()?;
        let ctx = self.parse_context(&vocabulary);
        let add = self
            .cx
            .tally
            .parser()
            .parse_add_args(words, TransactionKind::Expense, &ctx)
            .ok()?;
        Some(
            Money::from_decimal(add.amount, add.currency, Rounding::Reject)
                .map_err(|e| Error::money("amount", e)),
        )
    }

    pub(crate) fn record_settlement(
        &mut self,
        from: AccountId,
        to: AccountId,
        money: Money,
    ) -> Result<Reply, Error> {
        let s = splits::settle(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            from,
            to,
            money,
            self.cx.today,
            &self.cx.source,
            self.cx.now,
        )?;
        Ok(Reply::message(settlement_message(&s)))
    }

    /// The settle-up message's button: record that payment.
    pub(crate) fn settle_pressed(
        &mut self,
        from: AccountId,
        to: AccountId,
        money: Money,
    ) -> Result<Reply, Error> {
        ledgers::access_to_write(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        let mut reply = self.record_settlement(from, to, money)?;
        reply.notice = Some("Recorded".into());
        Ok(reply)
    }

    pub(crate) fn undo_settlement(&mut self, id: i64) -> Result<Reply, Error> {
        let s = splits::undo_settlement(self.conn, self.cx.account.id, id, self.cx.now).map_err(
            |e| match e {
                Error::NotFound { .. } => {
                    Error::Conflict("That settlement is already gone.".into())
                }
                other => other,
            },
        )?;
        Ok(Reply {
            edit: Some(OutMessage::new(
                Text::plain_str("↩ Undone: ").append(settlement_line(&s)),
            )),
            notice: Some("Undone".into()),
            ..Reply::default()
        })
    }
}

fn payment_line(p: &Payment) -> Text {
    Text::new()
        .plain(format!("• {} pays {} ", p.from_name, p.to_name))
        .bold(p.money.to_string())
}

fn settlement_line(s: &Settlement) -> Text {
    Text::new()
        .plain(format!("{} paid {} ", s.from_name, s.to_name))
        .bold(s.money.to_string())
        .plain(" (a settlement, not spending)")
}

fn settlement_message(s: &Settlement) -> OutMessage {
    OutMessage::new(Text::plain_str("✅ Recorded: ").append(settlement_line(s))).with_buttons(vec![
        vec![Button {
            label: "↩ Undo".into(),
            action: Action::UndoSettlement(s.id),
        }],
    ])
}

/// Each member's position per currency; the reader's own line says "you".
pub(crate) fn balances_text(positions: &[Position], me: AccountId) -> Text {
    if positions.is_empty() {
        return Text::plain_str("Everyone is settled up: nobody owes anything.");
    }
    let mut text = Text::new().bold("Balances");
    let mut currency = None;
    for p in positions {
        let c = p.net.currency();
        if currency != Some(c) {
            text = text.line().italic(format!("{}:", c.code()));
            currency = Some(c);
        }
        let name = if p.account == me {
            "You".to_owned()
        } else {
            p.name.clone()
        };
        let verb = match (p.account == me, p.net.is_negative()) {
            (true, true) => "owe",
            (true, false) => "are owed",
            (false, true) => "owes",
            (false, false) => "is owed",
        };
        text = text
            .line()
            .plain(format!("• {name} {verb} "))
            .bold(p.net.abs().to_string());
    }
    text
}

impl Turn<'_> {
    /// Free text about shared money, read by [`crate::parser::shared`].
    pub(crate) fn shared_text(&mut self, intent: SharedIntent) -> Result<Reply, Error> {
        match intent {
            SharedIntent::Split {
                payer,
                amount,
                members,
                ways,
            } => {
                self.require_group_chat()?;
                let payer = self.person(&payer)?;
                if let Some(n) = ways
                    && members.trim().is_empty()
                {
                    let everyone = splits::members(self.conn, self.cx.ledger.id)?.len();
                    if usize::try_from(n).ok() != Some(everyone) {
                        return Err(Error::invalid(
                            "members",
                            format!(
                                "This group has {everyone} members I know of, not {n}. Name who \
                                 shares it, e.g. split with @ann @ben."
                            ),
                        ));
                    }
                }
                self.split_paid_by(payer, &amount, &members)
            }
            SharedIntent::Settlement { from, to, amount } => {
                self.require_group_chat()?;
                let from = self.person(&from)?;
                let to = self.person(&to)?;
                let money = self.amount_of(&amount).ok_or_else(|| {
                    Error::invalid("amount", "Say how much, e.g. I paid Ann 20")
                })??;
                self.record_settlement(from, to, money)
            }
            SharedIntent::Balances => self.balances_command(),
            SharedIntent::MyBalance => self.my_balance(),
        }
    }

    /// The member a person in free text is: the sender, a mentioned username, or a member
    /// whose name (or first name) is the word, when exactly one is.
    fn person(&mut self, p: &Person) -> Result<AccountId, Error> {
        match p {
            Person::Me => Ok(self.cx.account.id),
            Person::Username(u) => self.resolve_who(&Who::Username(u.clone())),
            Person::Name(name) => {
                if let Some(m) = self.cx.mentions.iter().find(|m| m.text == *name) {
                    let who = Who::UserId {
                        id: m.user_id.clone(),
                        name: Some(m.name.clone()),
                    };
                    return self.resolve_who(&who);
                }
                let wanted = name.to_lowercase();
                let found: Vec<AccountId> = splits::members(self.conn, self.cx.ledger.id)?
                    .into_iter()
                    .filter(|(_, shown)| {
                        let shown = shown.to_lowercase();
                        shown == wanted
                            || shown.split_whitespace().next() == Some(wanted.as_str())
                            || shown.trim_start_matches('@') == wanted
                    })
                    .map(|(id, _)| id)
                    .collect();
                match found.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(Error::invalid(
                        "member",
                        format!("I don't know who {name} is in this group. Mention them with @."),
                    )),
                    _ => Err(Error::invalid(
                        "member",
                        format!("More than one member is called {name}. Mention them with @."),
                    )),
                }
            }
        }
    }
}

/// Says so when this message merged a placeholder `@username` into the sender, and how to
/// undo it.
pub(crate) fn with_merge_note(mut reply: Reply, merged: Option<&str>) -> Reply {
    let Some(username) = merged else {
        return reply;
    };
    let note = Text::new().italic(format!(
        "(You were mentioned here as @{username} before you wrote; those shares are yours now. \
         Not you? /split unmerge @{username})"
    ));
    match reply.messages.last_mut() {
        Some(last) => last.text = last.text.clone().line().append(note),
        None => reply.messages.push(OutMessage::new(note)),
    }
    reply
}
