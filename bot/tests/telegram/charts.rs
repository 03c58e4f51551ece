#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Charts through the real teloxide adapter: `/chart` and the 📊 button upload a PNG photo.

use crate::support::*;
use tally_testkit::telegram::{FakeUser, Sent};

fn ann() -> FakeUser {
    FakeUser::new(601, "Ann")
}

/// The photo's bytes decoded as a PNG: (width, height).
fn png_size(sent: &Sent) -> (u32, u32) {
    let (name, bytes) = sent.photo.as_ref().expect("a photo was uploaded");
    assert!(name.ends_with(".png"), "{name}");
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("the upload is a PNG");
    (image.width(), image.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_command_and_button_send_a_png_photo() {
    for db in backends("telegram_charts") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();

        // Nothing recorded yet: a sentence, not a picture.
        rig.fake.send_text(chat, &ann, "/chart");
        let empty = rig.nth(chat, 1).await;
        assert!(empty.photo.is_none());
        assert!(empty.text.contains("No spending"), "{}", empty.text);

        rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            spend(c, me, ledger, "12.50", "food", "pizza");
            spend(c, me, ledger, "40", "groceries", "market");
            spend(c, me, ledger, "7.25", "transport", "bus");
            Ok(())
        });

        rig.fake.send_text(chat, &ann, "/chart categories");
        let photo = rig.nth(chat, 2).await;
        let (width, height) = png_size(&photo);
        assert_eq!(width, 1080);
        assert!(height > 100);
        assert!(
            photo.text.contains("Spending by category"),
            "caption: {}",
            photo.text
        );
        assert!(
            photo.html.contains("<b>"),
            "an HTML caption: {}",
            photo.html
        );

        // /summary carries a 📊 button that answers with the same chart.
        rig.fake.send_text(chat, &ann, "/summary");
        let summary = rig.nth(chat, 3).await;
        let data = summary.button("Chart").expect("a chart button");
        assert!(data.starts_with("ch:1:"), "{data}");
        rig.fake.press(&ann, chat, summary.message_id, &data);
        let pressed = rig.nth(chat, 4).await;
        assert_eq!(png_size(&pressed).0, 1080);

        // Free text asks for one too.
        rig.fake
            .send_text(chat, &ann, "show me a chart of food this year");
        let food = rig.nth(chat, 5).await;
        assert_eq!(png_size(&food).0, 1080);
        assert!(food.text.contains("Food per month"), "{}", food.text);

        let uploads = rig.fake.with(|r| r.ok_calls_to("sendPhoto").count());
        assert_eq!(uploads, 3);
    }
}
