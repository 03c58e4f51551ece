//! Issue 14 over HTTP: one converted total beside the per-currency figures (`in=` chooses its
//! currency), card charges recorded with an entry, and the fallback without rates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_core::rates::parse_ecb_xml;
use tally_core::services::rates;

const RATES: &str = "<Cube>\
    <Cube time='2026-11-24'><Cube currency='USD' rate='1.0565'/></Cube>\
    <Cube time='2026-11-20'><Cube currency='USD' rate='1.0400'/></Cube></Cube>";

async fn post(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post(token, "/api/v1/transactions", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_converts_each_entry_at_its_date_and_counts_card_charges() {
    for db in backends("api_currencies") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let chf = json!({"kind": "expense", "amount": "52.28", "currency": "CHF",
            "category": "food", "date": "2026-11-24", "charged": {"amount": "55.41", "currency": "USD"}});
        // Without rates: per currency, and the reason.
        post(
            &app,
            &token,
            json!({"kind": "expense", "amount": "30", "currency": "EUR",
            "category": "food", "date": "2026-11-21"}),
        )
        .await;
        let s: Value = app
            .get(&token, "/api/v1/summary")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(s["missing_rates"], json!(["EUR"]));
        assert!(s.get("converted").is_none());
        app.tally
            .db()
            .write(|c| rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", start()))
            .await
            .unwrap();
        app.spend(&token, "100", "food", "2026-11-24").await;
        let r = post(&app, &token, chf.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let tx: Value = r.json().await.unwrap();
        assert_eq!(
            (tx["amount"].as_str(), tx["currency"].as_str()),
            (Some("52.28"), Some("CHF"))
        );

        let s: Value = app
            .get(&token, "/api/v1/summary")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(s["currencies"].as_array().unwrap().len(), 3, "{s}");
        let c = &s["converted"];
        assert_eq!(c["currency"], "USD");
        // 100 + 30 × 1.04 (Saturday: Friday's rate) + the card's 55.41.
        assert_eq!(c["expenses"], "186.61", "{s}");
        assert_eq!(c["rates_date"], "2026-11-20");
        assert_eq!(c["note"], "at ECB rates of 20 Nov 2026");
        assert!(s.get("missing_rates").is_none());

        // In euros: $100 → 94.65 and the card's $55.41 → 52.45 at the 24th's rate, each
        // rounded once; the euros as they are.
        let s: Value = app
            .get(&token, "/api/v1/summary?in=EUR")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(s["converted"]["expenses"], "177.10", "{s}");
        assert_eq!(s["converted"]["rates_date"], "2026-11-24");

        let r = app.get(&token, "/api/v1/summary?in=DOLLARS").await;
        let (status, _, field) = error_of(r).await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("in"))
        );

        // A charge in the entry's own currency says what to do instead.
        let mut same = chf.clone();
        same["charged"]["currency"] = json!("CHF");
        let (status, _, field) = error_of(post(&app, &token, same).await).await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("charged"))
        );
        let mut bad = chf;
        bad["charged"]["currency"] = json!("EURO");
        let (status, _, field) = error_of(post(&app, &token, bad).await).await;
        assert_eq!(
            (status, field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("charged"))
        );

        // A budget in dollars counts the euros converted.
        let r = app
            .req(
                reqwest::Method::PUT,
                "/api/v1/budgets/food/month",
                Some(&token),
            )
            .json(&json!({"amount": "200"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let b: Value = app
            .get(&token, "/api/v1/budgets")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(b[0]["spent"], "186.61", "{b}");
        assert_eq!(b[0]["conversion_note"], "at ECB rates of 20 Nov 2026");
    }
}
