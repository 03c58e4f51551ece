#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `/export` in chat: a file built by the export writers, the caller's ledger (or the group's).

use tally_core::conversation::{AttachmentKind, Reply};
use tally_core::domain::Role;
use tally_testkit::fixtures::*;

use crate::conversation::Chatter;

/// The attached file's name and its CSV rows (header first), read back with the csv crate.
fn csv_of(reply: &Reply) -> (String, Vec<Vec<String>>) {
    let m = &reply.messages[0];
    let file = m.attachment.as_ref().expect("a file is attached");
    assert_eq!(file.kind, AttachmentKind::Document);
    assert!(file.mime.starts_with("text/csv"), "{}", file.mime);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(file.bytes.as_slice());
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (file.file_name.clone(), rows)
}

#[tokio::test]
async fn export_sends_the_ledger_as_a_file_scoped_to_the_chat() {
    for t in backends("chat_export") {
        let mut chat = Chatter::new(&t);
        chat.say("ann", "/spent 12.50 food pizza").await.unwrap();
        chat.say("ann", "/earned 3000 salary november")
            .await
            .unwrap();
        chat.say_in(
            "-100",
            "ann",
            Some(Role::Admin),
            "/spent 30 groceries market",
        )
        .await
        .unwrap();
        chat.say_in("-100", "bob", Some(Role::Member), "/spent 8 coffee beans")
            .await
            .unwrap();

        // Private chat: Ann's own ledger, nothing from the group.
        let reply = chat.say("ann", "/export").await.unwrap();
        let (name, rows) = csv_of(&reply);
        assert!(name.ends_with(".csv"), "{name}");
        assert_eq!(
            rows[0],
            [
                "date", "kind", "amount", "currency", "category", "note", "author", "ledger"
            ]
        );
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            rows[1][..6],
            ["2026-11-24", "expense", "12.50", "USD", "food", "pizza"]
        );
        assert_eq!(rows[2][1..3], ["income", "3000.00"]);
        let caption = reply.messages[0].text.to_plain();
        assert!(caption.contains("2 entries"), "{caption}");
        assert!(caption.contains("all dates"), "{caption}");

        // In the group, any member gets the group's ledger, and only it.
        let reply = chat
            .say_in("-100", "bob", Some(Role::Member), "/export csv this-month")
            .await
            .unwrap();
        let (name, rows) = csv_of(&reply);
        assert!(name.ends_with("-2026-11-01-2026-11-30.csv"), "{name}");
        let notes: Vec<&str> = rows[1..].iter().map(|r| r[5].as_str()).collect();
        assert_eq!(notes, ["market", "coffee beans"]);
        let caption = reply.messages[0].text.to_plain();
        assert!(caption.contains("2026-11-01 to 2026-11-30"), "{caption}");

        // A period with nothing in it is an empty file with its header, not an error.
        let reply = chat.say("ann", "/export csv last-year").await.unwrap();
        let (_, rows) = csv_of(&reply);
        assert_eq!(rows.len(), 1);
        assert!(reply.messages[0].text.to_plain().contains("0 entries"));

        // The journal formats come from the same writers.
        let reply = chat.say("ann", "/export beancount").await.unwrap();
        let file = reply.messages[0].attachment.as_ref().unwrap();
        assert!(file.file_name.ends_with(".beancount"), "{}", file.file_name);
        let text = String::from_utf8(file.bytes.clone()).unwrap();
        assert!(text.contains("Expenses:Food"), "{text}");
        assert!(text.contains("12.50 USD"), "{text}");

        // A word that is neither a format nor a period is explained, not exported.
        let reply = chat.say("ann", "/export soon").await.unwrap();
        assert!(reply.messages[0].attachment.is_none());
        assert!(reply.plain().contains("period"), "{}", reply.plain());
    }
}
