#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Discord adapter end to end: serenity against a fake Discord, on SQLite and PostgreSQL.

use crate::support;
use crate::support::fake::{self, strings, sub};
use crate::support::fake::{ANA, BEN, DM};
use crate::support::{Harness, Place, backends, component_ids, content, ephemeral};
use serde_json::{Value, json};
use tally_core::conversation::table::{COMMANDS, OptionSpec};
use tally_testkit::db::TestDb;

const TOWN: Place = Place::Guild {
    channel: 620000000000000001,
};
const BUDGET: Place = Place::Guild {
    channel: 620000000000000002,
};

fn option<'a>(command: &'a Value, name: &str) -> &'a Value {
    command["options"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["name"] == name))
        .unwrap_or_else(|| panic!("no option {name} in {command}"))
}

async fn registers_every_command_with_typed_options(db: TestDb) {
    let h = Harness::start(db).await;
    let r = &h.registration;
    assert_eq!(
        r.path,
        format!("/api/v10/applications/{}/commands", fake::APP_ID)
    );
    let commands = r.body.as_array().expect("a list");
    let by_name = |n: &str| {
        commands
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("/{n} is not registered"))
    };
    for name in [
        "spent",
        "earned",
        "ask",
        "recent",
        "summary",
        "savings",
        "budget",
        "undo",
        "categories",
        "advice",
        "digest",
        "recategorize",
        "keyword",
        "link",
        "login",
        "help",
        "budget-channel",
    ] {
        by_name(name);
    }
    // Exactly the core's command table: names, descriptions, options and sub-commands.
    let names = |v: &Value| -> Vec<String> {
        v["options"].as_array().map_or_else(Vec::new, |o| {
            o.iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect()
        })
    };
    let same_options = |v: &Value, declared: &[OptionSpec]| {
        let want: Vec<String> = declared.iter().map(|o| o.name.to_owned()).collect();
        assert_eq!(names(v), want, "{v}");
        for o in declared {
            let got = option(v, o.name);
            assert_eq!(got["description"], o.description);
            assert_eq!(got["required"].as_bool().unwrap_or(false), o.required);
            assert_eq!(
                got["autocomplete"].as_bool().unwrap_or(false),
                o.suggest.is_some()
            );
            let choices: Vec<&str> = got["choices"].as_array().map_or_else(Vec::new, |c| {
                c.iter().map(|c| c["value"].as_str().unwrap()).collect()
            });
            let want: Vec<&str> = o.choices.iter().map(|(_, v)| *v).collect();
            assert_eq!(choices, want, "{}", o.name);
        }
    };
    let offered: Vec<_> = COMMANDS.iter().filter(|c| !c.hidden).collect();
    assert_eq!(commands.len(), offered.len());
    for spec in offered {
        let c = by_name(spec.name);
        assert_eq!(c["description"], spec.description);
        if spec.subcommands.is_empty() {
            same_options(c, spec.options);
        } else {
            let want: Vec<String> = spec.subcommands.iter().map(|s| s.name.to_owned()).collect();
            assert_eq!(names(c), want);
            for s in spec.subcommands {
                let sub = option(c, s.name);
                assert_eq!(sub["description"], s.description);
                same_options(sub, s.options);
            }
        }
    }
    let spent = by_name("spent");
    let amount = option(spent, "amount");
    assert_eq!(amount["type"], 3, "amounts are strings, never numbers");
    assert_eq!(amount["required"], true);
    assert_eq!(option(spent, "category")["autocomplete"], true);
    for o in ["note", "date"] {
        assert_eq!(option(spent, o)["type"], 3);
    }
    let period = option(by_name("summary"), "period");
    let values: Vec<&str> = period["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| c["value"].as_str().expect("value"))
        .collect();
    for v in [
        "this-month",
        "last-month",
        "this-week",
        "last-week",
        "this-quarter",
        "this-year",
        "last-year",
    ] {
        assert!(values.contains(&v), "{v} missing from {values:?}");
    }
    let granularity = option(by_name("savings"), "granularity");
    assert_eq!(granularity["choices"].as_array().map(Vec::len), Some(3));
    let count = option(by_name("recent"), "count");
    assert_eq!(count["type"], 4);
    assert_eq!(
        (count["min_value"].as_u64(), count["max_value"].as_u64()),
        (Some(1), Some(50))
    );
    let budget = by_name("budget");
    let set = option(budget, "set");
    assert_eq!(set["type"], 1);
    assert_eq!(option(set, "category")["autocomplete"], true);
    assert_eq!(option(set, "amount")["type"], 3);
    assert_eq!(option(budget, "remove")["type"], 1);
    assert_eq!(option(budget, "show")["type"], 1);
    let channel = by_name("budget-channel");
    assert_eq!(option(channel, "enable")["type"], 1);
    assert_eq!(option(channel, "disable")["type"], 1);
    assert_eq!(channel["default_member_permissions"], "16");
    assert_eq!(channel["contexts"], json!([0]));
    assert_eq!(by_name("help")["contexts"], json!([0, 1]));
    assert_eq!(option(by_name("ask"), "text")["required"], true);
    // The client connected through the configured REST base and the fake gateway.
    let identify = h.fake.identifies().first().cloned().expect("identified");
    assert_eq!(identify["token"], "Bot fake-token");
    assert_eq!(
        identify["shard"],
        json!([0, 1]),
        "autosharded with what /gateway/bot said"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration() {
    on_backends!(
        "discord_registration",
        registers_every_command_with_typed_options
    );
}

async fn personal_commands_answer_privately(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    f.interaction(fake::command(1001, &BEN, DM, "help", json!([])))
        .await;
    let help = f.callback(1001).await;
    assert_eq!(help["type"], 4);
    assert!(ephemeral(&help), "{help}");
    assert!(content(&help).contains("Commands"), "{help}");
    assert_eq!(help["data"]["allowed_mentions"]["parse"], json!([]));

    f.interaction(fake::command(1002, &BEN, TOWN, "categories", json!([])))
        .await;
    let cats = f.callback(1002).await;
    assert!(
        ephemeral(&cats),
        "a server channel without a budget is personal"
    );
    assert!(content(&cats).contains("**Expense categories:**"), "{cats}");
    assert!(content(&cats).contains("Groceries"), "{cats}");

    f.interaction(fake::command(1003, &BEN, TOWN, "budget", sub("show", &[])))
        .await;
    let show = f.callback(1003).await;
    assert!(ephemeral(&show));
    assert!(!content(&show).is_empty());

    f.interaction(fake::command(1004, &BEN, DM, "summary", json!([])))
        .await;
    let summary = f.callback(1004).await;
    assert!(ephemeral(&summary));
    assert!(
        content(&summary).to_lowercase().contains("november"),
        "{summary}"
    );

    f.interaction(fake::command(1005, &BEN, DM, "undo", json!([])))
        .await;
    let undo = f.callback(1005).await;
    assert!(ephemeral(&undo));
    assert!(content(&undo).to_lowercase().contains("nothing"), "{undo}");

    f.interaction(fake::command(
        1006,
        &BEN,
        DM,
        "categories",
        strings(&[("action", "add"), ("name", "coffee")]),
    ))
    .await;
    let added = f.callback(1006).await;
    assert!(
        content(&added).contains("Added the expense category"),
        "{added}"
    );

    f.interaction(fake::command(
        1007,
        &BEN,
        DM,
        "recent",
        json!([{"name": "count", "type": 4, "value": 3}]),
    ))
    .await;
    let recent = f.callback(1007).await;
    assert!(ephemeral(&recent));

    f.interaction(fake::command(
        1008,
        &BEN,
        DM,
        "digest",
        strings(&[("frequency", "weekly")]),
    ))
    .await;
    let digest = f.callback(1008).await;
    assert!(ephemeral(&digest));
    assert!(content(&digest).contains("Weekly digest on"), "{digest}");

    f.interaction(fake::command(
        1009,
        &BEN,
        DM,
        "keyword",
        sub("add", &[("words", "zorblax"), ("category", "groceries")]),
    ))
    .await;
    let taught = f.callback(1009).await;
    assert!(content(&taught).contains("now means Groceries"), "{taught}");
    f.interaction(fake::command(1010, &BEN, DM, "keyword", sub("list", &[])))
        .await;
    let list = f.callback(1010).await;
    assert!(content(&list).contains("zorblax → Groceries"), "{list}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_commands() {
    on_backends!("discord_personal", personal_commands_answer_privately);
}

async fn autocomplete_offers_the_callers_categories(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let focused = |name: &str, value: &str| json!([{"name": name, "type": 3, "value": value, "focused": true}]);
    // Someone Tally has not met sees the built-in categories; nothing is created for them.
    f.interaction(fake::autocomplete(
        2001,
        &BEN,
        DM,
        "spent",
        focused("category", "gr"),
    ))
    .await;
    let first = f.callback(2001).await;
    assert_eq!(first["type"], 8);
    assert_eq!(
        first["data"]["choices"],
        json!([{"name": "Groceries", "value": "groceries"}])
    );
    // Once they have their own category, it is offered.
    f.interaction(fake::command(
        2002,
        &BEN,
        DM,
        "categories",
        strings(&[("action", "add"), ("name", "coffee_beans")]),
    ))
    .await;
    assert!(content(&f.callback(2002).await).contains("Added"));
    f.interaction(fake::autocomplete(
        2003,
        &BEN,
        TOWN,
        "spent",
        focused("category", "Coffee b"),
    ))
    .await;
    let mine = f.callback(2003).await;
    assert_eq!(
        mine["data"]["choices"],
        json!([{"name": "Coffee beans", "value": "coffee_beans"}])
    );
    // Income commands offer income categories; the focused option can sit in a subcommand.
    f.interaction(fake::autocomplete(
        2004,
        &BEN,
        DM,
        "earned",
        focused("category", "sa"),
    ))
    .await;
    assert_eq!(
        f.callback(2004).await["data"]["choices"][0]["value"],
        "salary"
    );
    f.interaction(fake::autocomplete(
        2005,
        &BEN,
        DM,
        "spent",
        focused("category", "sa"),
    ))
    .await;
    assert_eq!(f.callback(2005).await["data"]["choices"], json!([]));
    let in_sub = json!([{"name": "set", "type": 1, "options": [
        {"name": "category", "type": 3, "value": "", "focused": true}]}]);
    f.interaction(fake::autocomplete(2006, &BEN, DM, "budget", in_sub))
        .await;
    let all = f.callback(2006).await;
    let n = all["data"]["choices"].as_array().map_or(0, Vec::len);
    assert!(
        (19..=25).contains(&n),
        "every expense category, at most 25: {all}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete() {
    on_backends!(
        "discord_autocomplete",
        autocomplete_offers_the_callers_categories
    );
}

async fn buttons_and_menus_edit_the_message(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let tx = h.spend(&BEN, None, "12.50", "food", "lunch");
    let id = tx.id.get();

    // "Change category": too many categories for buttons, so a select menu.
    f.interaction(fake::button(3001, &BEN, DM, &format!("c:{id}")))
        .await;
    let choose = f.callback(3001).await;
    assert_eq!(
        choose["type"], 7,
        "edits the message carrying the button: {choose}"
    );
    let ids = component_ids(&choose);
    assert!(ids.contains(&"menu:0".to_owned()), "{ids:?}");
    assert!(ids.contains(&format!("s:{id}:groceries")), "{ids:?}");
    assert!(!ids.contains(&format!("s:{id}:food")), "{ids:?}");

    f.interaction(fake::select(
        3002,
        &BEN,
        DM,
        "menu:0",
        &format!("s:{id}:groceries"),
    ))
    .await;
    let moved = f.callback(3002).await;
    assert_eq!(moved["type"], 7);
    assert!(content(&moved).contains("Groceries"), "{moved}");
    let stored =
        h.db.db
            .write_blocking(move |c| {
                let account = tally_core::services::accounts::find_identity(
                    c,
                    tally_core::domain::Platform::Discord,
                    &BEN.id.to_string(),
                )?
                .expect("identity")
                .account;
                tally_core::services::transactions::get(c, account, tx.id)
            })
            .expect("still there");
    assert_eq!(stored.category.as_str(), "groceries");

    f.interaction(fake::button(3003, &BEN, DM, &format!("u:{id}")))
        .await;
    let undone = f.callback(3003).await;
    assert_eq!(undone["type"], 7);
    assert!(content(&undone).contains("Undone"), "{undone}");

    // Pressing it again: nothing to edit, a private note instead.
    f.interaction(fake::button(3004, &BEN, DM, &format!("u:{id}")))
        .await;
    let again = f.callback(3004).await;
    assert_eq!(again["type"], 4);
    assert!(ephemeral(&again));
    assert!(content(&again).contains("already gone"), "{again}");

    // Someone else's transaction is invisible to them (not found, never "forbidden").
    let other = h.spend(&ANA, None, "5", "food", "");
    f.interaction(fake::button(
        3005,
        &BEN,
        DM,
        &format!("u:{}", other.id.get()),
    ))
    .await;
    let foreign = f.callback(3005).await;
    assert_eq!(foreign["type"], 4);
    assert!(content(&foreign).contains("already gone"), "{foreign}");

    f.interaction(fake::button(3006, &BEN, DM, "not-ours"))
        .await;
    let stray = f.callback(3006).await;
    assert!(ephemeral(&stray));
    assert_eq!(h.outcome(3006, 1).await, "ignored");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons() {
    on_backends!("discord_buttons", buttons_and_menus_edit_the_message);
}

async fn direct_messages_are_a_private_chat(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let dm_channel = 610000000000000009u64;
    f.dispatch(
        "MESSAGE_CREATE",
        fake::dm_message(4001, &BEN, dm_channel, "/help", false),
    )
    .await;
    let sent = f
        .request("the DM answer", |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{dm_channel}/messages")
        })
        .await;
    assert!(content(&sent.body).contains("Commands"), "{sent:?}");
    assert_eq!(h.outcome(4001, 1).await, "handled");
    // /help may be longer than one Discord message (2000 characters) and go in parts: the
    // last part (the last command, /help itself) is awaited before counting.
    f.request("the last part of the DM answer", |r| {
        r.method == "POST"
            && r.path == format!("/api/v10/channels/{dm_channel}/messages")
            && content(&r.body).contains("what Tally can do")
    })
    .await;
    let answered = f
        .requests()
        .iter()
        .filter(|r| r.path == format!("/api/v10/channels/{dm_channel}/messages"))
        .count();
    assert!((1..=2).contains(&answered), "{answered}");
    // Redelivered: handled once.
    f.dispatch(
        "MESSAGE_CREATE",
        fake::dm_message(4001, &BEN, dm_channel, "/help", false),
    )
    .await;
    assert_eq!(h.outcome(4001, 2).await, "duplicate");
    let posts = f
        .requests()
        .iter()
        .filter(|r| r.path == format!("/api/v10/channels/{dm_channel}/messages"))
        .count();
    assert_eq!(posts, answered, "nothing more is sent for the redelivery");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages() {
    on_backends!("discord_dm", direct_messages_are_a_private_chat);
}

async fn repeated_interactions_change_nothing(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let tx = h.spend(&BEN, None, "7", "food", "");
    let press = fake::button(5001, &BEN, DM, &format!("u:{}", tx.id.get()));
    f.interaction(press.clone()).await;
    assert!(content(&f.callback(5001).await).contains("Undone"));
    assert_eq!(h.outcome(5001, 1).await, "handled");
    f.interaction(press).await;
    assert_eq!(h.outcome(5001, 2).await, "duplicate");
    assert_eq!(f.callbacks(5001), 1, "no second answer");

    let help = fake::command(5002, &BEN, DM, "help", json!([]));
    f.interaction(help.clone()).await;
    f.callback(5002).await;
    f.interaction(help).await;
    assert_eq!(h.outcome(5002, 2).await, "duplicate");
    assert_eq!(f.callbacks(5002), 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates() {
    on_backends!("discord_duplicates", repeated_interactions_change_nothing);
}

async fn budget_channels_are_shared_and_guarded(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let Place::Guild { channel } = BUDGET else {
        unreachable!()
    };
    // Ben cannot manage the channel: refused, and only he sees it.
    f.interaction(fake::command(
        6001,
        &BEN,
        BUDGET,
        "budget-channel",
        sub("enable", &[]),
    ))
    .await;
    let refused = f.callback(6001).await;
    assert!(ephemeral(&refused));
    assert!(
        content(&refused).contains("Only members who can manage"),
        "{refused}"
    );

    f.interaction(fake::command(
        6002,
        &ANA,
        BUDGET,
        "budget-channel",
        sub("enable", &[]),
    ))
    .await;
    let enabled = f.callback(6002).await;
    assert!(!ephemeral(&enabled), "announced to the channel: {enabled}");
    assert!(
        content(&enabled).contains("its own shared budget"),
        "{enabled}"
    );

    // Ana (an admin) adds a category to the channel's ledger; Ben's suggestions come from it.
    f.interaction(fake::command(
        6003,
        &ANA,
        BUDGET,
        "categories",
        strings(&[("action", "add"), ("name", "snacks")]),
    ))
    .await;
    let added = f.callback(6003).await;
    assert!(!ephemeral(&added));
    assert!(content(&added).contains("Added"), "{added}");
    f.interaction(fake::command(6004, &BEN, BUDGET, "categories", json!([])))
        .await;
    assert!(
        !ephemeral(&f.callback(6004).await),
        "Ben joins the channel's ledger"
    );
    let focused = json!([{"name": "category", "type": 3, "value": "sn", "focused": true}]);
    f.interaction(fake::autocomplete(
        6005,
        &BEN,
        BUDGET,
        "spent",
        focused.clone(),
    ))
    .await;
    assert_eq!(
        f.callback(6005).await["data"]["choices"][0]["value"],
        "snacks"
    );
    f.interaction(fake::autocomplete(6006, &BEN, TOWN, "spent", focused))
        .await;
    assert_eq!(
        f.callback(6006).await["data"]["choices"],
        json!([]),
        "elsewhere Ben's own ledger has no snacks"
    );

    h.spend(&ANA, Some(channel), "30", "food", "pizza");
    let bens = h.spend(&BEN, Some(channel), "12", "snacks", "chips");
    f.interaction(fake::command(6007, &BEN, BUDGET, "summary", json!([])))
        .await;
    let summary = f.callback(6007).await;
    assert!(!ephemeral(&summary), "public in a budget channel");
    let text = content(&summary);
    for needle in ["Ana the Admin", "ben", "Food", "Snacks", "42"] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }

    // Only admins manage budgets; the core decides with the role the adapter passes.
    f.interaction(fake::command(
        6008,
        &BEN,
        BUDGET,
        "budget",
        sub("remove", &[("category", "food")]),
    ))
    .await;
    assert!(content(&f.callback(6008).await).contains("Only the group's admins"));

    // A button on a channel message works on the channel's ledger.
    f.interaction(fake::button(
        6009,
        &BEN,
        BUDGET,
        &format!("u:{}", bens.id.get()),
    ))
    .await;
    let undone = f.callback(6009).await;
    assert_eq!(undone["type"], 7);
    assert!(content(&undone).contains("Undone"), "{undone}");

    // Account matters stay private, and on the caller's own account, even here.
    f.interaction(fake::command(6012, &BEN, BUDGET, "settings", json!([])))
        .await;
    let settings = f.callback(6012).await;
    assert!(ephemeral(&settings));
    assert!(content(&settings).contains("Your settings"), "{settings}");
    f.interaction(fake::command(6013, &BEN, BUDGET, "login", json!([])))
        .await;
    assert!(ephemeral(&f.callback(6013).await));

    // Digests reach the channel itself.
    let notifier = h.discord.as_ref().expect("running").notifier.clone();
    tally_core::notify::Notifier::send(
        notifier.as_ref(),
        &channel.to_string(),
        tally_core::conversation::OutMessage::new(tally_core::conversation::Text::plain_str(
            "Weekly digest",
        )),
    )
    .await
    .expect("posted");
    let posted = f
        .request("the digest", |r| {
            r.path == format!("/api/v10/channels/{channel}/messages")
        })
        .await;
    assert_eq!(content(&posted.body), "Weekly digest");

    f.interaction(fake::command(
        6010,
        &ANA,
        BUDGET,
        "budget-channel",
        sub("disable", &[]),
    ))
    .await;
    assert!(content(&f.callback(6010).await).contains("switched off"));
    f.interaction(fake::command(6011, &BEN, BUDGET, "summary", json!([])))
        .await;
    let personal = f.callback(6011).await;
    assert!(ephemeral(&personal), "back to personal: {personal}");
    assert!(!content(&personal).contains("Snacks"), "{personal}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_channels() {
    on_backends!(
        "discord_budget_channels",
        budget_channels_are_shared_and_guarded
    );
}

struct Assistant;

#[async_trait::async_trait]
impl tally_core::conversation::fallback::Fallback for Assistant {
    async fn interpret(
        &self,
        _request: tally_core::conversation::fallback::FallbackRequest,
    ) -> Result<
        tally_core::conversation::fallback::FallbackAnswer,
        tally_core::conversation::fallback::FallbackError,
    > {
        Ok(tally_core::conversation::fallback::FallbackAnswer::Nothing)
    }
}

async fn slow_answers_defer_then_edit(db: TestDb) {
    let h = Harness::with(
        db,
        support::Setup {
            fallback: Some(std::sync::Arc::new(Assistant)),
            ..support::Setup::default()
        },
    )
    .await;
    let f = &h.fake;
    f.interaction(fake::command(
        7001,
        &BEN,
        DM,
        "ask",
        strings(&[("text", "how am I doing?")]),
    ))
    .await;
    let deferred = f.callback(7001).await;
    assert_eq!(deferred["type"], 5, "{deferred}");
    assert!(ephemeral(&deferred));
    let edit = f
        .request("the edit of the deferred answer", |r| {
            r.method == "PATCH"
                && r.path.contains(&fake::token(7001))
                && r.path.ends_with("/messages/@original")
        })
        .await;
    assert!(!content(&edit.body).is_empty(), "{edit:?}");
    assert_eq!(h.outcome(7001, 1).await, "handled");
    assert_eq!(f.callbacks(7001), 1);
    // Fast commands answer at once even with an assistant configured.
    f.interaction(fake::command(7002, &BEN, DM, "help", json!([])))
        .await;
    assert_eq!(f.callback(7002).await["type"], 4);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defer_then_edit() {
    on_backends!("discord_defer", slow_answers_defer_then_edit);
}

async fn overdue_answers_are_deferred(db: TestDb) {
    // Zero: every command is deferred first (the same path as the safety net after
    // `defer_after`), so it is exercised without a clock.
    let h = Harness::with(
        db,
        support::Setup {
            defer_after: std::time::Duration::ZERO,
            ..support::Setup::default()
        },
    )
    .await;
    let f = &h.fake;
    f.interaction(fake::command(7101, &ANA, TOWN, "help", json!([])))
        .await;
    let deferred = f.callback(7101).await;
    assert_eq!(deferred["type"], 5);
    assert!(ephemeral(&deferred));
    let edit = f
        .request("the edit", |r| {
            r.method == "PATCH" && r.path.contains(&fake::token(7101))
        })
        .await;
    assert!(content(&edit.body).contains("Commands"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safety_defer() {
    on_backends!("discord_safety_defer", overdue_answers_are_deferred);
}

async fn failures_are_apologised_for_and_survived(db: TestDb) {
    use diesel::connection::SimpleConnection;
    let h = Harness::start(db).await;
    let f = &h.fake;
    // Break one table: budgets can no longer be read, everything else still works.
    h.db.db
        .checkout()
        .expect("connection")
        .batch_execute("DROP TABLE budget_alerts; DROP TABLE budgets;")
        .expect("dropped");
    f.interaction(fake::command(8001, &BEN, DM, "budget", sub("show", &[])))
        .await;
    let sorry = f.callback(8001).await;
    assert!(ephemeral(&sorry));
    assert!(
        content(&sorry).starts_with("Something went wrong on my side"),
        "{sorry}"
    );
    assert_eq!(h.outcome(8001, 1).await, "failed");
    f.interaction(fake::command(8002, &BEN, DM, "help", json!([])))
        .await;
    assert!(
        content(&f.callback(8002).await).contains("Commands"),
        "still running"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures() {
    on_backends!("discord_failures", failures_are_apologised_for_and_survived);
}

async fn digests_reach_users_in_a_dm(db: TestDb) {
    let h = Harness::start(db).await;
    let notifier = h.discord.as_ref().expect("running").notifier.clone();
    tally_core::notify::Notifier::send(
        notifier.as_ref(),
        &BEN.id.to_string(),
        tally_core::conversation::OutMessage::new(
            tally_core::conversation::Text::new()
                .bold("Your week")
                .plain(": $12 on food"),
        ),
    )
    .await
    .expect("sent");
    let opened = h
        .fake
        .request("a DM channel", |r| r.path == "/api/v10/users/@me/channels")
        .await;
    assert_eq!(opened.body["recipient_id"], BEN.id.to_string());
    let posted = h
        .fake
        .request("the DM", |r| {
            r.method == "POST"
                && r.path.starts_with("/api/v10/channels/9")
                && r.path.ends_with("/messages")
        })
        .await;
    assert_eq!(content(&posted.body), "**Your week**: $12 on food");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifier() {
    on_backends!("discord_notifier", digests_reach_users_in_a_dm);
}

async fn an_instance_runs_its_shard_range(db: TestDb) {
    let range = tally_bot::config::ShardRange {
        first: 1,
        last: 1,
        total: 2,
    };
    let h = Harness::with(
        db,
        support::Setup {
            shards: Some(range),
            ..support::Setup::default()
        },
    )
    .await;
    assert_eq!(h.fake.identifies()[0]["shard"], json!([1, 2]));
    assert!(
        !h.fake
            .requests()
            .iter()
            .any(|r| r.path == "/api/v10/gateway/bot"),
        "a fixed range does not ask Discord for a shard count"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shard_range() {
    on_backends!("discord_shards", an_instance_runs_its_shard_range);
}

async fn answers_still_running_near_the_deadline_are_deferred(db: TestDb) {
    use diesel::connection::SimpleConnection;
    use tally_core::db::Backend;
    let h = Harness::with(
        db,
        support::Setup {
            defer_after: std::time::Duration::from_millis(1),
            ..support::Setup::default()
        },
    )
    .await;
    let f = &h.fake;
    // Hold the database's write lock (the core's own on SQLite, a table lock on PostgreSQL):
    // the command cannot finish until the test lets it, so the adapter's timer fires first,
    // whatever the machine's speed.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let db = h.db.db.clone();
    let holder = std::thread::spawn(move || {
        let postgres = matches!(db.backend(), Backend::Postgres);
        db.write_blocking(move |conn| {
            if postgres {
                conn.batch_execute("LOCK TABLE processed_updates IN EXCLUSIVE MODE")
                    .expect("locked");
            }
            locked_tx.send(()).expect("test waiting");
            release_rx.recv().expect("released by the test");
            Ok(())
        })
        .expect("holder");
    });
    locked_rx.recv().expect("lock taken");
    f.interaction(fake::command(7201, &BEN, DM, "help", json!([])))
        .await;
    let deferred = f.callback(7201).await;
    assert_eq!(deferred["type"], 5, "{deferred}");
    assert!(ephemeral(&deferred));
    release_tx.send(()).expect("holder waiting");
    holder.join().expect("holder done");
    let edit = f
        .request("the edit", |r| {
            r.method == "PATCH" && r.path.contains(&fake::token(7201))
        })
        .await;
    assert!(content(&edit.body).contains("Commands"));
    assert_eq!(h.outcome(7201, 1).await, "handled");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_defer() {
    on_backends!(
        "discord_deadline_defer",
        answers_still_running_near_the_deadline_are_deferred
    );
}

async fn development_guild_gets_the_commands(db: TestDb) {
    let guild = 123456789012345678u64;
    let h = Harness::with(
        db,
        support::Setup {
            guild_id: Some(guild),
            ..support::Setup::default()
        },
    )
    .await;
    assert_eq!(
        h.registration.path,
        format!(
            "/api/v10/applications/{}/guilds/{guild}/commands",
            fake::APP_ID
        )
    );
    assert_eq!(
        h.registration.body.as_array().map(Vec::len),
        Some(commands_len())
    );
    h.stop().await;
}

fn commands_len() -> usize {
    COMMANDS.iter().filter(|c| !c.hidden).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_registration() {
    on_backends!(
        "discord_guild_registration",
        development_guild_gets_the_commands
    );
}
