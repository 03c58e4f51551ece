//! Slash commands: the table every adapter registers, and what each one does.

use super::action::ChartButton;
use super::format;
use super::help;
use super::message::{Incoming, OutMessage, Reply, Text};
use super::turn::Turn;
use crate::db::AnyConnection;
use crate::domain::{CategoryName, ChatKind, DateOrder, Role, Timezone, TransactionKind};
use crate::error::Error;
use crate::money::Currency;
use crate::parser::{BudgetIntent, ParseContext};
use crate::period::{BudgetPeriod, DateRange, Granularity};
use crate::services::accounts::{self, SettingsPatch};
use crate::services::{analytics, budgets, categories, keywords, ledgers, transactions, updates};
use crate::tally::Tally;

/// A command as menus and help list it.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    pub name: &'static str,
    pub usage: &'static str,
    pub description: &'static str,
    /// Left out of `/help` (still registered with the platforms).
    pub hidden: bool,
}

const fn cmd(name: &'static str, usage: &'static str, description: &'static str) -> CommandInfo {
    CommandInfo {
        name,
        usage,
        description,
        hidden: false,
    }
}

/// Every command Tally understands, in the order menus show them.
pub const COMMANDS: &[CommandInfo] = &[
    cmd("spent", "AMOUNT [CATEGORY] [NOTE]", "record an expense"),
    cmd("earned", "AMOUNT [CATEGORY] [NOTE]", "record income"),
    cmd("recent", "[N]", "the latest transactions"),
    cmd(
        "summary",
        "[PERIOD]",
        "income, expenses and categories (this-month, last-month, this-year…)",
    ),
    cmd(
        "savings",
        "[month|quarter|year]",
        "savings and savings rate over time",
    ),
    cmd(
        "chart",
        "[categories|monthly|CATEGORY|budget|members] [PERIOD]",
        "a chart: by category, month by month, one category, a budget, or by member",
    ),
    cmd(
        "budget",
        "CATEGORY AMOUNT [week|month|year]",
        "set a budget (or: /budget remove CATEGORY)",
    ),
    cmd("budgets", "", "how the budgets stand"),
    cmd(
        "advice",
        "",
        "what stands out in your spending, with suggestions",
    ),
    cmd(
        "digest",
        "[weekly|monthly|off]",
        "a regular summary in this chat",
    ),
    cmd("undo", "", "remove your last entry"),
    cmd(
        "repeat",
        "ENTRY SCHEDULE",
        "schedule a recurring entry, e.g. /repeat rent 1450 monthly on the 1st",
    ),
    cmd(
        "recurring",
        "[skip|pause|resume|delete N | edit N AMOUNT]",
        "the scheduled entries, with their next date and yearly cost",
    ),
    cmd(
        "remind",
        "[daily HH:MM | bills | off]",
        "a nudge on days with nothing recorded, or the day before a bill",
    ),
    cmd(
        "categories",
        "[add|rename|archive …]",
        "list or manage categories",
    ),
    cmd(
        "recategorize",
        "CATEGORY",
        "move your last entry to another category (I learn its words)",
    ),
    cmd(
        "keyword",
        "[WORDS CATEGORY | remove WORD]",
        "your own words for a category, e.g. /keyword blue bottle food",
    ),
    cmd(
        "settings",
        "[currency|timezone|dateorder VALUE]",
        "your currency, time zone and date order",
    ),
    cmd(
        "login",
        "",
        "a link to set a password for the app, or to join an account you have (private chat)",
    ),
    cmd(
        "link",
        "[CODE]",
        "connect this chat to your other chats or the app (private chat)",
    ),
    cmd(
        "unlink",
        "",
        "give this chat its own account again; the history stays (private chat)",
    ),
    cmd("help", "", "what Tally can do"),
    CommandInfo {
        name: "start",
        usage: "",
        description: "start talking to Tally",
        hidden: true,
    },
];

impl Turn<'_> {
    pub fn command(
        &mut self,
        name: &str,
        args: &str,
        options: &[(String, String)],
    ) -> Result<Reply, Error> {
        let args = args.trim();
        match name {
            "spent" | "expense" | "spend" => {
                self.add_command(TransactionKind::Expense, args, options)
            }
            "earned" | "income" | "earn" => {
                self.add_command(TransactionKind::Income, args, options)
            }
            "recent" | "last" => self.recent(parse_count(args)?),
            "summary" | "report" => {
                let period = self.period_arg(args, options)?;
                self.summary(period)
            }
            "savings" => self.savings_command(args, options),
            "chart" | "charts" | "graph" => self.chart_command(args, options),
            "budget" => self.budget_command(args),
            "budgets" => self.budget_show(),
            "undo" => self.undo(),
            "categories" | "category" => self.categories_command(args),
            "recategorize" | "recat" => self.recategorize_command(args),
            "keyword" | "keywords" => self.keyword_command(args),
            "settings" => self.settings_command(args),
            "help" => Ok(Reply::text(help::help(self.is_group()))),
            "login" => self.login_command(),
            "link" => {
                // Typed options (Discord) carry the code as `code`.
                let code = options
                    .iter()
                    .find(|(k, _)| k == "code")
                    .map_or(args, |(_, v)| v.as_str());
                self.link_command(code)
            }
            "unlink" => self.unlink_command(),
            // A Telegram start link (`t.me/bot?start=CODE`) arrives as `/start CODE`.
            "start" if !args.is_empty() => self.link_command(args),
            "start" => Ok(Reply::text(help::welcome(
                &self.cx.sender_name,
                self.is_group(),
            ))),
            "advice" => self.advice(),
            "digest" => self.digest_command(args),
            "repeat" | "schedule" => self.repeat_command(args),
            "recurring" | "schedules" => self.recurring_command(args),
            "remind" | "reminders" | "reminder" => self.remind(super::reminders::read(args)),
            other => Ok(Reply::text(
                Text::new()
                    .plain(format!("I don't know /{other}. Type "))
                    .code("/help")
                    .plain(" to see what I can do."),
            )),
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

    fn add_command(
        &mut self,
        kind: TransactionKind,
        args: &str,
        options: &[(String, String)],
    ) -> Result<Reply, Error> {
        let option = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
        };
        // Typed options (Discord) are joined into the same free form the parser reads.
        let text = if options.is_empty() {
            args.to_owned()
        } else {
            [option("amount"), option("date")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        };
        if text.is_empty() {
            let verb = if kind == TransactionKind::Expense {
                "spent"
            } else {
                "earned"
            };
            return Err(Error::invalid(
                "amount",
                format!("Tell me how much, e.g. /{verb} 12.50 lunch"),
            ));
        }
        let vocabulary = self.vocabulary()?;
        let ctx = self.parse_context(&vocabulary);
        let mut add = self
            .cx
            .tally
            .parser()
            .parse_add_args(&text, kind, &ctx)
            .map_err(|e| Error::invalid("amount", e.to_string()))?;
        if let Some(c) = option("category").filter(|c| !c.is_empty()) {
            add.category =
                CategoryName::parse(c).map_err(|e| Error::invalid("category", e.to_string()))?;
            categories::require_active(self.conn, self.cx.ledger.id, kind, &add.category)?;
        }
        if let Some(n) = option("note") {
            add.note = n.to_owned();
        }
        self.record(add)
    }

    fn period_arg(&mut self, args: &str, options: &[(String, String)]) -> Result<DateRange, Error> {
        let text = options
            .iter()
            .find(|(k, _)| k == "period")
            .map_or(args, |(_, v)| v.as_str())
            .trim();
        if text.is_empty() {
            return Ok(DateRange::this_month(self.cx.today));
        }
        self.cx
            .tally
            .parser()
            .parse_period(text, self.cx.today)
            .ok_or_else(|| {
                Error::invalid(
                    "period",
                    "I didn't get that period. Try this-month, last-month, this-week, this-year, october or 2025.",
                )
            })
    }

    fn savings_command(
        &mut self,
        args: &str,
        options: &[(String, String)],
    ) -> Result<Reply, Error> {
        let word = options
            .iter()
            .find(|(k, _)| k == "granularity")
            .map_or(args, |(_, v)| v.as_str())
            .trim();
        let granularity: Granularity = if word.is_empty() {
            Granularity::Month
        } else {
            word.parse().map_err(|_| {
                Error::invalid(
                    "granularity",
                    "Use /savings month, /savings quarter or /savings year.",
                )
            })?
        };
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

    fn budget_command(&mut self, args: &str) -> Result<Reply, Error> {
        let mut words = args.split_whitespace();
        let Some(first) = words.next() else {
            return self.budget_show();
        };
        if matches!(
            first.to_ascii_lowercase().as_str(),
            "show" | "list" | "status"
        ) {
            return self.budget_show();
        }
        if matches!(
            first.to_ascii_lowercase().as_str(),
            "remove" | "delete" | "clear" | "off"
        ) {
            let name = words.next().ok_or_else(|| {
                Error::invalid(
                    "category",
                    "Say which budget to remove, e.g. /budget remove food",
                )
            })?;
            let category =
                CategoryName::parse(name).map_err(|e| Error::invalid("category", e.to_string()))?;
            let period = words.next().and_then(|p| p.parse::<BudgetPeriod>().ok());
            let n = budgets::remove(
                self.conn,
                self.cx.account.id,
                self.cx.ledger.id,
                &category,
                period,
            )?;
            let what = if n == 1 { "budget" } else { "budgets" };
            return Ok(Reply::text(Text::plain_str(format!(
                "Removed the {} {what}.",
                format::category_words(&category)
            ))));
        }
        let usage = "Set a budget like /budget food 300 month (week, month or year).";
        let category = CategoryName::parse(first).map_err(|_| Error::invalid("category", usage))?;
        let mut rest: Vec<&str> = words.collect();
        let period = match rest.last().and_then(|w| w.parse::<BudgetPeriod>().ok()) {
            Some(p) => {
                rest.pop();
                p
            }
            None => BudgetPeriod::Month,
        };
        if rest.is_empty() {
            return Err(Error::invalid("amount", usage));
        }
        let vocabulary = self.vocabulary()?;
        let ctx = self.parse_context(&vocabulary);
        let amount = self
            .cx
            .tally
            .parser()
            .parse_add_args(&rest.join(" "), TransactionKind::Expense, &ctx)
            .map_err(|_| Error::invalid("amount", usage))?;
        self.budget_set(BudgetIntent {
            category,
            amount: amount.amount,
            currency: amount.currency,
            period,
        })
    }

    fn categories_command(&mut self, args: &str) -> Result<Reply, Error> {
        let mut words = args.split_whitespace();
        let sub = words.next().map(str::to_ascii_lowercase);
        let rest: Vec<&str> = words.collect();
        let ledger = self.cx.ledger.id;
        let actor = self.cx.account.id;
        let kind_of = |rest: &[&str]| {
            if rest.iter().any(|w| w.eq_ignore_ascii_case("income")) {
                TransactionKind::Income
            } else {
                TransactionKind::Expense
            }
        };
        let name_of = |rest: &[&str]| -> Result<CategoryName, Error> {
            let words: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|w| !w.eq_ignore_ascii_case("income") && !w.eq_ignore_ascii_case("expense"))
                .collect();
            CategoryName::parse(&words.join(" ")).map_err(|e| Error::invalid("name", e.to_string()))
        };
        match sub.as_deref() {
            None | Some("list") => {}
            Some("add") => {
                let kind = kind_of(&rest);
                let name = name_of(&rest)?;
                categories::add(self.conn, actor, ledger, kind, &name, self.cx.now)?;
                return Ok(Reply::text(Text::plain_str(format!(
                    "Added the {} category {}.",
                    kind.as_str(),
                    format::category_words(&name)
                ))));
            }
            Some("rename") => {
                let [old, new] = rest.as_slice() else {
                    return Err(Error::invalid("name", "Use /categories rename OLD NEW"));
                };
                let old =
                    CategoryName::parse(old).map_err(|e| Error::invalid("name", e.to_string()))?;
                let new =
                    CategoryName::parse(new).map_err(|e| Error::invalid("name", e.to_string()))?;
                let found = find_any_kind(self, &old)?;
                categories::rename(self.conn, actor, ledger, found.id, &new)?;
                return Ok(Reply::text(Text::plain_str(format!(
                    "Renamed {} to {}.",
                    format::category_words(&old),
                    format::category_words(&new)
                ))));
            }
            Some(verb @ ("archive" | "restore" | "unarchive")) => {
                let name = name_of(&rest)?;
                let archive = verb == "archive";
                let all = categories::list(self.conn, actor, ledger, true)?;
                let found = all
                    .into_iter()
                    .find(|c| c.name == name)
                    .ok_or(Error::not_found("category"))?;
                categories::set_archived(self.conn, actor, ledger, found.id, archive)?;
                let done = if archive { "Archived" } else { "Restored" };
                return Ok(Reply::text(Text::plain_str(format!(
                    "{done} {}.",
                    format::category_words(&name)
                ))));
            }
            Some(_) => {
                return Err(Error::invalid(
                    "command",
                    "Use /categories, /categories add NAME [income], /categories rename OLD NEW or /categories archive NAME.",
                ));
            }
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

    /// `/recategorize groceries`: moves the sender's last entry here and learns its words.
    fn recategorize_command(&mut self, args: &str) -> Result<Reply, Error> {
        let usage = "Say which category, e.g. /recategorize groceries";
        let name = CategoryName::parse(args).map_err(|_| Error::invalid("category", usage))?;
        let last = transactions::last_of(self.conn, self.cx.account.id, self.cx.ledger.id)?
            .ok_or_else(|| {
                Error::invalid("transaction", "You have nothing recorded here to move yet.")
            })?;
        let (_, message) = self.recategorize(last.id, &name)?;
        Ok(Reply::message(message))
    }

    /// `/keyword blue bottle food` teaches words; `/keyword remove blue`; `/keyword` lists them.
    fn keyword_command(&mut self, args: &str) -> Result<Reply, Error> {
        let usage = "Use /keyword WORDS CATEGORY (e.g. /keyword blue bottle food), \
                     /keyword remove WORD, or /keyword to list yours.";
        let words: Vec<&str> = args.split_whitespace().collect();
        let actor = self.cx.account.id;
        match words.as_slice() {
            [] | ["list"] => {
                let vocabulary = keywords::vocabulary(self.conn, actor, &[])?;
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
            [verb, rest @ ..]
                if !rest.is_empty()
                    && matches!(
                        verb.to_ascii_lowercase().as_str(),
                        "remove" | "forget" | "delete"
                    ) =>
            {
                let mut gone = Vec::new();
                for word in self.cx.tally.parser().learnable_words(&rest.join(" ")) {
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
            [phrase @ .., last] if !phrase.is_empty() => {
                let name =
                    CategoryName::parse(last).map_err(|_| Error::invalid("category", usage))?;
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
                let learned = self.cx.tally.parser().learnable_words(&phrase.join(" "));
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
            _ => Err(Error::invalid("keyword", usage)),
        }
    }

    fn settings_command(&mut self, args: &str) -> Result<Reply, Error> {
        if self.is_group() {
            return Err(Error::invalid(
                "settings",
                "Settings are personal: send /settings to me in a private chat.",
            ));
        }
        let mut words = args.split_whitespace();
        let key = words.next().map(str::to_ascii_lowercase);
        let value: String = words.collect::<Vec<_>>().join(" ");
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

fn parse_count(args: &str) -> Result<u32, Error> {
    if args.is_empty() {
        return Ok(super::intents::DEFAULT_RECENT);
    }
    match args.parse::<u32>() {
        Ok(n) if (1..=super::intents::MAX_RECENT).contains(&n) => Ok(n),
        _ => Err(Error::invalid(
            "count",
            format!(
                "Use /recent or /recent 10 (up to {}).",
                super::intents::MAX_RECENT
            ),
        )),
    }
}

/// `/budget-channel enable|disable`: turns a channel into a shared ledger, or switches it off.
/// Only members the platform marks as admins (Manage Channels on Discord) may do it.
pub(super) fn budget_channel(
    tally: &Tally,
    conn: &mut AnyConnection,
    msg: &Incoming,
    args: &str,
) -> Result<Option<Reply>, Error> {
    let now = tally.now();
    if !updates::claim(conn, msg.platform, &msg.update_id, now)? {
        return Ok(None);
    }
    let say = |s: &str| Ok(Some(Reply::text(Text::plain_str(s))));
    if msg.chat.kind != ChatKind::Group {
        return say("Run /budget-channel in the channel you want to share a budget in.");
    }
    if !msg.sender.role.is_some_and(|r| r.can_manage()) {
        return say("Only members who can manage this channel can switch its budget on or off.");
    }
    let account = super::turn::sender_account(tally, conn, msg, now)?;
    match args.trim().to_ascii_lowercase().as_str() {
        "enable" | "on" => {
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
        }
        "disable" | "off" => match ledgers::find_group(conn, msg.platform, &msg.chat.id)? {
            Some(ledger) if ledger.active => {
                ledgers::set_active(conn, ledger.id, false)?;
                say(
                    "This channel's budget is switched off. Its history is kept; /budget-channel enable brings it back.",
                )
            }
            _ => say("This channel has no budget switched on."),
        },
        _ => say("Use /budget-channel enable or /budget-channel disable."),
    }
}
