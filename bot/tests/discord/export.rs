#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `/export` on Discord: the file rides on the reply as an attachment.

use crate::support::fake::{self, strings};
use crate::support::fake::{BEN, DM};
use crate::support::{Harness, backends, content};
use tally_testkit::db::TestDb;

async fn export_attaches_a_csv(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let registered = h.registration.body.as_array().expect("commands").clone();
    let export = registered
        .iter()
        .find(|c| c["name"] == "export")
        .expect("/export is registered");
    assert_eq!(export["options"][0]["name"], "format");
    h.spend(&BEN, None, "12.50", "food", "lunch");
    h.spend(&BEN, None, "40", "groceries", "market");

    f.interaction(fake::command(
        7101,
        &BEN,
        DM,
        "export",
        strings(&[("format", "csv")]),
    ))
    .await;
    let carrier = f
        .request("the export's file", |r| {
            (r.path.starts_with("/api/v10/interactions/7101/")
                || r.path.contains(&fake::token(7101)))
                && !r.files.is_empty()
        })
        .await;
    let (name, bytes) = carrier.files.first().unwrap();
    assert!(name.ends_with(".csv"), "{name}");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "date,kind,amount,currency,category,note,author,ledger"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(",expense,12.50,USD,food,lunch,"),
        "{text}"
    );
    assert!(
        content(&carrier.body).contains("2 entries"),
        "{}",
        carrier.body
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export() {
    on_backends!("discord_export", export_attaches_a_csv);
}
