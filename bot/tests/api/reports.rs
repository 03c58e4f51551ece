//! Summaries, savings analytics, categories, budgets and ledgers over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tally_core::domain::Platform;

async fn income(app: &TestApp, token: &str, amount: &str, currency: &str, date: &str) {
    let r = app
        .post(token, "/api/v1/transactions", json!({"kind": "income", "amount": amount, "currency": currency, "category": "salary", "date": date}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_per_currency_and_category() {
    for db in backends("summary") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        income(&app, &token, "2500", "USD", "2026-11-01").await;
        app.spend(&token, "12.50", "food", "2026-11-02").await;
        app.spend(&token, "30", "food", "2026-11-03").await;
        app.spend(&token, "100", "transport", "2026-11-04").await;
        app.spend(&token, "7", "food", "2026-10-31").await;
        let r = app
            .post(&token, "/api/v1/transactions", json!({"kind": "expense", "amount": "8", "currency": "EUR", "category": "food", "date": "2026-11-05"}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // Default: this month.
        let s: Value = app
            .get(&token, "/api/v1/summary")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (s["from"].as_str(), s["to"].as_str()),
            (Some("2026-11-01"), Some("2026-11-30"))
        );
        let currencies = s["currencies"].as_array().unwrap();
        assert_eq!(currencies.len(), 2);
        let usd = &currencies[0];
        assert_eq!(usd["currency"], "USD");
        assert_eq!(
            (
                usd["income"].as_str(),
                usd["expenses"].as_str(),
                usd["net"].as_str()
            ),
            (Some("2500.00"), Some("142.50"), Some("2357.50"))
        );
        assert_eq!(usd["count"], 4);
        assert_eq!(usd["by_category"][0]["category"], "transport");
        assert_eq!(usd["by_category"][0]["total"], "100.00");
        assert_eq!(usd["by_category"][1]["category"], "food");
        assert_eq!(usd["by_category"][1]["total"], "42.50");
        assert_eq!(usd["by_category"][2]["kind"], "income");
        assert_eq!(currencies[1]["currency"], "EUR");
        assert_eq!(currencies[1]["expenses"], "8.00");

        let s: Value = app
            .get(&token, "/api/v1/summary?from=2026-10-01&to=2026-10-31")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(s["currencies"][0]["expenses"], "7.00");
        let r = app
            .get(&token, "/api/v1/summary?from=2026-11-10&to=2026-11-01")
            .await;
        assert_eq!(error_of(r).await.2.as_deref(), Some("from"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn savings_by_month_quarter_and_year() {
    for db in backends("savings") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        income(&app, &token, "2000", "USD", "2026-10-01").await;
        app.spend(&token, "1500", "housing", "2026-10-02").await;
        income(&app, &token, "2000", "USD", "2026-11-01").await;
        app.spend(&token, "500", "food", "2026-11-02").await;
        app.spend(&token, "300", "food", "2025-12-20").await;

        let v: Value = app
            .get(
                &token,
                "/api/v1/analytics/savings?granularity=month&from=2026-09-01&to=2026-11-30",
            )
            .await
            .json()
            .await
            .unwrap();
        let rows = v["periods"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["period"], "2026-09");
        assert_eq!(rows[0]["income"], "0.00");
        assert_eq!(rows[0]["savings_rate"], Value::Null);
        assert_eq!(rows[1]["period"], "2026-10");
        assert_eq!(
            (rows[1]["net"].as_str(), rows[1]["savings_rate"].as_str()),
            (Some("500.00"), Some("25.0"))
        );
        assert_eq!(
            (rows[2]["net"].as_str(), rows[2]["savings_rate"].as_str()),
            (Some("1500.00"), Some("75.0"))
        );

        let v: Value = app
            .get(
                &token,
                "/api/v1/analytics/savings?granularity=quarter&from=2026-01-01&to=2026-12-31",
            )
            .await
            .json()
            .await
            .unwrap();
        let rows = v["periods"].as_array().unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| r["period"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        assert_eq!(
            (
                rows[3]["income"].as_str(),
                rows[3]["expenses"].as_str(),
                rows[3]["savings_rate"].as_str()
            ),
            (Some("4000.00"), Some("2000.00"), Some("50.0"))
        );

        let v: Value = app
            .get(&token, "/api/v1/analytics/savings?granularity=year")
            .await
            .json()
            .await
            .unwrap();
        let rows = v["periods"].as_array().unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[4]["period"], "2026");
        assert_eq!(rows[3]["period"], "2025");
        assert_eq!(rows[3]["net"], "-300.00");
        assert_eq!(v["currencies"], json!(["USD"]));

        // Default: the last twelve months.
        let v: Value = app
            .get(&token, "/api/v1/analytics/savings")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["periods"].as_array().unwrap().len(), 12);
        assert_eq!(v["periods"][11]["period"], "2026-11");
        let r = app
            .get(&token, "/api/v1/analytics/savings?granularity=weekly")
            .await;
        assert_eq!(error_of(r).await.2.as_deref(), Some("granularity"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_and_budgets() {
    for db in backends("categories_budgets") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let cats: Value = app
            .get(&token, "/api/v1/categories")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            cats.as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == "personal_care" && c["label"] == "Personal care")
        );

        let r = app
            .post(
                &token,
                "/api/v1/categories",
                json!({"name": "Climbing Gym"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let c: Value = r.json().await.unwrap();
        assert_eq!(
            (c["name"].as_str(), c["kind"].as_str()),
            (Some("climbing_gym"), Some("expense"))
        );
        let r = app
            .post(
                &token,
                "/api/v1/categories",
                json!({"name": "climbing gym"}),
            )
            .await;
        assert_eq!(error_of(r).await.0, StatusCode::CONFLICT);
        let r = app
            .post(
                &token,
                "/api/v1/categories",
                json!({"name": "bonus", "kind": "income"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let path = format!("/api/v1/categories/{}", c["id"]);
        let renamed: Value = app
            .patch(&token, &path, json!({"name": "bouldering"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(renamed["name"], "bouldering");
        app.spend(&token, "15", "bouldering", "2026-11-20").await;
        let archived: Value = app
            .patch(&token, &path, json!({"archived": true}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(archived["archived"], true);
        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": "1", "category": "bouldering"}),
            )
            .await;
        assert_eq!(error_of(r).await.2.as_deref(), Some("category"));
        let all: Value = app
            .get(&token, "/api/v1/categories?archived=true")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == "bouldering")
        );

        // Another account can't touch it.
        let bob = app.user("bob").await;
        assert_eq!(
            app.patch(&bob, &path, json!({"name": "mine"}))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // Budgets.
        let r = app
            .req(Method::PUT, "/api/v1/budgets/food/month", Some(&token))
            .json(&json!({"amount": "300"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let b: Value = r.json().await.unwrap();
        assert_eq!(
            (
                b["amount"].as_str(),
                b["currency"].as_str(),
                b["period"].as_str()
            ),
            (Some("300.00"), Some("USD"), Some("month"))
        );
        app.spend(&token, "75", "food", "2026-11-03").await;
        let list: Value = app
            .get(&token, "/api/v1/budgets")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list[0]["spent"], "75.00");
        assert_eq!(list[0]["remaining"], "225.00");
        assert_eq!(list[0]["percent"], 25);
        assert_eq!(list[0]["period_start"], "2026-11-01");
        // PUT again replaces.
        let r = app
            .req(Method::PUT, "/api/v1/budgets/food/month", Some(&token))
            .json(&json!({"amount": "150"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["percent"], 50);
        let r = app
            .req(Method::PUT, "/api/v1/budgets/food/fortnight", Some(&token))
            .json(&json!({"amount": "1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.2.as_deref(), Some("period"));
        let r = app
            .req(Method::PUT, "/api/v1/budgets/food/week", Some(&token))
            .json(&json!({"amount": "-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.2.as_deref(), Some("amount"));
        assert_eq!(
            app.delete(&token, "/api/v1/budgets/food/month")
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&token, "/api/v1/budgets/food/month")
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let list: Value = app
            .get(&token, "/api/v1/budgets")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list, json!([]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledgers_include_groups_and_group_rules_apply() {
    for db in backends("ledgers") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        // Ann's chat identity joins her account, then she talks in a group.
        let code: Value = app
            .post(&token, "/api/v1/link-codes", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let reply = app
            .chat(
                Platform::Telegram,
                "100",
                &format!("/link {}", code["code"].as_str().unwrap()),
            )
            .await;
        assert!(reply.contains("Link this chat"), "{reply}");
        // A code only asks; the redeemer's confirmation merges.
        let reply = app.chat(Platform::Telegram, "100", "/link confirm").await;
        assert!(reply.contains("Linked"), "{reply}");
        app.group_chat(Platform::Telegram, "100", "-500", "/help")
            .await;

        let ledgers: Value = app
            .get(&token, "/api/v1/ledgers")
            .await
            .json()
            .await
            .unwrap();
        let ledgers = ledgers.as_array().unwrap();
        assert_eq!(ledgers.len(), 2);
        assert_eq!(
            (ledgers[0]["kind"].as_str(), ledgers[0]["role"].as_str()),
            (Some("personal"), Some("owner"))
        );
        assert_eq!(
            (
                ledgers[1]["kind"].as_str(),
                ledgers[1]["platform"].as_str(),
                ledgers[1]["role"].as_str()
            ),
            (Some("group"), Some("telegram"), Some("member"))
        );
        let group = ledgers[1]["id"].as_i64().unwrap();

        // Data routes take the group's id; a plain member may record but not set budgets.
        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": "20", "category": "food", "ledger": group}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let page: Value = app
            .get(&token, &format!("/api/v1/transactions?ledger={group}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
        let personal: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(personal["total"], 0);
        let r = app
            .req(
                Method::PUT,
                &format!("/api/v1/budgets/food/month?ledger={group}"),
                Some(&token),
            )
            .json(&json!({"amount": "300"}))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.0, StatusCode::FORBIDDEN);
        let s: Value = app
            .get(&token, &format!("/api/v1/summary?ledger={group}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(s["currencies"][0]["by_member"][0]["expenses"], "20.00");
    }
}
