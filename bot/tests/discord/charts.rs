#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Charts on Discord: `/chart` and the 📊 button answer with a PNG attached to the reply.

use crate::support::fake::{self, Request, strings};
use crate::support::fake::{BEN, DM};
use crate::support::{Harness, backends, component_ids, content};
use serde_json::json;
use tally_testkit::db::TestDb;

fn png_width(r: &Request) -> u32 {
    let (name, bytes) = r.files.first().expect("a file was attached");
    assert!(name.ends_with(".png"), "{name}");
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("a PNG")
        .width()
}

async fn chart_command_and_button_attach_a_png(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    let registered = h.registration.body.as_array().expect("commands").clone();
    assert!(
        registered.iter().any(|c| c["name"] == "chart"),
        "/chart is registered"
    );
    h.spend(&BEN, None, "12.50", "food", "lunch");
    h.spend(&BEN, None, "40", "groceries", "market");

    f.interaction(fake::command(
        7001,
        &BEN,
        DM,
        "chart",
        strings(&[("kind", "categories"), ("period", "this-month")]),
    ))
    .await;
    let callback = f
        .request("the chart's callback", |r| {
            r.path.starts_with("/api/v10/interactions/7001/") && r.method == "POST"
        })
        .await;
    let answered_by_edit = callback.body["type"] == 5;
    let carrier = if answered_by_edit {
        // Deferred first: the chart comes with the edit of the original response.
        f.request("the deferred edit", |r| {
            r.method == "PATCH" && r.path.contains(&fake::token(7001))
        })
        .await
    } else {
        callback
    };
    assert_eq!(png_width(&carrier), 1080);
    assert!(
        content(&carrier.body).contains("Spending by category"),
        "{}",
        carrier.body
    );

    f.interaction(fake::command(7002, &BEN, DM, "summary", json!([])))
        .await;
    let summary = f.callback(7002).await;
    let button = component_ids(&summary)
        .into_iter()
        .find(|id| id.starts_with("ch:1:"))
        .expect("a chart button under the summary");
    f.interaction(fake::button(7003, &BEN, DM, &button)).await;
    let pressed = f
        .request("the button's chart", |r| {
            (r.path.starts_with("/api/v10/interactions/7003/")
                || r.path.contains(&fake::token(7003)))
                && !r.files.is_empty()
        })
        .await;
    assert_eq!(png_width(&pressed), 1080);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts() {
    on_backends!("discord_charts", chart_command_and_button_attach_a_png);
}
