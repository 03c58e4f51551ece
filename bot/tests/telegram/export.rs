#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `/export` through the real teloxide adapter: the file arrives as a `sendDocument` upload.

use crate::support::*;
use tally_testkit::telegram::FakeUser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_command_uploads_a_csv_document() {
    for db in backends("telegram_export") {
        let rig = rig(&db).await;
        let ann = FakeUser::new(611, "Ann");
        let chat = ann.private_chat();

        rig.fake.send_text(chat, &ann, "/help");
        let help = rig.nth(chat, 1).await;
        assert!(help.text.contains("/export"), "{}", help.text);

        rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            spend(c, me, ledger, "12.50", "food", "pizza, large");
            spend(c, me, ledger, "40", "groceries", "market");
            Ok(())
        });

        rig.fake.send_text(chat, &ann, "/export csv");
        let sent = rig.nth(chat, 2).await;
        assert!(sent.photo.is_none());
        let (name, bytes) = sent.document.as_ref().expect("a document was uploaded");
        assert!(
            name.starts_with("tally-") && name.ends_with(".csv"),
            "{name}"
        );
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "12.50");
        assert_eq!(&rows[0][5], "pizza, large");
        assert_eq!(&rows[1][4], "groceries");
        assert!(sent.text.contains("2 entries"), "caption: {}", sent.text);
        assert!(sent.html.contains("<b>"), "an HTML caption: {}", sent.html);

        let uploads = rig.fake.with(|r| r.ok_calls_to("sendDocument").count());
        assert_eq!(uploads, 1);
    }
}
