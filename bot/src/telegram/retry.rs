//! When a Bot API call is worth repeating, and how long to wait before it.

use std::time::Duration;

use teloxide::{ApiError, RequestError};

/// How the adapter waits and retries when Telegram is slow, busy or down.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// The longest one API call may take (`getUpdates` adds its long-poll timeout). teloxide waits
    /// 10 s after any 5xx before it even returns the error; a deadline below that turns a 5xx into
    /// a prompt retry on our own backoff instead.
    pub call_timeout: Duration,
    /// The first pause after a failure; it doubles up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts per outgoing call before it is given up (the update's effects are committed by
    /// then; only the reply is lost, and that is logged and counted).
    pub max_attempts: u32,
    /// How long one second of Telegram's `retry_after` lasts. Always one second in production;
    /// tests shrink it so that honouring a 429 does not make them slow.
    pub retry_after_unit: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            call_timeout: Duration::from_secs(9),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_attempts: 8,
            retry_after_unit: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt + 1` (counting from 0), with up to a quarter of random
    /// jitter so that several instances recovering together don't retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let jitter = base.mul_f64(rand::random::<f64>() * 0.25);
        base.saturating_sub(jitter)
    }

    /// Telegram's "retry after N seconds", in wall-clock time.
    pub fn retry_after(&self, seconds: u32) -> Duration {
        self.retry_after_unit.saturating_mul(seconds.max(1))
    }
}

/// What to do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Flood control: wait as long as Telegram says, then repeat.
    RetryAfter(u32),
    /// The network, a timeout or a server error: repeat after a backoff.
    Transient,
    /// Telegram refused the request itself (a blocked bot, a deleted message…): repeating it
    /// would get the same answer.
    Permanent,
}

pub fn classify(error: &RequestError) -> Verdict {
    match error {
        RequestError::RetryAfter(s) => Verdict::RetryAfter(s.seconds()),
        // A 5xx from a proxy usually comes back as an HTML page, which fails to parse.
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Verdict::Transient
        }
        // Another getUpdates call (a second instance, or our previous one still open) wins for
        // a moment; waiting sorts it out.
        RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => Verdict::Transient,
        // teloxide drops the status code; Telegram's 5xx bodies carry these descriptions.
        RequestError::Api(ApiError::Unknown(description)) if is_server_error(description) => {
            Verdict::Transient
        }
        RequestError::Api(_) | RequestError::MigrateToChatId(_) => Verdict::Permanent,
    }
}

fn is_server_error(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    [
        "internal server error",
        "bad gateway",
        "service unavailable",
        "gateway timeout",
        "too many requests",
    ]
    .iter()
    .any(|needle| d.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for (attempt, base) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            let d = p.backoff(attempt);
            let base = Duration::from_millis(base);
            assert!(d <= base && d >= base.mul_f64(0.75), "{attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_is_honoured_in_units() {
        let p = RetryPolicy::default();
        assert_eq!(p.retry_after(3), Duration::from_secs(3));
        let fast = RetryPolicy {
            retry_after_unit: Duration::from_millis(10),
            ..p
        };
        assert_eq!(fast.retry_after(3), Duration::from_millis(30));
        assert_eq!(fast.retry_after(0), Duration::from_millis(10));
    }

    #[test]
    fn sorts_errors() {
        use teloxide::types::Seconds;
        assert_eq!(
            classify(&RequestError::RetryAfter(Seconds::from_seconds(7))),
            Verdict::RetryAfter(7)
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
            Verdict::Transient
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            Verdict::Permanent
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::MessageNotModified)),
            Verdict::Permanent
        );
    }
}
