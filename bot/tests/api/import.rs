//! `POST /api/v1/import`: a bank file as a multipart upload; a dry run previews, else it imports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

const BANK: &str = "Date,Description,Debit,Credit\n\
11/02/2026,Pizza Hut,12.50,\n\
11/03/2026,Refund,,20.00\n\
11/03/2026,Zorblax,7.00,\n";

/// A multipart body written by hand: the file field, and any plain fields.
async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    file: &str,
    fields: &[(&str, &str)],
) -> Response {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--XB\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bank.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--XB--\r\n"
    ));
    app.req(Method::POST, &format!("/api/v1/import{query}"), Some(token))
        .header("content-type", "multipart/form-data; boundary=XB")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_previews_on_a_dry_run_and_imports_otherwise() {
    for db in backends("api_import") {
        let app = TestApp::spawn(db).await;
        let ann = app.user("ann").await;
        let bob = app.user("bob").await;

        let r = upload(&app, &ann, "?dry_run=true", BANK, &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["dry_run"], true);
        assert_eq!(v["rows"], 3);
        assert_eq!(v["added"], 3);
        assert_eq!(v["to_other"], 1);
        assert_eq!(v["from"], "2026-11-02");
        assert_eq!(v["to"], "2026-11-03");
        assert_eq!(v["columns"]["debit"], 2);
        assert_eq!(v["columns"]["credit"], 3);
        assert_eq!(v["sample"][0]["amount"], "12.50");
        assert_eq!(v["sample"][0]["kind"], "expense");
        assert_eq!(v["sample"][1]["kind"], "income");
        let listed: Value = app
            .get(&ann, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0, "a dry run writes nothing: {listed}");

        // dry_run as a form field works too.
        let r = upload(&app, &ann, "", BANK, &[("dry_run", "true")]).await;
        assert_eq!(r.status(), StatusCode::OK);

        let r = upload(&app, &ann, "", BANK, &[]).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["dry_run"].clone(), v["added"].clone()),
            (Value::Bool(false), 3.into())
        );
        let listed: Value = app
            .get(&ann, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 3);
        let bobs: Value = app
            .get(&bob, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(bobs["total"], 0);

        // Again: all duplicates, nothing added.
        let v: Value = upload(&app, &ann, "", BANK, &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (v["added"].clone(), v["duplicates"].clone()),
            (0.into(), 3.into())
        );

        // A bad line: 422 naming it, nothing written.
        let bad = "date,note,amount\n2026-11-05,ok,1\n2026-11-06,bad,x\n";
        let r = upload(&app, &bob, "", bad, &[]).await;
        let (status, _, field) = error_of(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field.as_deref(), Some("file"));
        let bobs: Value = app
            .get(&bob, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(bobs["total"], 0);

        // Not multipart, no file, a bad flag, someone else's ledger: client errors.
        let r = app
            .post(&ann, "/api/v1/import", serde_json::json!({}))
            .await;
        assert!(r.status().is_client_error(), "{}", r.status());
        let r = upload(&app, &ann, "?dry_run=maybe", BANK, &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .req(Method::POST, "/api/v1/import", Some(&ann))
            .header("content-type", "multipart/form-data; boundary=XB")
            .body("--XB--\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = upload(&app, &ann, "?ledger=999999", BANK, &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}
