//! Slash commands: what each one does.

use super::action::ChartButton;
use super::command::{
    AddCommand, AddEntry, AmountArg, BUDGET_USAGE, CategoriesCommand, Command, DATE_USAGE,
    KeywordCommand, SettingsCommand,
};
use super::format;
use super::help;
use super::message::{Incoming, OutMessage, Reply, Text};
use super::table::GROUP_LEDGER;
use super::turn::Turn;
use crate::db::AnyConnection;
use crate::domain::{CategoryName, ChatKind, DateOrder, Role, Timezone, TransactionKind};
use crate::error::Error;
use crate::money::Currency;
use crate::parser::{AddArgsError, AddIntent, BudgetIntent, ParseContext, PeriodSpec};
use crate::period::{BudgetPeriod, DateRange, Granularity};
use crate::services::accounts::{self, SettingsPatch};
use crate::services::{analytics, budgets, categories, keywords, ledgers, transactions, updates};
use crate::tally::Tally;

impl Turn<'_> {
    /// Runs one typed command: the single place every front end's commands end up.
    pub fn execute_command(&mut self, command: Command) -> Result<Reply, Error> {
        match command {
            Command::Add(add) => self.add_command(add),
            // Reached only when the free-text path did not take it: nothing was asked.
            Command::Ask { .. } => Ok(Reply::text(help::ask_usage())),
            Command::Recent { count } => self.recent(count),
            Command::Summary { period } => {
                let period = self.period_arg(period.as_ref())?;
                self.summary(period)
            }
            Command::Savings { granularity } => self.savings_command(granularity),
            Command::Chart(args) => self.chart_command(args),
            Command::Export { format, period } => self.export_command(format, period),
            Command::BudgetSet {
                category,
                amount,
                period,
            } => self.budget_set_command(category, amount, period),
            Command::BudgetRemove { category, period } => {
                self.budget_remove_command(&category, period)
            }
            Command::Budgets => self.budget_show(),
            Command::Undo => self.undo(),
            Command::Categories(c) => self.categories_command(c),
            Command::Recategorize { category } => self.recategorize_command(&category),
            Command::Keyword(k) => self.keyword_command(k),
            Command::Settings(s) => self.settings_command(s),
            Command::Help => Ok(Reply::text(help::help(self.is_group()))),
            Command::Login => self.login_command(),
            Command::Link { code } => self.link_command(code.as_deref().unwrap_or("")),
            Command::Unlink => self.unlink_command(),
            // A platform start link with a code (see `crate::links`) arrives as `/start CODE`.
            Command::Start { code: Some(code) } => self.link_command(&code),
            Command::Start { code: None } => Ok(Reply::text(help::welcome(
                &self.cx.sender_name,
                self.is_group(),
            ))),
            Command::Advice => self.advice(),
            Command::Digest { frequency } => self.digest_command(&frequency),
            Command::Repeat { entry } => self.repeat_command(&entry),
            Command::Recurring(r) => self.recurring_command(r),
            Command::Remind(request) => self.remind(request),
            // Handled before a turn begins (the chat may have no ledger yet).
            Command::GroupLedger { .. } => Err(Error::invalid(
                "command",
                format!(
                    "Run /{} in the channel you want to share a budget in.",
                    super::table::GROUP_LEDGER
                ),
            )),
            Command::Unknown { name } => Ok(Reply::text(
                Text::new()
                    .plain(format!("I don't know /{name}. Type "))
                    .code("/help")
                    .plain(" to see what I can do."),
            )),
            Command::Invalid { field, message } => Err(Error::invalid(field, message)),
            Command::Convert { args } => match crate::parser::fx::convert_command(&args) {
                Some(ask) => self.convert_answer(ask),
                None => Err(Error::invalid("amount", super::currencies::CONVERT_USAGE)),
            },
            Command::Split(split) => self.split_command(split),
            Command::Balances => self.balances_command(),
            Command::Settle => self.settle_command(),
            Command::Paid { words } => self.paid_command(&words),
            Command::Unmerge { username } => self.unmerge_command(&username),
        }
    }

    pub(crate) fn parse_context<'v>(
        &self,
        vocabulary: &'v crate::parser::Vocabulary,
    ) -> ParseContext<'v> {
        ParseContext {
            today: self.cx.today,
            currency: self.cx.account.default_currency,
            date_order: self.cx.account.date_order,
            vocabulary,
        }
    }

    fn add_command(&mut self, command: AddCommand) -> Result<Reply, Error> {
        let AddCommand { kind, entry } = command;
        let parts = match entry {
            AddEntry::Words(words) => {
                let vocabulary = self.vocabulary()?;
                let ctx = self.parse_context(&vocabulary);
                let add = self
                    .cx
                    .tally
                    .parser()
                    .parse_add_args(&words, kind, &ctx)
                    .map_err(|e| Error::invalid("amount", e.to_string()))?;
                return self.record(add);
            }
            AddEntry::Parts(parts) => parts,
        };
        let (amount, currency) = parts
            .amount
            .in_currency(self.cx.account.default_currency)
            .map_err(|largest| {
                Error::invalid("amount", AddArgsError::TooLarge(largest).to_string())
            })?;
        let date = match parts.date {
            Some(day) => day
                .resolve_in(self.cx.today, self.cx.account.date_order)
                .ok_or_else(|| Error::invalid("date", DATE_USAGE))?,
            None => self.cx.today,
        };
        let category = match parts.category {
            Some(category) => {
                categories::require_active(self.conn, self.cx.ledger.id, kind, &category)?;
                category
            }
            None => CategoryName::other(),
        };
        self.record(AddIntent {
            kind,
            amount,
            currency,
            category,
            date,
            note: parts.note.unwrap_or_default(),
        })
    }

    /// A period placed on the sender's calendar; none is this month.
    pub(super) fn period_arg(&mut self, period: Option<&PeriodSpec>) -> Result<DateRange, Error> {
        let Some(period) = period else {
            return Ok(DateRange::this_month(self.cx.today));
        };
        // Read when the command was built; only a day the calendar lacks (`feb 30`) fails here.
        period
            .resolve(self.cx.today)
            .ok_or_else(|| Error::invalid("period", super::command::period_usage()))
    }

    fn savings_command(&mut self, granularity: Granularity) -> Result<Reply, Error> {
        let today = self.cx.today;
        let range = crate::app::summaries::savings_window(
            granularity,
            today,
            crate::app::summaries::default_savings_periods(granularity),
        );
        let periods = analytics::savings(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            granularity,
            range,
        )?;
        let text = format::savings(&periods);
        if periods.iter().all(|p| p.figures.is_empty()) {
            return Ok(Reply::text(text));
        }
        Ok(Reply::message(OutMessage::new(text).with_buttons(vec![
            super::charts::chart_button(ChartButton::Monthly(granularity)),
        ])))
    }

    fn budget_remove_command(
        &mut self,
        category: &CategoryName,
        period: Option<BudgetPeriod>,
    ) -> Result<Reply, Error> {
        let n = budgets::remove(
            self.conn,
            self.cx.account.id,
            self.cx.ledger.id,
            category,
            period,
        )?;
        let what = if n == 1 { "budget" } else { "budgets" };
        Ok(Reply::text(Text::plain_str(format!(
            "Removed the {} {what}.",
            format::category_words(category)
        ))))
    }

    fn budget_set_command(
        &mut self,
        category: CategoryName,
        amount: AmountArg,
        period: BudgetPeriod,
    ) -> Result<Reply, Error> {
        let (amount, currency) = amount
            .in_currency(self.cx.account.default_currency)
            .map_err(|_| Error::invalid("amount", BUDGET_USAGE))?;
        self.budget_set(BudgetIntent {
            category,
            amount,
            currency,
            period,
        })
    }

    fn categories_command(&mut self, command: CategoriesCommand) -> Result<Reply, Error> {
        let ledger = self.cx.ledger.id;
        let actor = self.cx.account.id;
        match command {
            CategoriesCommand::List => {}
            CategoriesCommand::Add { name, kind } => {
                categories::add(self.conn, actor, ledger, kind, &name, self.cx.now)?;
                return Ok(Reply::text(Text::plain_str(format!(
                    "Added the {} category {}.",
                    kind.as_str(),
                    format::category_words(&name)
                ))));
            }
            CategoriesCommand::Rename { old, new } => {
                let found = find_any_kind(self, &old)?;
                categories::rename(self.conn, actor, ledger, found.id, &new)?;
                return Ok(Reply::text(Text::plain_str(format!(
                    "Renamed {} to {}.",
                    format::category_words(&old),
                    format::category_words(&new)
                ))));
            }
            CategoriesCommand::Archive(name) => return self.archive_category(&name, true),
            CategoriesCommand::Restore(name) => return self.archive_category(&name, false),
        }
        let all = categories::list(self.conn, actor, ledger, false)?;
        let list = |kind: TransactionKind| {
            all.iter()
                .filter(|c| c.kind == kind)
                .map(|c| format::category_words(&c.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(Reply::text(
            Text::new()
                .bold("Expense categories: ")
                .plain(list(TransactionKind::Expense))
                .line()
                .bold("Income categories: ")
                .plain(list(TransactionKind::Income))
                .line()
                .italic(
                    "Add one with /categories add NAME (add \"income\" for an income category).",
                ),
        ))
    }

    fn archive_category(&mut self, name: &CategoryName, archive: bool) -> Result<Reply, Error> {
        let (ledger, actor) = (self.cx.ledger.id, self.cx.account.id);
        let all = categories::list(self.conn, actor, ledger, true)?;
        let found = all
            .into_iter()
            .find(|c| &c.name == name)
            .ok_or(Error::not_found("category"))?;
        categories::set_archived(self.conn, actor, ledger, found.id, archive)?;
        let done = if archive { "Archived" } else { "Restored" };
        Ok(Reply::text(Text::plain_str(format!(
            "{done} {}.",
            format::category_words(name)
        ))))
    }

    /// `/recategorize groceries`: moves the sender's last entry here and learns its words.
    fn recategorize_command(&mut self, name: &CategoryName) -> Result<Reply, Error> {
        let last = transactions::last_of(self.conn, self.cx.account.id, self.cx.ledger.id)?
            .ok_or_else(|| {
                Error::invalid("transaction", "You have nothing recorded here to move yet.")
            })?;
        let (_, message) = self.recategorize(last.id, name)?;
        Ok(Reply::message(message))
    }

    /// `/keyword blue bottle food` teaches words; `/keyword remove blue`; `/keyword` lists them.
    fn keyword_command(&mut self, command: KeywordCommand) -> Result<Reply, Error> {
        let usage = "Use /keyword WORDS CATEGORY (e.g. /keyword blue bottle food), \
                     /keyword remove WORD, or /keyword to list yours.";
        let actor = self.cx.account.id;
        match command {
            KeywordCommand::List => {
                let vocabulary = keywords::vocabulary(self.conn, Some(actor), &[])?;
                if vocabulary.keywords().is_empty() {
                    return Ok(Reply::text(Text::plain_str(format!(
                        "You have no keywords of your own yet. {usage}"
                    ))));
                }
                let mut t = Text::new().bold("Your keywords");
                for (word, category, _) in vocabulary.keywords().iter().take(100) {
                    t = t
                        .line()
                        .plain(format!("• {word} → {}", format::category_words(category)));
                }
                Ok(Reply::text(t))
            }
            KeywordCommand::Forget { words } => {
                let mut gone = Vec::new();
                for word in self.cx.tally.parser().learnable_words(&words) {
                    if keywords::forget(self.conn, actor, &word)? {
                        gone.push(word);
                    }
                }
                if gone.is_empty() {
                    return Err(Error::not_found("keyword"));
                }
                Ok(Reply::text(Text::plain_str(format!(
                    "Forgot \"{}\".",
                    gone.join(" ")
                ))))
            }
            KeywordCommand::Teach {
                words,
                category: name,
            } => {
                let ledger = self.cx.ledger.id;
                let mut kind = None;
                for k in [TransactionKind::Expense, TransactionKind::Income] {
                    if categories::find_active(self.conn, ledger, k, &name)?.is_some() {
                        kind = Some(k);
                        break;
                    }
                }
                // Not a category here: the error lists the ones there are.
                let kind = match kind {
                    Some(k) => k,
                    None => {
                        categories::require_active(
                            self.conn,
                            ledger,
                            TransactionKind::Expense,
                            &name,
                        )?
                        .kind
                    }
                };
                let learned = self.cx.tally.parser().learnable_words(&words);
                if learned.is_empty() {
                    return Err(Error::invalid(
                        "keyword",
                        "Those words are too common to mean a category; pick a name, shop or thing.",
                    ));
                }
                keywords::teach(self.conn, actor, &learned, kind, &name, self.cx.now)?;
                Ok(Reply::text(Text::plain_str(format!(
                    "Got it: \"{}\" now means {}.",
                    learned.join(" "),
                    format::category_words(&name)
                ))))
            }
        }
    }

    fn settings_command(&mut self, command: SettingsCommand) -> Result<Reply, Error> {
        if self.is_group() {
            // The one group setting: balances per currency or in the group's currency.
            if let SettingsCommand::Change { key, value } = &command
                && key.eq_ignore_ascii_case("currency")
            {
                return self.group_currency_setting(value);
            }
            return Err(Error::invalid(
                "settings",
                "Settings are personal: send /settings to me in a private chat.",
            ));
        }
        let (key, value) = match command {
            SettingsCommand::Show => (None, String::new()),
            SettingsCommand::Change { key, value } => (Some(key.to_ascii_lowercase()), value),
        };
        let mut patch = SettingsPatch::default();
        match key.as_deref() {
            None => {}
            Some("currency") => {
                patch.default_currency = Some(
                    Currency::parse(&value)
                        .map_err(|e| Error::invalid("currency", e.to_string()))?,
                );
            }
            Some("timezone" | "tz" | "zone") => {
                patch.timezone =
                    Some(Timezone::parse(&value).map_err(|e| Error::invalid("timezone", e))?);
            }
            Some("dateorder" | "date-order" | "dates") => {
                patch.date_order = Some(value.parse::<DateOrder>().map_err(|_| {
                    Error::invalid(
                        "date_order",
                        "Use /settings dateorder mdy (3/11 is March 11) or dmy (3 November).",
                    )
                })?);
            }
            Some(_) => {
                return Err(Error::invalid(
                    "settings",
                    "Use /settings currency EUR, /settings timezone Europe/Berlin or /settings dateorder dmy.",
                ));
            }
        }
        let account = if key.is_some() {
            accounts::update_settings(self.conn, self.cx.account.id, patch, self.cx.now)?
        } else {
            self.cx.account.clone()
        };
        Ok(Reply::text(
            Text::new()
                .bold("Your settings")
                .line()
                .plain(format!("Currency: {}", account.default_currency))
                .line()
                .plain(format!("Time zone: {}", account.timezone))
                .line()
                .plain(format!("Date order: {}", account.date_order))
                .line()
                .italic("Change with /settings currency EUR, /settings timezone Europe/Berlin or /settings dateorder dmy."),
        ))
    }
}

fn find_any_kind(
    turn: &mut Turn<'_>,
    name: &CategoryName,
) -> Result<crate::models::category::Category, Error> {
    categories::list(turn.conn, turn.cx.account.id, turn.cx.ledger.id, true)?
        .into_iter()
        .find(|c| &c.name == name)
        .ok_or(Error::not_found("category"))
}

/// Gives a group chat its own shared ledger, or switches it off. Only members the platform marks
/// as able to manage the chat may do it. Runs before a turn begins: the chat may have no ledger.
pub(super) fn group_ledger(
    tally: &Tally,
    conn: &mut AnyConnection,
    msg: &Incoming,
    enable: bool,
) -> Result<Option<Reply>, Error> {
    let now = tally.now();
    if !updates::claim(conn, msg.platform, &msg.update_id, now)? {
        return Ok(None);
    }
    let say = |s: &str| Ok(Some(Reply::text(Text::plain_str(s))));
    if msg.chat.kind != ChatKind::Group {
        return say(&format!(
            "Run /{GROUP_LEDGER} in the channel you want to share a budget in."
        ));
    }
    if !msg.sender.role.is_some_and(|r| r.can_manage()) {
        return say("Only members who can manage this channel can switch its budget on or off.");
    }
    let account = super::turn::sender_account(tally, conn, msg, now)?;
    if enable {
        let title = msg.chat.title.as_deref().unwrap_or("Channel");
        let ledger = ledgers::open_group(
            conn,
            msg.platform,
            &msg.chat.id,
            title,
            account.default_currency,
            now,
        )?;
        ledgers::join(
            conn,
            ledger.id,
            account.id,
            &msg.sender.display_name,
            Some(Role::Admin),
            now,
        )?;
        say(
            "✅ This channel now has its own shared budget. Record with /spent, see totals with /summary.",
        )
    } else {
        match ledgers::find_group(conn, msg.platform, &msg.chat.id)? {
            Some(ledger) if ledger.active => {
                ledgers::set_active(conn, ledger.id, false)?;
                say(&format!(
                    "This channel's budget is switched off. Its history is kept; /{GROUP_LEDGER} enable brings it back."
                ))
            }
            _ => say("This channel has no budget switched on."),
        }
    }
}
