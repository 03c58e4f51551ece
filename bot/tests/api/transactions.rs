//! Transactions over HTTP: CRUD, validation of amounts, other accounts' data, filters and pages,
//! idempotent creation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_reads_edits_and_deletes() {
    for db in backends("tx_crud") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();

        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({
                    "kind": "expense", "amount": "12.50", "currency": "usd", "category": "Food",
                    "date": "2026-11-20", "note": "lunch with Bo"
                }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let tx: Value = r.json().await.unwrap();
        assert_eq!(tx["kind"], "expense");
        assert_eq!(tx["amount"], "12.50");
        assert_eq!(tx["currency"], "USD");
        assert_eq!(tx["category"], "food");
        assert_eq!(tx["date"], "2026-11-20");
        assert_eq!(tx["note"], "lunch with Bo");
        assert_eq!(tx["author"], me["id"]);
        assert_eq!(tx["source"], "web");
        assert!(tx["ledger"].as_i64().is_some());
        assert!(tx["created_at"].as_str().is_some() && tx["updated_at"].as_str().is_some());

        // Defaults: the account's currency, today in its time zone, `other`.
        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({"kind": "income", "amount": 2500}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let income: Value = r.json().await.unwrap();
        assert_eq!(income["amount"], "2500.00");
        assert_eq!(income["currency"], "USD");
        assert_eq!(income["date"], "2026-11-24");
        assert_eq!(income["category"], "other");

        let id = tx["id"].as_i64().unwrap();
        let path = format!("/api/v1/transactions/{id}");
        let got: Value = app.get(&token, &path).await.json().await.unwrap();
        assert_eq!(got, tx);

        let r = app
            .patch(
                &token,
                &path,
                json!({"amount": "20", "category": "groceries", "note": "market"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let edited: Value = r.json().await.unwrap();
        assert_eq!(
            (
                edited["amount"].as_str(),
                edited["category"].as_str(),
                edited["note"].as_str()
            ),
            (Some("20.00"), Some("groceries"), Some("market"))
        );
        // A new currency alone keeps the figure.
        let edited: Value = app
            .patch(&token, &path, json!({"currency": "EUR"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (edited["amount"].as_str(), edited["currency"].as_str()),
            (Some("20.00"), Some("EUR"))
        );
        let r = app.patch(&token, &path, json!({"amount": "-3"})).await;
        assert_eq!(error_of(r).await.2.as_deref(), Some("amount"));

        let r = app.delete(&token, &path).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            error_of(app.get(&token, &path).await).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.delete(&token, &path).await.status(),
            StatusCode::NOT_FOUND
        );
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], income["id"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field() {
    for db in backends("tx_validation") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let ok = json!({"kind": "expense", "amount": "5"});
        let with = |k: &str, v: Value| {
            let mut b = ok.clone();
            b[k] = v;
            b
        };
        for (body, field) in [
            (with("amount", json!("-5")), "amount"),
            (with("amount", json!("0")), "amount"),
            (with("amount", json!("0.00")), "amount"),
            (with("amount", json!("12,50")), "amount"),
            (with("amount", json!("abc")), "amount"),
            (with("amount", json!("12.345")), "amount"),
            (with("amount", json!("1000000000000.01")), "amount"),
            (
                with("amount", json!("99999999999999999999999999999999")),
                "amount",
            ),
            (with("amount", json!(12.5)), "amount"),
            (with("amount", json!(-3)), "amount"),
            (json!({"kind": "expense"}), "amount"),
            (with("kind", json!("gift")), "kind"),
            (json!({"amount": "5"}), "kind"),
            (with("currency", json!("XXX")), "currency"),
            (with("date", json!("24/11/2026")), "date"),
            (with("date", json!("2026-02-30")), "date"),
            (with("category", json!("no such thing")), "category"),
            (with("category", json!("a;b")), "category"),
            (with("colour", json!("red")), "colour"),
        ] {
            let r = app.post(&token, "/api/v1/transactions", body.clone()).await;
            let (status, code, f) = error_of(r).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
                "{body}"
            );
            assert_eq!(f.as_deref(), Some(field), "{body}");
        }
        // A JSON number with no fraction is read exactly.
        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                with("amount", json!(1000000000000_i64)),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let r = app
            .req(Method::POST, "/api/v1/transactions", Some(&token))
            .header("content-type", "application/json")
            .body("{\"kind\": \"expense\", ")
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.1, "malformed");
        let r = app
            .req(Method::POST, "/api/v1/transactions", Some(&token))
            .body("kind=expense")
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // Nothing of the refused ones was recorded.
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_transaction_is_not_found() {
    for db in backends("tx_isolation") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;
        let tx = app.spend(&ann, "42.00", "food", "2026-11-20").await;
        let path = format!("/api/v1/transactions/{}", tx["id"]);

        assert_eq!(error_of(app.get(&bob, &path).await).await.1, "not_found");
        assert_eq!(
            error_of(app.patch(&bob, &path, json!({"amount": "1"})).await)
                .await
                .1,
            "not_found"
        );
        assert_eq!(error_of(app.delete(&bob, &path).await).await.1, "not_found");
        // Nor may Bob read or write Ann's ledger by its id.
        let ledger = tx["ledger"].as_i64().unwrap();
        let r = app
            .get(&bob, &format!("/api/v1/transactions?ledger={ledger}"))
            .await;
        assert_eq!(error_of(r).await.0, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &bob,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": "1", "ledger": ledger}),
            )
            .await;
        assert_eq!(error_of(r).await.0, StatusCode::NOT_FOUND);
        for path in [
            "/api/v1/summary",
            "/api/v1/categories",
            "/api/v1/budgets",
            "/api/v1/analytics/savings",
        ] {
            let r = app.get(&bob, &format!("{path}?ledger={ledger}")).await;
            assert_eq!(error_of(r).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        // Ann's transaction is untouched.
        let still: Value = app.get(&ann, &path).await.json().await.unwrap();
        assert_eq!(still, tx);
        // Ids that aren't ids are simply not found.
        assert_eq!(
            app.get(&ann, "/api/v1/transactions/abc").await.status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_stable_pages() {
    for db in backends("tx_pages") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let mut ids = Vec::new();
        // Many on one date, so the order within a date matters.
        for i in 0..7 {
            let tx = app
                .spend(&token, &format!("{}.00", i + 1), "food", "2026-11-10")
                .await;
            ids.push(tx["id"].as_i64().unwrap());
        }
        let late = app.spend(&token, "3.00", "transport", "2026-11-12").await;
        let early = app.spend(&token, "4.00", "transport", "2026-10-01").await;
        let r = app
            .post(&token, "/api/v1/transactions", json!({"kind": "income", "amount": "100", "category": "salary", "date": "2026-11-01", "note": "November PAY"}))
            .await;
        let pay: Value = r.json().await.unwrap();

        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page: Value = app
                .get(
                    &token,
                    &format!("/api/v1/transactions?limit=3&offset={offset}"),
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(page["total"], 10);
            assert_eq!(page["limit"], 3);
            let items = page["items"].as_array().unwrap();
            if items.is_empty() {
                break;
            }
            seen.extend(items.iter().map(|t| {
                (
                    t["date"].as_str().unwrap().to_owned(),
                    t["id"].as_i64().unwrap(),
                )
            }));
            offset += 3;
        }
        assert_eq!(seen.len(), 10);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest first, ids descending within a date");
        assert_eq!(seen[0].1, late["id"].as_i64().unwrap());
        assert_eq!(seen[9].1, early["id"].as_i64().unwrap());

        let total = |q: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                let r = app.get(&token, &format!("/api/v1/transactions?{q}")).await;
                assert_eq!(r.status(), StatusCode::OK, "{q}");
                r.json::<Value>().await.unwrap()["total"].as_i64().unwrap()
            }
        };
        assert_eq!(total("kind=income").await, 1);
        assert_eq!(total("kind=expense&category=transport").await, 2);
        assert_eq!(total("from=2026-11-01&to=2026-11-10").await, 8);
        assert_eq!(total("from=2026-11-11").await, 1);
        assert_eq!(total("q=pay").await, 1);
        assert_eq!(total("q=%25").await, 0);
        let page: Value = app
            .get(&token, "/api/v1/transactions?q=PAY")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"][0]["id"], pay["id"]);

        let page: Value = app
            .get(&token, "/api/v1/transactions?limit=5000")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["limit"], 200);
        let page: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["limit"], 50);
        for (q, field) in [
            ("limit=0", "limit"),
            ("offset=-1", "offset"),
            ("kind=x", "kind"),
            ("from=2026-13-01", "from"),
            ("from=2026-11-10&to=2026-11-01", "from"),
        ] {
            let r = app.get(&token, &format!("/api/v1/transactions?{q}")).await;
            assert_eq!(error_of(r).await.2.as_deref(), Some(field), "{q}");
        }
        let _ = ids;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_records_once() {
    for db in backends("tx_idempotency") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;
        let body = json!({"kind": "expense", "amount": "9.99", "category": "food"});
        let send = |token: &str, key: &str| {
            app.req(Method::POST, "/api/v1/transactions", Some(token))
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
        };
        let first = send(&ann, "order-17").await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let again = send(&ann, "order-17").await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(first, again);
        // Another account's key is its own.
        let bobs: Value = send(&bob, "order-17").await.unwrap().json().await.unwrap();
        assert_ne!(bobs["id"], first["id"]);
        // Many at once with one key: one transaction.
        let racing = futures::future::join_all((0..6).map(|_| send(&ann, "burst-1"))).await;
        let mut ids: Vec<i64> = Vec::new();
        for r in racing {
            let r = r.unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{ids:?}");
        let page: Value = app
            .get(&ann, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 2);
        let r = app
            .req(Method::POST, "/api/v1/transactions", Some(&ann))
            .header("Idempotency-Key", "")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await.2.as_deref(), Some("Idempotency-Key"));
        // Once its transaction is deleted, the key can neither replay it nor record it again:
        // 409, as the document says.
        let r = app
            .delete(&ann, &format!("/api/v1/transactions/{}", first["id"]))
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let r = send(&ann, "order-17").await.unwrap();
        let (status, code, _) = error_of(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
        let doc: Value = app
            .client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let documented = &doc["paths"]["/api/v1/transactions"]["post"]["responses"];
        assert!(documented["409"].is_object(), "{documented}");
    }
}

/// Changing a transaction's category over the API is a correction the parser learns from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_category_teaches_the_parser() {
    for db in backends("tx_teaches") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let tx: Value = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": "8", "note": "Zorblax run"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tx["category"], "other");
        let said = |reply: Value| {
            reply["messages"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        let before = said(
            app.post(&token, "/api/v1/messages", json!({"text": "zorblax 30"}))
                .await
                .json()
                .await
                .unwrap(),
        );
        assert!(!before.contains("Groceries"), "{before}");
        let path = format!("/api/v1/transactions/{}", tx["id"]);
        let r = app
            .patch(&token, &path, json!({"category": "groceries"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let after = said(
            app.post(&token, "/api/v1/messages", json!({"text": "zorblax 31"}))
                .await
                .json()
                .await
                .unwrap(),
        );
        assert!(after.contains("Groceries"), "{after}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_and_names_lose_invisible_spoofing_characters() {
    for db in backends("tx_spoofing") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let r = app
            .post(
                &token,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": "1", "note": "coffee\u{202E}001$\u{200B}"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let tx: Value = r.json().await.unwrap();
        assert_eq!(tx["note"], "coffee001$");
        let path = format!("/api/v1/transactions/{}", tx["id"]);
        let edited: Value = app
            .patch(
                &token,
                &path,
                json!({"note": "\u{2066}tea\u{2069}\u{FEFF}"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(edited["note"], "tea");
        let me: Value = app
            .patch(
                &token,
                "/api/v1/me",
                json!({"display_name": "\u{202E}nna\u{200F}"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["display_name"], "nna");
    }
}
