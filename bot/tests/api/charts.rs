//! `GET /api/v1/charts/{kind}.png|svg`: real images of the caller's ledgers, and nobody else's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_as_png_and_svg_scoped_to_the_caller() {
    for db in backends("api_charts") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;

        // Nothing recorded: 404 with its own code.
        let r = app.get(&ann, "/api/v1/charts/categories.png").await;
        let (status, code, _) = error_of(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "no_data"));

        app.spend(&ann, "12.50", "food", "2026-11-02").await;
        app.spend(&ann, "30", "groceries", "2026-11-03").await;
        app.spend(&ann, "100", "transport", "2026-10-04").await;
        app.spend(&bob, "999", "travel", "2026-11-05").await;

        let r = app.get(&ann, "/api/v1/charts/categories.png").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_TYPE], "image/png");
        let bytes = r.bytes().await.unwrap();
        let image =
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).expect("a PNG");
        assert_eq!(image.width(), 1080);
        assert!(image.height() > 100);

        let r = app
            .get(
                &ann,
                "/api/v1/charts/categories.svg?from=2026-10-01&to=2026-11-30",
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_TYPE], "image/svg+xml");
        let svg = r.text().await.unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.contains("Transport"), "October is in the range");
        assert!(!svg.contains("Travel"), "Bob's spending never shows");

        for path in [
            "/api/v1/charts/monthly.png?granularity=quarter",
            "/api/v1/charts/category.png?category=food",
        ] {
            let r = app.get(&ann, path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let image = image::load_from_memory(&r.bytes().await.unwrap()).expect("a PNG");
            assert_eq!(image.width(), 1080, "{path}");
        }

        // Bob's ledger is not Ann's to see: the same answer as a ledger that does not exist.
        let ledgers: Value = app.get(&bob, "/api/v1/ledgers").await.json().await.unwrap();
        let bobs = ledgers["ledgers"][0]["id"]
            .as_i64()
            .or_else(|| ledgers[0]["id"].as_i64())
            .expect("Bob's ledger id");
        let r = app
            .get(
                &ann,
                &format!("/api/v1/charts/categories.png?ledger={bobs}"),
            )
            .await;
        let (status, code, _) = error_of(r).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found")
        );

        // Unknown kinds and formats are the caller's mistake.
        for path in [
            "/api/v1/charts/pie.png",
            "/api/v1/charts/categories.gif",
            "/api/v1/charts/categories",
        ] {
            let (status, _, _) = error_of(app.get(&ann, path).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        }
        let (status, _, field) = error_of(app.get(&ann, "/api/v1/charts/category.png").await).await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category"))
        );
        // A personal ledger has no members to chart.
        let (status, _, _) = error_of(app.get(&ann, "/api/v1/charts/members.png").await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Without a token, nothing.
        let r = app
            .client
            .get(app.url("/api/v1/charts/categories.png"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_endpoint_names_the_chart_it_made() {
    let app = TestApp::spawn(tally_testkit::db::TestDb::sqlite()).await;
    let ann = app.user("ann").await;
    app.spend(&ann, "12.50", "food", "2026-11-02").await;
    let r = app
        .post(
            &ann,
            "/api/v1/messages",
            serde_json::json!({"text": "/chart"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let attachment = &body["messages"][0]["attachment"];
    assert_eq!(attachment["mime"], "image/png");
    assert_eq!(attachment["kind"], "photo");
    assert_eq!(attachment["file_name"], "chart-categories.png");
    assert!(attachment["size"].as_u64().unwrap() > 1000);
}
