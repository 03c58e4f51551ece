//! Typed configuration: `config/default.toml`, then `TALLY_*` variables, validated once at start.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use tally_core::domain::{DateOrder, Timezone};
use tally_core::money::Currency;
use tally_core::services::accounts::AccountDefaults;
use url::Url;

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// OpenAI's own API, used when only `TALLY_OPENAI_API_KEY` is set.
pub const OPENAI_DEFAULT_URL: &str = "https://api.openai.com/v1";

/// A value that must never reach a log line or an error message.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything as read, before validation.
#[derive(Debug, Deserialize)]
struct Raw {
    database_url: Secret,
    db_pool_size: u32,
    http_addr: String,
    metrics_addr: Option<String>,
    header_timeout_ms: u64,
    max_connections: u64,
    client_ip_header: Option<String>,
    public_url: String,
    jwt_secret: Option<Secret>,
    jwt_ttl_minutes: u64,
    bcrypt_cost: u32,
    #[serde(default)]
    insecure_test_bcrypt: bool,
    telegram_token: Option<Secret>,
    telegram_api_url: String,
    telegram_webhook_url: Option<String>,
    telegram_webhook_secret: Option<Secret>,
    discord_token: Option<Secret>,
    discord_api_url: Option<String>,
    discord_guild_id: Option<u64>,
    discord_shards: Option<String>,
    #[serde(default)]
    discord_member_events: bool,
    openai_api_key: Option<Secret>,
    openai_base_url: Option<String>,
    openai_model: String,
    openai_timeout_secs: u64,
    llm_daily_tokens: u64,
    rates: String,
    rates_url: String,
    default_currency: String,
    default_timezone: String,
    default_date_order: Option<String>,
    log: String,
    log_format: LogFormat,
    /// `TALLY_OUTBOX_GRACE_SECS`: how long an unsent reply waits before the sender retries it.
    #[serde(default)]
    outbox_grace_secs: Option<u64>,
}

/// Validated configuration. Loaded once in `main` and passed to what needs it.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Secret,
    pub db_pool_size: u32,
    pub http_addr: SocketAddr,
    /// Where `/metrics` is served instead of the API listener; `None` keeps it on the API.
    pub metrics_addr: Option<SocketAddr>,
    /// How long a connection may take to send a request head (and stay idle between requests).
    pub header_read_timeout: Duration,
    /// Connections served at once per listener.
    pub max_connections: u32,
    /// The header a trusted reverse proxy puts the caller's address in (`X-Forwarded-For`,
    /// `X-Real-IP`…), for the per-address login limits; `None` uses the peer address.
    pub client_ip_header: Option<axum::http::HeaderName>,
    pub public_url: Url,
    pub jwt_secret: Option<Secret>,
    pub jwt_ttl: Duration,
    pub bcrypt_cost: u32,
    pub telegram: Option<TelegramConfig>,
    pub discord: Option<DiscordConfig>,
    pub openai: Option<OpenAiConfig>,
    /// Where the daily ECB rates come from; `None` when fetching is off.
    pub rates_url: Option<Url>,
    pub defaults: AccountDefaults,
    pub log: String,
    pub log_format: LogFormat,
    /// How long a reply may stay unsent before the outbox sender takes it over (and the first
    /// backoff of a failing send).
    pub outbox_lease: Duration,
}

#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub token: Secret,
    pub api_url: Url,
    pub webhook_url: Option<Url>,
    /// Checked against Telegram's secret-token header in webhook mode; derived from the token when
    /// not given, so every instance agrees without extra set-up.
    pub webhook_secret: Option<Secret>,
}

#[derive(Debug, Clone)]
pub struct DiscordConfig {
    pub token: Secret,
    pub api_url: Option<Url>,
    pub guild_id: Option<u64>,
    /// The gateway shards this instance runs (`TALLY_DISCORD_SHARDS`); `None` asks Discord how
    /// many the bot needs and runs them all.
    pub shards: Option<ShardRange>,
    /// Listen for members leaving servers (`TALLY_DISCORD_MEMBER_EVENTS`): needs the privileged
    /// Server Members intent switched on for the bot in Discord's developer portal.
    pub member_events: bool,
}

/// Shards `first..=last` of `total`, so several instances can split one bot's gateway traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl ShardRange {
    /// Reads `first..last/total` (both ends included) or `n/total`; `auto` or empty means `None`.
    pub fn parse(s: &str) -> anyhow::Result<Option<ShardRange>> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("auto") {
            return Ok(None);
        }
        let usage = || {
            anyhow::anyhow!(
                "TALLY_DISCORD_SHARDS must be FIRST..LAST/TOTAL (both ends included, e.g. 0..3/8), \
                 N/TOTAL or auto (got {s:?})"
            )
        };
        let (range, total) = s.split_once('/').ok_or_else(usage)?;
        let number = |t: &str| t.trim().parse::<u32>().map_err(|_| usage());
        let total = number(total)?;
        let (first, last) = match range.split_once("..") {
            Some((a, b)) => (number(a)?, number(b.trim_start_matches('='))?),
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        if total == 0 || first > last || last >= total {
            return Err(usage());
        }
        Ok(Some(ShardRange { first, last, total }))
    }
}

#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    pub api_key: Option<Secret>,
    pub base_url: Url,
    pub model: String,
    pub timeout: Duration,
    pub daily_tokens: u64,
}

impl Config {
    /// Reads the defaults and the environment.
    pub fn load() -> anyhow::Result<Config> {
        Config::from_figment(
            Figment::from(Toml::string(DEFAULT_TOML)).merge(Env::prefixed("TALLY_")),
        )
    }

    /// Reads the defaults and the given `(key, value)` pairs instead of the environment (tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        for (k, v) in pairs {
            let key = k.to_ascii_lowercase();
            // As the environment provider does: numbers and booleans are themselves, the rest is text.
            figment = match (v.parse::<i64>(), v.parse::<bool>()) {
                (Ok(n), _) => figment.merge((key, n)),
                (_, Ok(b)) => figment.merge((key, b)),
                _ => figment.merge((key, *v)),
            };
        }
        Config::from_figment(figment)
    }

    fn from_figment(figment: Figment) -> anyhow::Result<Config> {
        let raw: Raw = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        raw.validate()
    }

    pub fn core_settings(&self, today: Option<chrono::NaiveDate>) -> tally_core::Settings {
        tally_core::Settings {
            defaults: self.defaults,
            public_url: self.public_url.as_str().trim_end_matches('/').to_owned(),
            today,
            fallback_timeout: self
                .openai
                .as_ref()
                .map_or(Duration::from_secs(20), |o| o.timeout),
            outbox_lease: self.outbox_lease,
        }
    }
}

/// The lowest bcrypt cost a real deployment may use: below it, a stolen hash falls quickly to
/// guessing.
pub const MIN_BCRYPT_COST: u32 = 10;

/// Costs 4 to 9 hash in milliseconds, which only test and development runs want: they need
/// `TALLY_INSECURE_TEST_BCRYPT=true` as well, so a typo in production can't weaken every password.
fn check_bcrypt_cost(cost: u32, insecure_test_bcrypt: bool) -> anyhow::Result<()> {
    if !(4..=31).contains(&cost) {
        bail!("TALLY_BCRYPT_COST must be between {MIN_BCRYPT_COST} and 31 (got {cost})");
    }
    if cost < MIN_BCRYPT_COST && !insecure_test_bcrypt {
        bail!(
            "TALLY_BCRYPT_COST={cost} is too weak to protect passwords: use {MIN_BCRYPT_COST} to 31 \
             (12 is the default). Tests and development may go down to 4 by also setting \
             TALLY_INSECURE_TEST_BCRYPT=true."
        );
    }
    Ok(())
}

fn non_empty(s: Option<Secret>) -> Option<Secret> {
    s.filter(|s| !s.0.trim().is_empty())
}

fn url(name: &str, value: &str) -> anyhow::Result<Url> {
    let u = Url::parse(value.trim()).with_context(|| format!("{name} is not a URL: {value:?}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        bail!("{name} must be an http:// or https:// URL");
    }
    Ok(u)
}

impl Raw {
    fn validate(self) -> anyhow::Result<Config> {
        tally_core::db::DatabaseUrl::parse(self.database_url.expose())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if !(1..=256).contains(&self.db_pool_size) {
            bail!("TALLY_DB_POOL_SIZE must be between 1 and 256");
        }
        let http_addr: SocketAddr = self.http_addr.trim().parse().with_context(|| {
            format!(
                "TALLY_HTTP_ADDR must be HOST:PORT, e.g. 127.0.0.1:8080 (got {:?})",
                self.http_addr
            )
        })?;
        let metrics_addr = match self.metrics_addr.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => {
                let addr: SocketAddr = s.parse().with_context(|| {
                    format!("TALLY_METRICS_ADDR must be HOST:PORT, e.g. 127.0.0.1:9090 (got {s:?})")
                })?;
                if addr == http_addr {
                    bail!("TALLY_METRICS_ADDR must differ from TALLY_HTTP_ADDR (both are {addr})");
                }
                Some(addr)
            }
        };
        if !(100..=300_000).contains(&self.header_timeout_ms) {
            bail!(
                "TALLY_HEADER_TIMEOUT_MS must be between 100 and 300000 (got {})",
                self.header_timeout_ms
            );
        }
        let max_connections = u32::try_from(self.max_connections)
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .with_context(|| {
                format!(
                    "TALLY_MAX_CONNECTIONS must be between 1 and 1000000 (got {})",
                    self.max_connections
                )
            })?;
        let client_ip_header = match self.client_ip_header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(s.parse::<axum::http::HeaderName>().with_context(|| {
                format!(
                    "TALLY_CLIENT_IP_HEADER must be a header name, e.g. X-Forwarded-For (got {s:?})"
                )
            })?),
        };
        let public_url = url("TALLY_PUBLIC_URL", &self.public_url)?;
        check_bcrypt_cost(self.bcrypt_cost, self.insecure_test_bcrypt)?;
        if !(1..=7 * 24 * 60).contains(&self.jwt_ttl_minutes) {
            bail!("TALLY_JWT_TTL_MINUTES must be between 1 and 10080 (a week)");
        }
        let outbox_grace_secs = self.outbox_grace_secs.unwrap_or(30);
        if !(1..=3600).contains(&outbox_grace_secs) {
            bail!("TALLY_OUTBOX_GRACE_SECS must be between 1 and 3600 (got {outbox_grace_secs})");
        }
        let jwt_secret = non_empty(self.jwt_secret);
        if let Some(s) = &jwt_secret
            && s.expose().len() < 32
        {
            bail!("TALLY_JWT_SECRET must be at least 32 characters (or unset, to generate one)");
        }
        let currency = Currency::parse(&self.default_currency)
            .map_err(|e| anyhow::anyhow!("TALLY_DEFAULT_CURRENCY: {e}"))?;
        let timezone = Timezone::parse(&self.default_timezone)
            .map_err(|e| anyhow::anyhow!("TALLY_DEFAULT_TIMEZONE: {e}"))?;
        let date_order = match self.default_date_order.as_deref() {
            None => DateOrder::Mdy,
            Some(s) => s
                .parse()
                .map_err(|e| anyhow::anyhow!("TALLY_DEFAULT_DATE_ORDER: {e}"))?,
        };
        let telegram = match non_empty(self.telegram_token) {
            None => None,
            Some(token) => Some(TelegramConfig {
                token,
                api_url: url("TALLY_TELEGRAM_API_URL", &self.telegram_api_url)?,
                webhook_url: self
                    .telegram_webhook_url
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| url("TALLY_TELEGRAM_WEBHOOK_URL", &s))
                    .transpose()?,
                webhook_secret: non_empty(self.telegram_webhook_secret),
            }),
        };
        let discord = match non_empty(self.discord_token) {
            None => None,
            Some(token) => Some(DiscordConfig {
                token,
                api_url: self
                    .discord_api_url
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| url("TALLY_DISCORD_API_URL", &s))
                    .transpose()?,
                guild_id: self.discord_guild_id,
                shards: match self.discord_shards.as_deref() {
                    Some(s) => ShardRange::parse(s)?,
                    None => None,
                },
                member_events: self.discord_member_events,
            }),
        };
        let rates_url = match self.rates.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "no" | "0" => None,
            "on" | "true" | "yes" | "1" | "" => {
                let mut u = url("TALLY_RATES_URL", &self.rates_url)?;
                // A directory: the file names are joined onto it.
                if !u.path().ends_with('/') {
                    u.set_path(&format!("{}/", u.path()));
                }
                Some(u)
            }
            other => bail!("TALLY_RATES must be on or off (got {other:?})"),
        };
        let api_key = non_empty(self.openai_api_key);
        let base_url = self.openai_base_url.filter(|s| !s.trim().is_empty());
        let openai = if api_key.is_some() || base_url.is_some() {
            if !(1..=300).contains(&self.openai_timeout_secs) {
                bail!("TALLY_OPENAI_TIMEOUT_SECS must be between 1 and 300");
            }
            Some(OpenAiConfig {
                api_key,
                base_url: url(
                    "TALLY_OPENAI_BASE_URL",
                    base_url.as_deref().unwrap_or(OPENAI_DEFAULT_URL),
                )?,
                model: self.openai_model,
                timeout: Duration::from_secs(self.openai_timeout_secs),
                daily_tokens: self.llm_daily_tokens,
            })
        } else {
            None
        };
        Ok(Config {
            database_url: self.database_url,
            db_pool_size: self.db_pool_size,
            http_addr,
            metrics_addr,
            header_read_timeout: Duration::from_millis(self.header_timeout_ms),
            max_connections,
            client_ip_header,
            public_url,
            jwt_secret,
            jwt_ttl: Duration::from_secs(self.jwt_ttl_minutes * 60),
            outbox_lease: Duration::from_secs(outbox_grace_secs),
            bcrypt_cost: self.bcrypt_cost,
            telegram,
            discord,
            openai,
            rates_url,
            defaults: AccountDefaults {
                currency,
                timezone,
                date_order,
            },
            log: self.log,
            log_format: self.log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = Config::from_pairs(&[]).expect("defaults load");
        assert_eq!(c.database_url.expose(), "sqlite://tally.db");
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.defaults.currency, Currency::USD);
        assert!(c.telegram.is_none() && c.discord.is_none());
        assert_eq!(c.jwt_ttl, Duration::from_secs(3600));
        assert_eq!(c.metrics_addr, None);
        assert_eq!(c.header_read_timeout, Duration::from_secs(10));
        assert_eq!(c.max_connections, 1024);
        assert_eq!(c.client_ip_header, None);
    }

    #[test]
    fn reads_the_outbox_grace() {
        let c = Config::from_pairs(&[]).expect("defaults load");
        assert_eq!(c.outbox_lease, Duration::from_secs(30));
        let c = Config::from_pairs(&[("OUTBOX_GRACE_SECS", "5")]).expect("valid");
        assert_eq!(c.outbox_lease, Duration::from_secs(5));
        assert_eq!(c.core_settings(None).outbox_lease, Duration::from_secs(5));
        assert!(Config::from_pairs(&[("OUTBOX_GRACE_SECS", "0")]).is_err());
    }

    #[test]
    fn reads_the_listener_settings() {
        let c = Config::from_pairs(&[
            ("METRICS_ADDR", "127.0.0.1:9090"),
            ("HEADER_TIMEOUT_MS", "2500"),
            ("MAX_CONNECTIONS", "64"),
            ("CLIENT_IP_HEADER", "X-Forwarded-For"),
        ])
        .expect("valid");
        assert_eq!(
            c.metrics_addr.map(|a| a.to_string()).as_deref(),
            Some("127.0.0.1:9090")
        );
        assert_eq!(c.header_read_timeout, Duration::from_millis(2500));
        assert_eq!(c.max_connections, 64);
        assert_eq!(
            c.client_ip_header.as_ref().map(|h| h.as_str()),
            Some("x-forwarded-for")
        );
    }

    #[test]
    fn rejects_bad_values_with_the_variable_named() {
        for (pairs, needle) in [
            (vec![("DATABASE_URL", "mysql://x")], "TALLY_DATABASE_URL"),
            (vec![("HTTP_ADDR", "nowhere")], "TALLY_HTTP_ADDR"),
            (vec![("METRICS_ADDR", "nowhere")], "TALLY_METRICS_ADDR"),
            (
                vec![("METRICS_ADDR", "127.0.0.1:8080")],
                "TALLY_METRICS_ADDR",
            ),
            (vec![("HEADER_TIMEOUT_MS", "0")], "TALLY_HEADER_TIMEOUT_MS"),
            (vec![("MAX_CONNECTIONS", "0")], "TALLY_MAX_CONNECTIONS"),
            (
                vec![("CLIENT_IP_HEADER", "not a header")],
                "TALLY_CLIENT_IP_HEADER",
            ),
            (vec![("BCRYPT_COST", "3")], "TALLY_BCRYPT_COST"),
            (vec![("DEFAULT_CURRENCY", "XXX")], "TALLY_DEFAULT_CURRENCY"),
            (
                vec![("DEFAULT_TIMEZONE", "Mars/Base")],
                "TALLY_DEFAULT_TIMEZONE",
            ),
            (vec![("JWT_SECRET", "short")], "TALLY_JWT_SECRET"),
            (vec![("RATES", "sometimes")], "TALLY_RATES"),
            (vec![("RATES_URL", "ftp://mirror")], "TALLY_RATES_URL"),
        ] {
            let err = Config::from_pairs(&pairs).expect_err("invalid").to_string();
            assert!(err.contains(needle), "{err} should name {needle}");
        }
    }

    #[test]
    fn weak_bcrypt_costs_need_the_explicit_test_switch() {
        for cost in ["4", "9"] {
            let err = Config::from_pairs(&[("BCRYPT_COST", cost)])
                .expect_err("too weak without the switch")
                .to_string();
            assert!(
                err.contains("TALLY_BCRYPT_COST") && err.contains("TALLY_INSECURE_TEST_BCRYPT"),
                "{err}"
            );
            let c = Config::from_pairs(&[("BCRYPT_COST", cost), ("INSECURE_TEST_BCRYPT", "true")])
                .expect("allowed for tests");
            assert_eq!(c.bcrypt_cost.to_string(), cost);
        }
        assert_eq!(
            Config::from_pairs(&[("BCRYPT_COST", "10")])
                .expect("10 is enough")
                .bcrypt_cost,
            10
        );
        // The switch doesn't open the range further than bcrypt goes.
        for cost in ["3", "32"] {
            let err =
                Config::from_pairs(&[("BCRYPT_COST", cost), ("INSECURE_TEST_BCRYPT", "true")])
                    .expect_err("out of range")
                    .to_string();
            assert!(err.contains("TALLY_BCRYPT_COST"), "{err}");
        }
    }

    #[test]
    fn exchange_rates_come_from_the_ecb_unless_turned_off_or_mirrored() {
        let c = Config::from_pairs(&[]).expect("defaults");
        assert_eq!(
            c.rates_url.expect("on by default").as_str(),
            "https://www.ecb.europa.eu/stats/eurofxref/"
        );
        let off = Config::from_pairs(&[("RATES", "off")]).expect("off");
        assert!(off.rates_url.is_none());
        let mirror =
            Config::from_pairs(&[("RATES_URL", "http://127.0.0.1:9/ecb")]).expect("mirror");
        assert_eq!(
            mirror.rates_url.expect("on").as_str(),
            "http://127.0.0.1:9/ecb/"
        );
    }

    #[test]
    fn reads_discord_shard_ranges() {
        let range = |first, last, total| Some(ShardRange { first, last, total });
        assert_eq!(ShardRange::parse("0..3/8").expect("valid"), range(0, 3, 8));
        assert_eq!(ShardRange::parse("4..=7/8").expect("valid"), range(4, 7, 8));
        assert_eq!(ShardRange::parse("2/4").expect("valid"), range(2, 2, 4));
        assert_eq!(ShardRange::parse("auto").expect("valid"), None);
        for bad in ["3..1/4", "0..4/4", "x/2", "1..2", "0/0"] {
            let err = ShardRange::parse(bad).expect_err(bad).to_string();
            assert!(err.contains("TALLY_DISCORD_SHARDS"), "{err}");
        }
        let c = Config::from_pairs(&[("DISCORD_TOKEN", "t"), ("DISCORD_SHARDS", "1..1/2")])
            .expect("valid");
        assert_eq!(c.discord.expect("enabled").shards, range(1, 1, 2));
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_pairs(&[("TELEGRAM_TOKEN", "123:very-secret-token")]).expect("valid");
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-token"));
        assert!(c.telegram.is_some());
    }
}
