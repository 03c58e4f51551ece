//! The HTTP server: health checks now; the REST API and web pages hang off this router.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tally_core::Tally;

pub fn router(tally: Tally) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(tally)
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
