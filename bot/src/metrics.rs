//! Process metrics for `/metrics`: requests, latencies, updates and errors, in OpenMetrics text.
//!
//! The registry is `prometheus-client`'s: its families are lock-light (a read lock and an atomic
//! add once a series exists) and it owns the exposition format, escaping included. Every label
//! comes from a fixed set (the method, the matched route pattern, the status, the platform and
//! outcome, the error kind), so the number of series stays small.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds, in seconds, of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpdateLabels {
    platform: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    kind: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    updates: Family<UpdateLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| {
        let mut registry = Registry::with_prefix("tally");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(BUCKETS.iter().copied()));
        registry.register_with_unit(
            "http_request_duration",
            "HTTP request latency",
            Unit::Seconds,
            latency.clone(),
        );
        let updates = Family::<UpdateLabels, Counter>::default();
        registry.register(
            "updates",
            "Chat platform updates by outcome",
            updates.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register("errors", "Errors by kind", errors.clone());
        Metrics {
            registry,
            requests,
            latency,
            updates,
            errors,
        }
    })
}

/// One HTTP request served. `route` is the matched pattern (`/api/v1/transactions/{id}`), never
/// the raw path, so ids and tokens don't end up in metric labels.
pub fn request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let m = metrics();
    m.requests
        .get_or_create(&RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels {
            route: route.to_owned(),
        })
        .observe(elapsed.as_secs_f64());
}

/// One platform update handled; `outcome` is `handled`, `duplicate`, `ignored` or `failed`.
pub fn update(platform: &str, outcome: &str) {
    metrics()
        .updates
        .get_or_create(&UpdateLabels {
            platform: platform.to_owned(),
            outcome: outcome.to_owned(),
        })
        .inc();
}

/// An error worth counting (`internal`, `telegram_send`, `llm_timeout`…).
pub fn error(kind: &str) {
    metrics()
        .errors
        .get_or_create(&ErrorLabels {
            kind: kind.to_owned(),
        })
        .inc();
}

/// The exposition text ([`CONTENT_TYPE`]).
pub fn render() -> String {
    let mut out = String::new();
    // Writing into a String cannot fail; an error here would be the encoder's own bug, and a
    // partial page is better than none for a scrape.
    if encode(&mut out, &metrics().registry).is_err() {
        tracing::error!("metrics encoding failed");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        request("GET", "/probe-route", 200, Duration::from_millis(3));
        update("probe-platform", "handled");
        error("probe\"kind");
        let text = render();
        assert!(
            text.contains(
                "tally_http_requests_total{method=\"GET\",route=\"/probe-route\",status=\"200\"} 1"
            ),
            "{text}"
        );
        // The bucket bound comes first: prometheus-client writes `le` before the family's labels.
        assert!(
            text.contains(
                "tally_http_request_duration_seconds_bucket{le=\"0.005\",route=\"/probe-route\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "tally_http_request_duration_seconds_bucket{le=\"0.001\",route=\"/probe-route\"} 0"
            ),
            "{text}"
        );
        assert!(
            text.contains("tally_updates_total{platform=\"probe-platform\",outcome=\"handled\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("tally_errors_total{kind=\"probe\\\"kind\"} 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
