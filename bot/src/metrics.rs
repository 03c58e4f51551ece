//! Process metrics for `/metrics` in Prometheus' text format: requests, latencies, updates, errors.
//!
//! Each series is a set of atomics found through a read-locked map: counting takes a shared read
//! lock and an atomic add, and only a series seen for the first time takes the write lock.
//! Rendering copies the handles under a read lock and formats without any lock, so a scrape never
//! stalls the requests being counted. Every label comes from a fixed set (the method label, the
//! matched route pattern, the status), so the map stays small.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

/// Upper bounds, in seconds, of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// Series of one metric by their labels.
struct Family<K, V> {
    series: RwLock<BTreeMap<K, Arc<V>>>,
}

impl<K: Ord + Clone, V: Default> Family<K, V> {
    const fn new() -> Self {
        Family {
            series: RwLock::new(BTreeMap::new()),
        }
    }

    /// The series for `key`, created on first use.
    fn get(&self, key: K) -> Arc<V> {
        if let Some(v) = self
            .series
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return v.clone();
        }
        self.series
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_default()
            .clone()
    }

    /// Every series, in label order; the lock is released before the caller formats them.
    fn snapshot(&self) -> Vec<(K, Arc<V>)> {
        self.series
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

#[derive(Default)]
struct Counter(AtomicU64);

impl Counter {
    fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A latency histogram: cumulative bucket counts, the sum in nanoseconds and the count.
#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if secs <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

struct Registry {
    /// (method, route, status)
    requests: Family<(String, String, u16), Counter>,
    /// route
    latency: Family<String, Histogram>,
    /// (platform, outcome); outcome is handled, duplicate, ignored or failed
    updates: Family<(String, String), Counter>,
    /// kind
    errors: Family<String, Counter>,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry {
        requests: Family::new(),
        latency: Family::new(),
        updates: Family::new(),
        errors: Family::new(),
    })
}

/// One HTTP request served. `route` is the matched pattern (`/api/v1/transactions/{id}`), never
/// the raw path, so ids and tokens don't end up in metric labels.
pub fn request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let r = registry();
    r.requests
        .get((method.to_owned(), route.to_owned(), status))
        .inc();
    r.latency.get(route.to_owned()).observe(elapsed);
}

/// One platform update handled; `outcome` is `handled`, `duplicate`, `ignored` or `failed`.
pub fn update(platform: &str, outcome: &str) {
    registry()
        .updates
        .get((platform.to_owned(), outcome.to_owned()))
        .inc();
}

/// An error worth counting (`internal`, `telegram_send`, `llm_timeout`…).
pub fn error(kind: &str) {
    registry().errors.get(kind.to_owned()).inc();
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The Prometheus exposition text.
pub fn render() -> String {
    let r = registry();
    let mut out = String::new();
    out.push_str("# HELP tally_http_requests_total HTTP requests served.\n# TYPE tally_http_requests_total counter\n");
    for ((method, route, status), n) in r.requests.snapshot() {
        let _ = writeln!(
            out,
            "tally_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
            escape(&method),
            escape(&route),
            n.get()
        );
    }
    out.push_str("# HELP tally_http_request_duration_seconds HTTP request latency.\n# TYPE tally_http_request_duration_seconds histogram\n");
    for (route, h) in r.latency.snapshot() {
        let route = escape(&route);
        // Requests finishing during the scrape may bump the buckets after the count is read:
        // capping them at the count keeps every bucket at or below +Inf.
        let count = h.count.load(Ordering::Relaxed);
        for (bucket, bound) in h.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "tally_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed).min(count)
            );
        }
        let _ = writeln!(
            out,
            "tally_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
        );
        let sum = Duration::from_nanos(h.sum_nanos.load(Ordering::Relaxed)).as_secs_f64();
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
    for ((platform, outcome), n) in r.updates.snapshot() {
        let _ = writeln!(
            out,
            "tally_updates_total{{platform=\"{}\",outcome=\"{}\"}} {}",
            escape(&platform),
            escape(&outcome),
            n.get()
        );
    }
    out.push_str("# HELP tally_errors_total Errors by kind.\n# TYPE tally_errors_total counter\n");
    for (kind, n) in r.errors.snapshot() {
        let _ = writeln!(
            out,
            "tally_errors_total{{kind=\"{}\"}} {}",
            escape(&kind),
            n.get()
        );
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
