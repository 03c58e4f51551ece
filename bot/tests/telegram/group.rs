#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A group with its own ledger: members, admin-only budgets decided by Telegram, alerts.

use crate::support::*;
use tally_core::domain::CategoryName;
use tally_core::money::{Currency, Money};
use tally_core::period::BudgetPeriod;
use tally_core::services::budgets;
use tally_testkit::telegram::{BOT_USERNAME, FakeUser};

const GROUP: i64 = -1_001_234_567_890;

fn bob() -> FakeUser {
    FakeUser {
        id: 601,
        first_name: "Bob".into(),
        last_name: Some("Stone".into()),
        username: Some("bobstone".into()),
    }
}

fn cat() -> FakeUser {
    FakeUser {
        id: 602,
        first_name: String::new(),
        last_name: None,
        username: Some("cat_k".into()),
    }
}

fn set_food_budget(rig: &Rig, amount: &str) {
    rig.db(|c| {
        let ledger = group_ledger(c, GROUP);
        let bob = account_of(c, bob().id);
        budgets::set(
            c,
            bob,
            ledger,
            &CategoryName::parse("food").unwrap(),
            Money::parse(amount, Currency::USD).unwrap(),
            BudgetPeriod::Month,
            now(),
        )
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_share_a_ledger_and_only_admins_manage_budgets() {
    for db in backends("telegram_group_admins") {
        let rig = rig(&db).await;
        let (bob, cat) = (bob(), cat());
        rig.fake.name_group(GROUP, "Flat <12>");
        rig.fake.set_status(GROUP, bob.id, "creator");

        rig.fake.send_text(GROUP, &bob, "/help");
        let help = rig.nth(GROUP, 1).await;
        assert!(
            help.text.contains("This group has its own shared ledger"),
            "{}",
            help.text
        );
        rig.fake
            .send_text(GROUP, &cat, &format!("/help@{BOT_USERNAME}"));
        rig.nth(GROUP, 2).await;

        // Replies in a group answer the message that asked.
        let replied_to = rig.fake.with(|r| {
            r.ok_calls_to("sendMessage")
                .filter(|c| c.body["chat_id"] == GROUP)
                .all(|c| c.body["reply_parameters"]["message_id"].is_i64())
        });
        assert!(replied_to);
        // Telegram was asked about each member's standing in this group.
        let asked: Vec<(i64, u64)> = rig.fake.with(|r| {
            r.ok_calls_to("getChatMember")
                .map(|c| {
                    (
                        c.body["chat_id"].as_i64().unwrap(),
                        c.body["user_id"].as_u64().unwrap(),
                    )
                })
                .collect()
        });
        assert_eq!(asked, vec![(GROUP, bob.id), (GROUP, cat.id)]);

        // Both record in the group; Bob also has something private.
        rig.db(|c| {
            let ledger = group_ledger(c, GROUP);
            let b = account_of(c, bob.id);
            let k = account_of(c, cat.id);
            spend(c, b, ledger, "30", "food", "groceries");
            spend(c, k, ledger, "12", "transport", "taxi");
            let mine = personal_ledger(c, b);
            spend(c, b, mine, "99", "food", "my private dinner");
            Ok(())
        });
        rig.fake.send_text(GROUP, &cat, "/summary");
        let summary = rig.nth(GROUP, 3).await;
        assert!(summary.text.contains("By member"), "{}", summary.text);
        assert!(
            summary.text.contains("Bob Stone: spent $30.00"),
            "{}",
            summary.text
        );
        assert!(
            summary.text.contains("@cat_k: spent $12.00"),
            "{}",
            summary.text
        );
        assert!(
            !summary.text.contains("99"),
            "personal data in a group: {}",
            summary.text
        );
        rig.fake.send_text(GROUP, &bob, "/recent");
        let recent = rig.nth(GROUP, 4).await;
        assert!(recent.text.contains("groceries") && recent.text.contains("taxi"));
        assert!(!recent.text.contains("private dinner"), "{}", recent.text);

        // A member may not remove a budget; the group's creator may.
        set_food_budget(&rig, "100");
        rig.fake.send_text(GROUP, &cat, "/budget remove food");
        let refused = rig.nth(GROUP, 5).await;
        assert!(
            refused.text.contains("Only the group's admins"),
            "{}",
            refused.text
        );
        rig.fake.send_text(GROUP, &bob, "/budget remove food");
        let removed = rig.nth(GROUP, 6).await;
        assert!(removed.text.contains("Removed"), "{}", removed.text);

        // Telegram decides, every time: Cat promoted can, Bob demoted can't.
        set_food_budget(&rig, "100");
        rig.fake.set_status(GROUP, bob.id, "member");
        rig.fake.set_status(GROUP, cat.id, "administrator");
        rig.fake.send_text(GROUP, &bob, "/budget remove food");
        let refused = rig.nth(GROUP, 7).await;
        assert!(
            refused.text.contains("Only the group's admins"),
            "{}",
            refused.text
        );
        rig.fake.send_text(GROUP, &cat, "/budget remove food");
        let removed = rig.nth(GROUP, 8).await;
        assert!(removed.text.contains("Removed"), "{}", removed.text);

        // Chatter, and commands for other bots, get no answer.
        rig.fake.send_text(GROUP, &cat, "who ate my yogurt?");
        let last = rig.fake.send_text(GROUP, &bob, "/summary@SomeOtherBot");
        rig.confirmed(last).await;
        assert_eq!(rig.fake.with(|r| r.sent_to(GROUP).len()), 8);
        let stats = rig.telegram.stats();
        assert_eq!(stats.handled, 8);
        assert_eq!(stats.ignored, 2);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_spending_names_the_member_and_alerts_once_per_threshold() {
    if !parser_ready("group_spending_names_the_member_and_alerts_once_per_threshold") {
        return;
    }
    for db in backends("telegram_group_alerts") {
        let rig = rig(&db).await;
        let (bob, cat) = (bob(), cat());
        rig.fake.set_status(GROUP, bob.id, "administrator");

        rig.fake.send_text(GROUP, &bob, "/budget food 100 month");
        let set = rig.nth(GROUP, 1).await;
        assert!(set.text.to_lowercase().contains("food"), "{}", set.text);
        rig.fake.send_text(GROUP, &cat, "/budget food 50");
        let refused = rig.nth(GROUP, 2).await;
        assert!(
            refused.text.contains("Only the group's admins"),
            "{}",
            refused.text
        );

        rig.fake
            .send_text(GROUP, &cat, &format!("/spent@{BOT_USERNAME} 85 food pizza"));
        let msgs = rig.messages(GROUP, 4).await;
        assert!(msgs[2].text.contains("@cat_k recorded"), "{}", msgs[2].text);
        assert!(
            msgs[3].text.contains("80%") || msgs[3].text.contains("85%"),
            "{}",
            msgs[3].text
        );

        let id = rig.fake.send_text(GROUP, &bob, "/spent 20 food snacks");
        let msgs = rig.messages(GROUP, 6).await;
        assert!(
            msgs[4].text.contains("Bob Stone recorded"),
            "{}",
            msgs[4].text
        );
        assert!(msgs[5].text.contains("exceeded"), "{}", msgs[5].text);
        rig.confirmed(id).await;

        // Over 100% already: no further alert.
        let id = rig.fake.send_text(GROUP, &cat, "/spent 1 food gum");
        rig.confirmed(id).await;
        assert_eq!(rig.fake.with(|r| r.sent_to(GROUP).len()), 7);

        rig.fake.send_text(GROUP, &cat, "/summary");
        let summary = rig.nth(GROUP, 8).await;
        assert!(
            summary.text.contains("@cat_k: spent $86.00"),
            "{}",
            summary.text
        );
        assert!(
            summary.text.contains("Bob Stone: spent $20.00"),
            "{}",
            summary.text
        );
        rig.telegram.stop().await;
    }
}
