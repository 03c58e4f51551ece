//! `GET /api/v1/export`: the caller's entries as a file, in each format, scoped like every read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_streams_the_callers_entries_in_each_format() {
    for db in backends("api_export") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;
        app.spend(&ann, "12.50", "food", "2026-11-02").await;
        app.spend(&ann, "30", "transport", "2026-11-03").await;
        app.spend(&ann, "7", "food", "2026-10-31").await;
        app.spend(&bob, "999", "food", "2026-11-02").await;

        let r = app
            .get(
                &ann,
                "/api/v1/export?format=csv&from=2026-11-01&to=2026-11-30",
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(
            r.headers()[CONTENT_DISPOSITION],
            "attachment; filename=\"tally-personal-2026-11-01-2026-11-30.csv\""
        );
        let body = r.text().await.unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(
            lines,
            [
                "date,kind,amount,currency,category,note,author,ledger",
                "2026-11-02,expense,12.50,USD,food,,ann,Personal",
                "2026-11-03,expense,30.00,USD,transport,,ann,Personal",
            ]
        );

        // JSON lines by default range: all three of Ann's, none of Bob's.
        let r = app.get(&ann, "/api/v1/export?format=json").await;
        assert_eq!(r.headers()[CONTENT_TYPE], "application/x-ndjson");
        let rows: Vec<Value> = r
            .text()
            .await
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r["author"] == "ann"));

        for (format, marker) in [
            ("beancount", "open Expenses:Food"),
            ("ledger", "account Expenses:Food"),
        ] {
            let r = app
                .get(&ann, &format!("/api/v1/export?format={format}"))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            let text = r.text().await.unwrap();
            assert!(text.contains(marker), "{format}: {text}");
            assert!(!text.contains("999"), "{format} shows Bob's entry: {text}");
        }

        // Bad input is a clear 422 naming the field; someone else's ledger does not exist.
        let (status, code, field) =
            error_of(app.get(&ann, "/api/v1/export?format=xls").await).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("format"))
        );
        let (status, _, field) = error_of(
            app.get(&ann, "/api/v1/export?from=2026-12-01&to=2026-11-01")
                .await,
        )
        .await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
        );
        let bobs: Value = app.get(&bob, "/api/v1/ledgers").await.json().await.unwrap();
        let bobs = bobs[0]["id"].as_i64().unwrap();
        let (status, _, _) = error_of(
            app.get(&ann, &format!("/api/v1/export?ledger={bobs}"))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let r = app
            .req(reqwest::Method::GET, "/api/v1/export", None)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}
