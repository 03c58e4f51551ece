#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The recurring-entries API: create, list, patch, skip, delete, posting, and scoping to the owner.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_bot::recurring::Poster;
use tally_core::domain::Platform;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_over_the_api_are_posted_and_managed() {
    for db in backends("api_recurring") {
        let app = TestApp::spawn(db).await;
        let mut ann = app.user("ann").await;
        let bob = app.user("bob").await;

        let r = app
            .post(
                &ann,
                "/api/v1/recurring",
                json!({"amount": "1450", "category": "housing", "note": "rent", "schedule": "monthly on the 1st"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["schedule"], "every month on the 1st");
        assert_eq!(created["next_on"], "2026-12-01");
        assert_eq!(created["yearly"], "17400.00");
        let id = created["id"].as_i64().unwrap();

        for (body, field) in [
            (json!({"amount": "10", "schedule": "sometimes"}), "schedule"),
            (
                json!({"amount": "10", "schedule": "monthly rent"}),
                "schedule",
            ),
            (json!({"amount": "-3", "schedule": "weekly"}), "amount"),
            (
                json!({"amount": "10", "schedule": "weekly", "category": "nope"}),
                "category",
            ),
        ] {
            let (status, _, f) = error_of(app.post(&ann, "/api/v1/recurring", body).await).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(f.as_deref(), Some(field));
        }

        // Bob sees none of it and can change none of it.
        let list: Value = app
            .get(&bob, "/api/v1/recurring")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list, json!([]));
        let path = format!("/api/v1/recurring/{id}");
        assert_eq!(
            app.patch(&bob, &path, json!({"paused": true}))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post(&bob, &format!("{path}/skip"), json!({}))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.delete(&bob, &path).await.status(),
            StatusCode::NOT_FOUND
        );

        // Posted by `tally run`'s poster although no chat hears of it.
        let poster = Poster::new(app.tally.clone(), vec![], &[Platform::Web]);
        app.clock.set("2027-01-02T12:00:00Z".parse().unwrap());
        // Tokens expire while the clock jumps: log in again.
        ann = app.login("ann", PASSWORD).await;
        assert_eq!(poster.tick().await.unwrap().recorded, 2);
        assert_eq!(poster.tick().await.unwrap().recorded, 0);
        let txs: Value = app
            .get(&ann, "/api/v1/transactions?category=housing")
            .await
            .json()
            .await
            .unwrap();
        let dates: Vec<&str> = txs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["date"].as_str().unwrap())
            .collect();
        assert_eq!(dates, ["2027-01-01", "2026-12-01"]);

        let skipped: Value = app
            .post(&ann, &format!("{path}/skip"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(skipped["skipped"], "2027-02-01");
        assert_eq!(skipped["recurring"]["next_on"], "2027-03-01");

        let changed: Value = app
            .patch(&ann, &path, json!({"amount": "1500", "paused": true}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(changed["amount"], "1500.00");
        assert_eq!(changed["paused"], true);
        app.clock.set("2027-05-02T12:00:00Z".parse().unwrap());
        ann = app.login("ann", PASSWORD).await;
        assert_eq!(poster.tick().await.unwrap().recorded, 0, "paused");
        let resumed: Value = app
            .patch(&ann, &path, json!({"paused": false}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            resumed["next_on"], "2027-06-01",
            "no catch-up after a pause"
        );

        assert_eq!(
            app.delete(&ann, &path).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&ann, &path).await.status(),
            StatusCode::NOT_FOUND
        );
        let list: Value = app
            .get(&ann, "/api/v1/recurring")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list, json!([]));
    }
}
