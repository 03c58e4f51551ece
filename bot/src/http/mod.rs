//! The HTTP server: the REST API under `/api/v1`, the `/link` page, `/healthz` and `/metrics`.

mod amount;
mod analytics;
mod auth;
mod budgets;
mod categories;
pub mod error;
mod extract;
mod identities;
mod ledgers;
mod link_codes;
mod link_page;
mod me;
mod messages;
mod observe;
pub mod openapi;
mod params;
mod summary;
mod transactions;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};
use tally_core::Tally;

/// The largest request body taken (JSON or form): 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole HTTP surface. Serve it with connection info
/// (`into_make_service_with_connect_info::<SocketAddr>()`) so per-address login limits apply.
pub fn router(tally: Tally) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/link", get(link_page::show).post(link_page::submit))
        .nest("/api/v1", api())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(observe::observe))
        .with_state(tally)
}

fn api() -> Router<Tally> {
    Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/logout-all", post(auth::logout_all))
        .route("/me", get(me::get).patch(me::patch))
        .route("/me/password", post(me::change_password))
        .route("/me/identities", get(identities::list))
        .route("/me/identities/{id}", delete(identities::delete))
        .route(
            "/transactions",
            get(transactions::list).post(transactions::create),
        )
        .route(
            "/transactions/{id}",
            get(transactions::get)
                .patch(transactions::patch)
                .delete(transactions::delete),
        )
        .route("/summary", get(summary::get))
        .route("/analytics/savings", get(analytics::savings))
        .route(
            "/categories",
            get(categories::list).post(categories::create),
        )
        .route("/categories/{id}", patch(categories::patch))
        .route("/budgets", get(budgets::list))
        .route(
            "/budgets/{category}/{period}",
            put(budgets::put).delete(budgets::delete),
        )
        .route("/ledgers", get(ledgers::list))
        .route("/messages", post(messages::post))
        .route("/link-codes", post(link_codes::create))
        .route("/openapi.json", get(openapi::document))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

async fn healthz(State(tally): State<Tally>) -> (StatusCode, &'static str) {
    match tally.db().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn metrics() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(),
    )
}
