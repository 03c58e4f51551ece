//! Carrying out what a message means, and saying what was done.

use std::collections::HashMap;

use super::action::{Action, ChartButton};
use super::format;
use super::help;
use super::message::{Button, OutMessage, Reply, Text};
use super::pending;
use super::turn::Turn;
use crate::domain::{AccountId, CategoryName, TransactionKind};
use crate::error::Error;
use crate::models::transaction::Transaction;
use crate::money::{Money, Rounding};
use crate::parser::{AddIntent, BudgetIntent, Intent, Metric, Parsed, QueryIntent};
use crate::period::DateRange;
use crate::services::budgets::BudgetAlert;
use crate::services::home_totals::InHome;
use crate::services::transactions::{self, Filter, NewTransaction};
use crate::services::{analytics, budgets, categories, charges, ledgers};

/// How many suggestion buttons an `other` transaction gets.
const SUGGESTIONS: usize = 3;
pub(crate) const DEFAULT_RECENT: u32 = 5;
pub(crate) const MAX_RECENT: u32 = 50;

impl Turn<'_> {
    /// Answers a parse of free text: acts when sure, asks when a write is in doubt.
    pub fn answer_parsed(&mut self, parsed: Parsed, text: &str) -> Result<Reply, Error> {
        if matches!(parsed.intent, Intent::Query(_) | Intent::Unknown)
            && let Some(kind) = self.cx.tally.parser().record_without_amount(text)
        {
            return Ok(Reply::text(help::no_amount(kind)));
        }
        if parsed.intent == Intent::Unknown {
            return Ok(Reply::text(help::not_understood(text)));
        }
        if !parsed.confidence.is_confident() {
            match parsed.intent {
                Intent::Add(add) => return self.confirm_add(add, true),
                Intent::BudgetSet(_) | Intent::Undo => {
                    return Ok(Reply::text(help::not_sure_write(&parsed.intent)));
                }
                // Reading is harmless: answer, the figure shows what was understood.
                _ => {}
            }
        }
        self.execute(parsed.intent)
    }

    /// An intent read by the fallback: transactions wait for the user's yes.
    pub fn answer_from_fallback(&mut self, intent: Intent, text: &str) -> Result<Reply, Error> {
        match intent {
            Intent::Add(add) => self.confirm_add(add, false),
            Intent::BudgetSet(_) | Intent::Undo => Ok(Reply::text(help::not_sure_write(&intent))),
            Intent::Unknown => Ok(Reply::text(help::not_understood(text))),
            other => self.execute(other),
        }
    }

    pub fn execute(&mut self, intent: Intent) -> Result<Reply, Error> {
        match intent {
            Intent::Add(add) => self.record(add),
            Intent::Query(q) => self.query(q),
            Intent::Summary { period } => self.summary(period),
            Intent::Recent { limit } => self.recent(limit.unwrap_or(DEFAULT_RECENT)),
            Intent::BudgetSet(b) => self.budget_set(b),
            Intent::BudgetShow => self.budget_show(),
            Intent::Undo => self.undo(),
            Intent::Advice => self.advice(),
            Intent::Help => Ok(Reply::text(help::help(self.is_group()))),
            Intent::Unknown => Ok(Reply::text(help::not_understood(""))),
        }
    }

    pub(super) fn money(
        &self,
        amount: crate::money::Decimal,
        currency: crate::money::Currency,
    ) -> Result<Money, Error> {
        Money::from_decimal(amount, currency, Rounding::Reject)
            .map_err(|e| Error::money("amount", e))
    }

    /// Records a transaction and reports it with undo and re-categorise buttons.
    pub fn record(&mut self, add: AddIntent) -> Result<Reply, Error> {
        let (tx, alerts) = self.record_entry(add, None)?;
        let mut reply = Reply::message(self.recorded_message(&tx)?);
        reply
            .messages
            .extend(alerts.iter().map(|a| OutMessage::new(alert_text(a))));
        Ok(reply)
    }

    /// Stores an entry (with what a card really charged for it, if known) and returns it with
    /// the budgets it newly crossed. The charge is stored before the budgets are checked, so a
    /// budget counts what the card really took.
    pub(crate) fn record_entry(
        &mut self,
        add: AddIntent,
        charged: Option<Money>,
    ) -> Result<(Transaction, Vec<BudgetAlert>), Error> {
        let money = self.money(add.amount, add.currency)?;
        let ledger = self.cx.ledger.id;
        let category = categories::resolve_or_other(self.conn, ledger, add.kind, &add.category)?;
        let tx = transactions::record(
            self.conn,
            self.cx.account.id,
            ledger,
            NewTransaction {
                kind: add.kind,
                money,
                category: category.name,
                date: add.date,
                note: add.note,
                source: self.cx.source.clone(),
            },
            self.cx.now,
        )?;
        if let Some(charged) = charged {
            charges::record(self.conn, self.cx.account.id, tx.id, charged)?;
        }
        let alerts = if tx.kind == TransactionKind::Expense {
            budgets::newly_crossed(self.conn, ledger, &tx.category, tx.date, self.cx.now)?
        } else {
            Vec::new()
        };
        Ok((tx, alerts))
    }

    /// "Recorded …" with its buttons; `other` gets the likeliest categories as buttons.
    pub fn recorded_message(&mut self, tx: &Transaction) -> Result<OutMessage, Error> {
        let who = if self.is_group() {
            format!("{} recorded ", self.cx.sender_name)
        } else {
            "Recorded ".to_owned()
        };
        let kind = match tx.kind {
            TransactionKind::Expense => "expense",
            TransactionKind::Income => "income",
        };
        let text = Text::new()
            .plain(format!("✅ {who}{kind}: "))
            .append(format::transaction_line(tx, self.cx.today));
        let mut rows = vec![vec![
            Button {
                label: "↩ Undo".into(),
                action: Action::Undo(tx.id),
            },
            Button {
                label: "🏷 Change category".into(),
                action: Action::ChooseCategory(tx.id),
            },
        ]];
        // A plain expense in a group stays the group's; one press shares it among everyone.
        if self.is_group() && tx.kind == TransactionKind::Expense {
            rows.push(vec![Button {
                label: "➗ Split among all".into(),
                action: Action::SplitAll(tx.id),
            }]);
        }
        if tx.category.is_other() {
            let live: Vec<CategoryName> = categories::all_of(self.conn, tx.ledger, false)?
                .into_iter()
                .filter(|c| c.kind == tx.kind)
                .map(|c| c.name)
                .collect();
            let guesses: Vec<Button> = self
                .cx
                .tally
                .parser()
                .suggest_categories(&tx.note, tx.kind, SUGGESTIONS + 2)
                .into_iter()
                .filter(|c| !c.is_other() && live.contains(c))
                .take(SUGGESTIONS)
                .map(|c| Button {
                    label: format::category_words(&c),
                    action: Action::SetCategory(tx.id, c),
                })
                .collect();
            if !guesses.is_empty() {
                rows.insert(0, guesses);
                return Ok(
                    OutMessage::new(text.line().italic("Which category fits best?"))
                        .with_buttons(rows),
                );
            }
        }
        Ok(OutMessage::new(text).with_buttons(rows))
    }

    /// Asks before recording something read without full confidence.
    fn confirm_add(&mut self, add: AddIntent, explain: bool) -> Result<Reply, Error> {
        let money = self.money(add.amount, add.currency)?;
        let id = pending::store(self.conn, &self.cx, &add)?;
        let kind = match add.kind {
            TransactionKind::Expense => "an expense",
            TransactionKind::Income => "income",
        };
        let mut text = Text::new()
            .plain(format!("Did you mean {kind} of "))
            .bold(money.to_string())
            .plain(format!(
                " for {} {}",
                format::category_words(&add.category),
                format::relative_date(add.date, self.cx.today)
            ));
        if !add.note.is_empty() {
            text = text.plain(" — ").italic(add.note.clone());
        }
        text = text.plain("?");
        if explain {
            text = text
                .line()
                .plain("Next time you can say it like ")
                .code("spent 12 on lunch")
                .plain(" or ")
                .code("/spent 12 food lunch")
                .plain(".");
        }
        Ok(Reply::message(OutMessage::new(text).with_buttons(vec![
            vec![
                Button {
                    label: "✅ Yes, record it".into(),
                    action: Action::Confirm(id),
                },
                Button {
                    label: "✖ No".into(),
                    action: Action::Cancel(id),
                },
            ],
        ])))
    }

    fn subject(&self) -> &'static str {
        if self.is_group() { "The group" } else { "You" }
    }

    fn query(&mut self, q: QueryIntent) -> Result<Reply, Error> {
        let ledger = self.cx.ledger.id;
        let actor = self.cx.account.id;
        let home = self.cx.ledger.default_currency;
        let period = q.period.label();
        let on = q
            .category
            .as_ref()
            .map(|c| format!(" on {}", format::category_words(c)))
            .unwrap_or_default();
        let text = match q.metric {
            Metric::Spent | Metric::Earned => {
                let kind = if q.metric == Metric::Spent {
                    TransactionKind::Expense
                } else {
                    TransactionKind::Income
                };
                let totals = analytics::total(
                    self.conn,
                    actor,
                    ledger,
                    q.period,
                    kind,
                    q.category.as_ref(),
                )?;
                let verb = if kind == TransactionKind::Expense {
                    "spent"
                } else {
                    "earned"
                };
                let from = if kind == TransactionKind::Income && q.category.is_some() {
                    on.replacen(" on ", " from ", 1)
                } else {
                    on
                };
                let in_home = analytics::total_in_home(
                    self.conn,
                    actor,
                    ledger,
                    q.period,
                    kind,
                    q.category.as_ref(),
                    &totals,
                )?;
                let mut t = Text::new().plain(format!("{} {verb} ", self.subject()));
                t = match &in_home {
                    // One figure, the per-currency amounts and the rates beside it.
                    Some(InHome::Total(h)) => {
                        let figure = match kind {
                            TransactionKind::Expense => h.expenses,
                            TransactionKind::Income => h.income,
                        };
                        // The home currency's own amount first, as in the summary.
                        let mut parts = totals.clone();
                        parts.sort_by_key(|m| (m.currency() != home, m.currency().code()));
                        t.bold(format!("≈ {figure}")).plain(format!(
                            " ({} {})",
                            format::totals(&parts, home),
                            h.rates.note()
                        ))
                    }
                    _ => t.bold(format::totals(&totals, home)),
                };
                t = t.plain(format!("{from} in {period}."));
                if let Some(InHome::NoRates { missing }) = &in_home {
                    t = t.line().italic(InHome::no_rates_note(missing));
                }
                t = t.append(self.breakdown(kind, q.category.as_ref(), q.period)?);
                t
            }
            Metric::Net => {
                let s = analytics::summary(self.conn, actor, ledger, q.period)?;
                if s.is_empty() {
                    Text::new().plain(format!("Nothing recorded in {period} yet."))
                } else {
                    let mut t = Text::new().plain(format!("In {period}:"));
                    for c in &s.currencies {
                        let verb = if c.net.is_negative() {
                            "overspent by"
                        } else {
                            "saved"
                        };
                        t = t
                            .line()
                            .plain(format!("{} {verb} ", self.subject()))
                            .bold(c.net.abs().to_string())
                            .plain(format!(" (income {} − expenses {})", c.income, c.expenses));
                    }
                    match &s.home {
                        Some(InHome::Total(h)) => {
                            let verb = if h.net.is_negative() {
                                "overspent by"
                            } else {
                                "saved"
                            };
                            t = t
                                .line()
                                .plain(format!("All in {}: {verb} ", home.code()))
                                .bold(format!("≈ {}", h.net.abs()))
                                .plain(format!(" {}", h.rates.note()));
                        }
                        Some(InHome::NoRates { missing }) => {
                            t = t.line().italic(InHome::no_rates_note(missing));
                        }
                        None => {}
                    }
                    t
                }
            }
        };
        Ok(Reply::text(text))
    }

    /// Under a figure: by category (no category asked) or the latest entries (one category).
    fn breakdown(
        &mut self,
        kind: TransactionKind,
        category: Option<&CategoryName>,
        period: DateRange,
    ) -> Result<Text, Error> {
        let mut t = Text::new();
        match category {
            None => {
                let s =
                    analytics::summary(self.conn, self.cx.account.id, self.cx.ledger.id, period)?;
                for c in &s.currencies {
                    let rows: Vec<_> = c
                        .by_category
                        .iter()
                        .filter(|x| x.kind == kind)
                        .take(6)
                        .collect();
                    for x in rows {
                        t = t.line().plain(format!(
                            "• {}: {}",
                            format::category_words(&x.category),
                            x.total
                        ));
                    }
                }
            }
            Some(name) => {
                let filter = Filter {
                    kind: Some(kind),
                    category: Some(name.clone()),
                    from: Some(period.from),
                    to: Some(period.to),
                    ..Filter::default()
                };
                let page = transactions::list(
                    self.conn,
                    self.cx.account.id,
                    self.cx.ledger.id,
                    &filter,
                    5,
                    0,
                )?;
                for tx in &page.items {
                    t = t
                        .line()
                        .plain("• ")
                        .append(format::transaction_line(tx, self.cx.today));
                }
                if page.total > page.items.len() as i64 {
                    t = t.line().italic(format!(
                        "…and {} more",
                        page.total - page.items.len() as i64
                    ));
                }
            }
        }
        Ok(t)
    }

    pub fn summary(&mut self, period: DateRange) -> Result<Reply, Error> {
        let s = analytics::summary(self.conn, self.cx.account.id, self.cx.ledger.id, period)?;
        let text = format::summary(&s);
        if s.is_empty() {
            return Ok(Reply::text(text));
        }
        Ok(Reply::message(OutMessage::new(text).with_buttons(vec![
            super::charts::chart_button(ChartButton::Categories(period)),
        ])))
    }

    pub fn recent(&mut self, limit: u32) -> Result<Reply, Error> {
        let limit = limit.clamp(1, MAX_RECENT);
        let page = transactions::list(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            &Filter::default(),
            i64::from(limit),
            0,
        )?;
        if page.items.is_empty() {
            return Ok(Reply::text(Text::plain_str(
                "Nothing recorded yet. Tell me something like \"spent 12 on lunch\".",
            )));
        }
        let names = self.member_names()?;
        let mut t = Text::new().bold(format!("Last {} of {}", page.items.len(), page.total));
        for tx in &page.items {
            t = t
                .line()
                .plain("• ")
                .append(format::transaction_line(tx, self.cx.today));
            if let Some(name) = names.get(&tx.author) {
                t = t.plain(format!(" ({name})"));
            }
        }
        Ok(Reply::text(t))
    }

    /// Display names of a group's members (empty for a personal ledger).
    fn member_names(&mut self) -> Result<HashMap<AccountId, String>, Error> {
        if !self.is_group() {
            return Ok(HashMap::new());
        }
        Ok(
            ledgers::members(self.conn, self.cx.account.id, self.cx.ledger.id)?
                .into_iter()
                .map(|m| (m.account, m.display_name))
                .collect(),
        )
    }

    pub fn budget_set(&mut self, b: BudgetIntent) -> Result<Reply, Error> {
        let limit = self.money(b.amount, b.currency)?;
        budgets::set(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            &b.category,
            limit,
            b.period,
            self.cx.now,
        )?;
        let statuses = budgets::status(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            self.cx.today,
        )?;
        let mut t = Text::new().plain(format!(
            "🎯 Budget set: {} {} a {}.",
            format::category_words(&b.category),
            limit,
            b.period.as_str()
        ));
        if let Some(s) = statuses
            .iter()
            .find(|s| s.budget.category == b.category && s.budget.period == b.period)
        {
            t = t.line().append(format::budget_line(s));
        }
        Ok(Reply::text(t))
    }

    pub fn budget_show(&mut self) -> Result<Reply, Error> {
        let statuses = budgets::status(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            self.cx.today,
        )?;
        if statuses.is_empty() {
            return Ok(Reply::text(
                Text::new()
                    .plain("No budgets yet. Set one with ")
                    .code("/budget food 300")
                    .plain(" or say \"set food budget to 300\"."),
            ));
        }
        let mut t = Text::new().bold("Budgets");
        for s in &statuses {
            t = t.line().append(format::budget_line(s));
        }
        Ok(Reply::message(OutMessage::new(t).with_buttons(vec![
            super::charts::chart_button(ChartButton::Budget),
        ])))
    }

    pub fn undo(&mut self) -> Result<Reply, Error> {
        // A settlement recorded after the sender's last entry is what they undo.
        let last_tx = transactions::last_of(self.conn, self.cx.account.id, self.cx.ledger.id)?;
        if let Some((id, at)) = crate::services::splits::last_settlement_of(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
        )? && last_tx.as_ref().is_none_or(|t| t.created_at <= at)
        {
            let mut reply = self.undo_settlement(id)?;
            if let Some(edit) = reply.edit.take() {
                reply.messages.push(edit);
            }
            reply.notice = None;
            return Ok(reply);
        }
        match transactions::undo_last(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            self.cx.now,
        )? {
            Some(tx) => Ok(Reply::text(
                Text::new()
                    .plain("↩ Removed ")
                    .append(format::transaction_line(&tx, self.cx.today)),
            )),
            None => Ok(Reply::text(Text::plain_str(
                "There's nothing of yours to undo here.",
            ))),
        }
    }

    pub fn advice(&mut self) -> Result<Reply, Error> {
        let text = crate::advice::advise_text(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            self.cx.today,
        )?;
        let offers = self.make_recurring_offers()?;
        Ok(Reply::message(OutMessage::new(text).with_buttons(offers)))
    }
}

pub(crate) fn alert_text(a: &BudgetAlert) -> Text {
    let s = &a.status;
    let name = format::category_words(&s.budget.category);
    if a.threshold >= 100 {
        Text::new()
            .plain("🚨 ")
            .bold(format!("{name} budget exceeded"))
            .plain(format!(
                ": {} of {} ({}%) this {}.",
                s.spent,
                s.budget.limit,
                s.percent,
                s.budget.period.as_str()
            ))
    } else {
        Text::new()
            .plain("⚠️ ")
            .bold(format!("{name} budget at {}%", s.percent))
            .plain(format!(
                ": {} of {}, {} left this {}.",
                s.spent,
                s.budget.limit,
                s.remaining(),
                s.budget.period.as_str()
            ))
    }
}
