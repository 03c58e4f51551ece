//! The HTTP server: the REST API under `/api/v1`, the `/link` page, `/healthz` and `/metrics`.
//! [`server`] serves them with the connection limits.

mod amount;
mod analytics;
mod auth;
mod budgets;
mod categories;
mod charts;
pub mod enums;
pub mod error;
mod export;
mod extract;
mod identities;
mod import;
mod ledgers;
mod link_codes;
mod link_page;
pub mod links;
mod me;
mod messages;
mod observe;
pub mod openapi;
mod params;
mod recurring;
pub mod server;
mod summary;
mod transactions;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};
use tally_core::Tally;
use tally_core::services::membership;
use tower_http::timeout::TimeoutLayer;

/// The largest request body taken (JSON or form, and Telegram's webhook): 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The longest one request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP surface. Serve it with connection info
/// (`into_make_service_with_connect_info::<SocketAddr>()`) so per-address login limits apply.
pub fn router(tally: Tally) -> Router {
    router_with(tally, Router::new())
}

/// The HTTP surface plus `extra` routes (the Telegram webhook), `/metrics` included.
pub fn router_with(tally: Tally, extra: Router) -> Router {
    surface(tally, extra, Metrics::Here)
}

/// Where `/metrics` is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metrics {
    /// On the API listener, next to everything else.
    Here,
    /// On its own listener ([`metrics_router`]); the API answers 404 for it.
    Elsewhere,
}

/// The HTTP surface plus `extra` routes. They are merged BEFORE the layers, so every route sits
/// behind the body limit, request logging and the timeout.
pub fn surface(tally: Tally, extra: Router, metrics_at: Metrics) -> Router {
    // The `/link` route below is served here: the core may send people to it.
    tally.add_link_port(std::sync::Arc::new(links::WebLinks::new(
        &tally.settings().public_url,
    )));
    let mut routes = Router::new().route("/healthz", get(healthz));
    if metrics_at == Metrics::Here {
        routes = routes.route("/metrics", get(metrics));
    }
    routes
        .route("/link", get(link_page::show).post(link_page::submit))
        .nest(
            "/api/v1",
            api().layer(axum::middleware::from_fn_with_state(
                tally.clone(),
                fresh_memberships,
            )),
        )
        .fallback(error::not_found)
        .with_state(tally)
        .merge(extra)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(refuse_declared_oversize))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(observe::observe))
}

/// `/metrics` alone, for a listener of its own (`TALLY_METRICS_ADDR`) that only the scraper
/// reaches; its requests are not counted, so scraping doesn't move the numbers it reads.
pub fn metrics_router() -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(error::not_found)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
}

/// API requests come from outside the groups: a group's ledger is open to them only on the
/// platform's recent word that the caller is still in the group (the `Caller` extractor asks).
async fn fresh_memberships(
    State(tally): State<Tally>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let since = tally.now() - membership::API_FRESHNESS;
    membership::require_confirmed_since(since, next.run(request)).await
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
        .route("/charts/{file}", get(charts::get))
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
        .route("/recurring", get(recurring::list).post(recurring::create))
        .route(
            "/recurring/{id}",
            patch(recurring::patch).delete(recurring::delete),
        )
        .route("/recurring/{id}/skip", post(recurring::skip))
        .route("/ledgers", get(ledgers::list))
        .route("/export", get(export::get))
        .route(
            "/import",
            post(import::post).layer(DefaultBodyLimit::max(import::IMPORT_LIMIT)),
        )
        .route("/messages", post(messages::post))
        .route("/link-codes", post(link_codes::create))
        .route("/openapi.json", get(openapi::document))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

async fn healthz(State(tally): State<Tally>) -> (StatusCode, &'static str) {
    match tally.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        crate::metrics::render(),
    )
}

/// Refuses a body whose declared length is over [`BODY_LIMIT`] before reading a byte of it (the
/// body limit itself catches chunked ones while they are read), in the API's error shape.
async fn refuse_declared_oversize(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // An import carries a file: its own, larger limit, and its own words for it.
    if req.uri().path() == "/api/v1/import" {
        if declared.is_some_and(|n| n > import::IMPORT_LIMIT as u64) {
            return import::file_too_large().into_response();
        }
    } else if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return extract::too_large().into_response();
    }
    next.run(req).await
}
