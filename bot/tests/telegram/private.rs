#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A private conversation through the real teloxide adapter and a fake Bot API.

use crate::support::*;
use tally_core::services::transactions;
use tally_testkit::telegram::FakeUser;

fn ann() -> FakeUser {
    FakeUser {
        id: 501,
        first_name: "Ann".into(),
        last_name: Some("Lee".into()),
        username: Some("annlee".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_queries_and_buttons_without_the_parser() {
    for db in backends("telegram_private_buttons") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();

        rig.fake.send_text(chat, &ann, "/start");
        let welcome = rig.nth(chat, 1).await;
        assert!(welcome.text.contains("Hi Ann Lee"), "{}", welcome.text);
        assert!(
            welcome.html.contains("<b>"),
            "HTML parse mode: {}",
            welcome.html
        );

        let tx = rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            Ok(spend(c, me, ledger, "12.50", "food", "pizza night"))
        });

        rig.fake.send_text(chat, &ann, "/recent");
        let recent = rig.nth(chat, 2).await;
        assert!(recent.text.contains("pizza night"), "{}", recent.text);
        rig.fake.send_text(chat, &ann, "/summary");
        let summary = rig.nth(chat, 3).await;
        assert!(summary.text.contains("Summary for"), "{}", summary.text);
        assert!(summary.text.contains("12.50"), "{}", summary.text);

        // The message the core sent when recording carries these buttons.
        let recorded = rig.fake.plant_message(
            chat,
            "✅ Recorded expense: $12.50 · food",
            &[vec![
                ("↩ Undo", &format!("u:{}", tx.id)),
                ("🏷 Change category", &format!("c:{}", tx.id)),
            ]],
        );

        // Change category: the reply offers categories, then shows the choice.
        rig.fake
            .press(&ann, chat, recorded, &format!("c:{}", tx.id));
        let choosing = rig.edited(chat, recorded, 1).await;
        assert!(
            choosing.text.contains("Pick its category"),
            "{}",
            choosing.text
        );
        let (label, data) = choosing
            .buttons()
            .into_iter()
            .find(|(_, d)| d.starts_with(&format!("s:{}:", tx.id)))
            .expect("category buttons");
        let picked = data.rsplit(':').next().unwrap().to_owned();
        rig.fake.press(&ann, chat, recorded, &data);
        let moved = rig.edited(chat, recorded, 2).await;
        assert!(
            moved.text.to_lowercase().contains(&label.to_lowercase()),
            "{label} in {}",
            moved.text
        );
        let stored = rig.db(|c| {
            let me = account_of(c, ann.id);
            transactions::get(c, me, tx.id)
        });
        assert_eq!(stored.category.as_str(), picked);
        let notices: Vec<String> = rig.fake.with(|r| {
            r.ok_calls_to("answerCallbackQuery")
                .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
                .collect()
        });
        assert!(
            notices.iter().any(|n| n.starts_with("Moved to")),
            "{notices:?}"
        );

        // Undo from the edited message's own button: the reply shows it was undone.
        let undo = moved.button("Undo").expect("an undo button");
        rig.fake.press(&ann, chat, recorded, &undo);
        let undone = rig.edited(chat, recorded, 3).await;
        assert!(undone.text.contains("Undone"), "{}", undone.text);
        assert!(undone.buttons().is_empty(), "buttons go with the undo");
        let gone = rig.db(|c| {
            let me = account_of(c, ann.id);
            Ok(transactions::get(c, me, tx.id).is_err())
        });
        assert!(gone);

        // Every press was answered, and nothing else was sent to the chat.
        let answered = rig
            .fake
            .with(|r| r.ok_calls_to("answerCallbackQuery").count());
        assert_eq!(answered, 3);
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 4);

        // A button whose data we can't read is answered and otherwise ignored.
        rig.fake.press(&ann, chat, recorded, "zz:garbage");
        rig.fake
            .wait_until(WAIT, |r| {
                r.ok_calls_to("answerCallbackQuery")
                    .any(|c| c.body["text"] == "That button no longer works.")
                    .then_some(())
            })
            .await
            .expect("stale button answered");
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_with_a_link_payload_reaches_the_core_as_start() {
    for db in backends("telegram_start_payload") {
        let rig = rig(&db).await;
        let ann = ann();
        rig.fake
            .send_text(ann.private_chat(), &ann, "/start AbC123_x");
        let reply = rig.nth(ann.private_chat(), 1).await;
        assert!(!reply.text.contains("I don't know"), "{}", reply.text);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_text_comes_back_exactly_as_typed() {
    for db in backends("telegram_html_escaping") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();
        let typed = r#"<b>_*[x] & "quoted" </i>"#;

        rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;
        rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            spend(c, me, ledger, "3", "food", typed);
            Ok(())
        });
        rig.fake.send_text(chat, &ann, "/recent");
        let recent = rig.nth(chat, 2).await;
        // The fake refuses HTML Telegram would refuse, so arriving at all means it parsed.
        assert!(recent.text.contains(typed), "{}", recent.text);
        assert!(
            recent
                .html
                .contains("&lt;b&gt;_*[x] &amp; &quot;quoted&quot; &lt;/i&gt;")
        );

        // Free text the bot doesn't understand is echoed back, escaped as well.
        rig.fake.send_text(chat, &ann, typed);
        let echoed = rig.nth(chat, 3).await;
        assert!(echoed.text.contains(typed.trim()), "{}", echoed.text);
        let refused = rig.fake.with(|r| {
            r.calls_to("sendMessage")
                .filter(|c| c.status != 200)
                .count()
        });
        assert_eq!(refused, 0);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_reply_is_split_between_lines() {
    for db in backends("telegram_long_reply") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;
        let notes: Vec<String> = (0..50)
            .map(|i| format!("note {i:02} <&> {}", "x".repeat(300)))
            .collect();
        rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            for n in &notes {
                spend(c, me, ledger, "1", "food", n);
            }
            Ok(())
        });
        let id = rig.fake.send_text(chat, &ann, "/recent 50");
        // The offset moves past an update only once its whole reply went out.
        rig.confirmed(id).await;
        let all: Vec<_> = rig
            .fake
            .with(|r| r.sent_to(chat).into_iter().cloned().collect());
        // 50 lines of ~330 characters: at least four messages.
        let parts: Vec<_> = all[1..].to_vec();
        assert!(parts.len() >= 4, "{} parts", parts.len());
        for p in &parts {
            assert!(p.text.encode_utf16().count() <= 4096);
        }
        let joined: String = parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for n in &notes {
            assert_eq!(joined.matches(n.as_str()).count(), 1, "{n} exactly once");
        }
        // Every part starts at the beginning of a line of the reply.
        for p in &parts {
            assert!(
                p.text.starts_with("Last ") || p.text.starts_with("• "),
                "{}",
                &p.text[..40]
            );
        }
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_conversation_with_the_parser() {
    if !parser_ready("free_text_conversation_with_the_parser") {
        return;
    }
    for db in backends("telegram_private_parser") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();

        rig.fake
            .send_text(chat, &ann, "spent 12 on lunch <b>&co</b>");
        let recorded = rig.nth(chat, 1).await;
        assert!(recorded.text.contains("Recorded"), "{}", recorded.text);
        assert!(recorded.text.contains("12"), "{}", recorded.text);
        assert!(recorded.text.contains("<b>&co</b>"), "{}", recorded.text);
        assert!(recorded.button("Undo").is_some());

        rig.fake
            .send_text(chat, &ann, "how much did I spend this month?");
        let answer = rig.nth(chat, 2).await;
        assert!(answer.text.contains("12"), "{}", answer.text);

        let change = recorded.button("Change category").expect("change button");
        rig.fake.press(&ann, chat, recorded.message_id, &change);
        let choosing = rig.edited(chat, recorded.message_id, 1).await;
        let (_, pick) = choosing
            .buttons()
            .into_iter()
            .find(|(_, d)| d.starts_with("s:"))
            .expect("categories offered");
        rig.fake.press(&ann, chat, recorded.message_id, &pick);
        let moved = rig.edited(chat, recorded.message_id, 2).await;
        let undo = moved.button("Undo").expect("undo still offered");
        rig.fake.press(&ann, chat, recorded.message_id, &undo);
        let undone = rig.edited(chat, recorded.message_id, 3).await;
        assert!(undone.text.contains("Undone"), "{}", undone.text);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_link_asks_first_and_only_the_confirm_button_links() {
    for db in backends("telegram_link_consent") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();
        // Someone else's account makes a code and sends Ann its start link.
        let (eve, code) = rig.db(|c| {
            let eve = tally_core::services::accounts::create(c, "Eve", Default::default(), now())?;
            let code = tally_core::services::linking::create_code(
                c,
                eve.id,
                chrono::Duration::minutes(10),
                now(),
            )?;
            Ok((eve.id, code.code))
        });
        rig.fake.send_text(chat, &ann, &format!("/start {code}"));
        let asked = rig.nth(chat, 1).await;
        assert!(
            asked.text.contains("Link this chat to another account?"),
            "{}",
            asked.text
        );
        let confirm = asked.button("Confirm").expect("a confirm button");
        assert!(confirm.starts_with("lk:"), "{confirm}");
        assert!(asked.button("Cancel").is_some());
        let mine = rig.db(|c| Ok(account_of(c, ann.id)));
        assert_ne!(mine, eve, "a start link alone links nothing");

        // Pressing Confirm links (and pressing it again does nothing more).
        rig.fake.press(&ann, chat, asked.message_id, &confirm);
        let linked = rig.edited(chat, asked.message_id, 1).await;
        assert!(linked.text.contains("Linked"), "{}", linked.text);
        assert!(linked.buttons().is_empty());
        assert_eq!(rig.db(|c| Ok(account_of(c, ann.id))), eve);

        // The /login reply asks Telegram not to fetch its one-time link for a preview.
        rig.fake.send_text(chat, &ann, "/login");
        let login = rig.nth(chat, 2).await;
        assert!(login.text.contains("/link?token="), "{}", login.text);
        assert!(login.link_preview_disabled);
        assert!(!asked.link_preview_disabled);
        rig.telegram.stop().await;
    }
}
