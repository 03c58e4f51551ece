//! Process metrics for `/metrics` in Prometheus' text format: requests, latencies, updates, errors.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds, in seconds, of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Registry {
    /// (method, route, status) → count
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → (bucket counts, sum of seconds, count)
    latency: BTreeMap<String, ([u64; BUCKETS.len()], f64, u64)>,
    /// (platform, outcome) → count; outcome is handled, duplicate, ignored or failed
    updates: BTreeMap<(String, String), u64>,
    /// kind → count
    errors: BTreeMap<String, u64>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(Mutex::default)
}

fn with<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut guard = registry().lock().unwrap_or_else(|p| p.into_inner());
    f(&mut guard)
}

/// One HTTP request served. `route` is the matched pattern (`/api/v1/transactions/{id}`), never
/// the raw path, so ids and tokens don't end up in metric labels.
pub fn request(method: &str, route: &str, status: u16, elapsed: Duration) {
    with(|r| {
        *r.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let secs = elapsed.as_secs_f64();
        let entry = r.latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                entry.0[i] += 1;
            }
        }
        entry.1 += secs;
        entry.2 += 1;
    });
}

/// One platform update handled; `outcome` is `handled`, `duplicate`, `ignored` or `failed`.
pub fn update(platform: &str, outcome: &str) {
    with(|r| {
        *r.updates
            .entry((platform.to_owned(), outcome.to_owned()))
            .or_default() += 1
    });
}

/// An error worth counting (`internal`, `telegram_send`, `llm_timeout`…).
pub fn error(kind: &str) {
    with(|r| *r.errors.entry(kind.to_owned()).or_default() += 1);
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The Prometheus exposition text.
pub fn render() -> String {
    with(|r| {
        let mut out = String::new();
        out.push_str("# HELP tally_http_requests_total HTTP requests served.\n# TYPE tally_http_requests_total counter\n");
        for ((method, route, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "tally_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP tally_http_request_duration_seconds HTTP request latency.\n# TYPE tally_http_request_duration_seconds histogram\n");
        for (route, (buckets, sum, count)) in &r.latency {
            let route = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tally_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "tally_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "tally_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "tally_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        out.push_str("# HELP tally_updates_total Chat platform updates by outcome.\n# TYPE tally_updates_total counter\n");
        for ((platform, outcome), n) in &r.updates {
            let _ = writeln!(
                out,
                "tally_updates_total{{platform=\"{}\",outcome=\"{}\"}} {n}",
                escape(platform),
                escape(outcome)
            );
        }
        out.push_str(
            "# HELP tally_errors_total Errors by kind.\n# TYPE tally_errors_total counter\n",
        );
        for (kind, n) in &r.errors {
            let _ = writeln!(out, "tally_errors_total{{kind=\"{}\"}} {n}", escape(kind));
        }
        out
    })
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
        assert!(text.contains(
            "tally_http_requests_total{method=\"GET\",route=\"/probe-route\",status=\"200\"} 1"
        ));
        assert!(text.contains(
            "tally_http_request_duration_seconds_bucket{route=\"/probe-route\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "tally_http_request_duration_seconds_bucket{route=\"/probe-route\",le=\"0.001\"} 0"
        ));
        assert!(
            text.contains("tally_updates_total{platform=\"probe-platform\",outcome=\"handled\"} 1")
        );
        assert!(text.contains("tally_errors_total{kind=\"probe\\\"kind\"} 1"));
    }
}
