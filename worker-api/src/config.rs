//! Configuration from the Worker's `[vars]` and secrets.
//!
//! [`Config::from_lookup`] is pure: it takes a function that returns a variable's value, so
//! native tests feed it a map and the Worker feeds it `Env`. Every variable is documented in
//! the repo-root `wrangler.toml`.

use serde::Deserialize;

use crate::auth::TokenStore;
use crate::cors::AllowedOrigins;
use crate::errors::{ApiError, ErrorCode};
use crate::resilience::{BreakerPolicy, RetryPolicy};

pub const SERVICE_NAME: &str = "machine-dream-edge-api";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default for `MAX_BODY_BYTES` (256 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// Default for `MAX_TOKENS_CAP`.
pub const DEFAULT_MAX_TOKENS_CAP: u32 = 2048;
/// Hard ceiling for `MAX_BODY_BYTES`, whatever the var says (Workers' own request limit is far
/// higher, but an LLM chat body has no reason to be this large).
pub const MAX_BODY_BYTES_CEILING: usize = 16 * 1024 * 1024;

/// Names of the variables, in one place.
pub mod vars {
    pub const UPSTREAM_URL: &str = "UPSTREAM_URL";
    pub const UPSTREAM_API_KEY: &str = "UPSTREAM_API_KEY";
    pub const MODEL_ALIASES: &str = "MODEL_ALIASES";
    pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
    pub const ALLOW_ANONYMOUS: &str = "ALLOW_ANONYMOUS";
    pub const MAX_BODY_BYTES: &str = "MAX_BODY_BYTES";
    pub const MAX_TOKENS_CAP: &str = "MAX_TOKENS_CAP";
    pub const PROVIDERS: &str = "PROVIDERS";
    pub const MODELS: &str = "MODELS";
    pub const API_TOKENS: &str = "API_TOKENS";
    pub const ADMIN_TOKEN_SHA256: &str = "ADMIN_TOKEN_SHA256";
    pub const MAX_MESSAGES: &str = "MAX_MESSAGES";
    pub const RATE_LIMIT_PER_TOKEN: &str = "RATE_LIMIT_PER_TOKEN";
    pub const RATE_LIMIT_PER_IP: &str = "RATE_LIMIT_PER_IP";
    pub const RATE_LIMIT_WINDOW_SECONDS: &str = "RATE_LIMIT_WINDOW_SECONDS";
    pub const UPSTREAM_TIMEOUT_MS: &str = "UPSTREAM_TIMEOUT_MS";
    pub const UPSTREAM_RETRIES: &str = "UPSTREAM_RETRIES";
    pub const RETRY_BASE_MS: &str = "RETRY_BASE_MS";
    pub const BREAKER_THRESHOLD: &str = "BREAKER_THRESHOLD";
    pub const BREAKER_OPEN_SECONDS: &str = "BREAKER_OPEN_SECONDS";
}

/// Name of the provider built from `UPSTREAM_URL` when `PROVIDERS` is not set.
pub const DEFAULT_PROVIDER: &str = "default";
/// Default for `MAX_MESSAGES`.
pub const DEFAULT_MAX_MESSAGES: usize = 256;
/// Defaults for the rate limits (requests per window; 0 = off) and the window.
pub const DEFAULT_RATE_LIMIT_PER_TOKEN: u64 = 60;
pub const DEFAULT_RATE_LIMIT_PER_IP: u64 = 120;
pub const DEFAULT_RATE_LIMIT_WINDOW_SECONDS: u64 = 60;
/// Default time to the upstream's response headers.
pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 60_000;
/// Default Anthropic API base and version header.
pub const ANTHROPIC_DEFAULT_URL: &str = "https://api.anthropic.com";
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// OpenAI chat completions (OpenAI, OpenRouter, LM Studio, Ollama, llama.cpp server, vLLM…).
    OpenAi,
    /// Anthropic Messages (`POST /v1/messages`).
    Anthropic,
}

/// A named upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
    /// Base URL without trailing slash or `/v1`.
    pub base_url: String,
    /// The provider key, read from the secret named in `key_secret`.
    pub api_key: Option<SecretString>,
    /// Time allowed until the response headers arrive.
    pub timeout_ms: u64,
}

/// Where a model is served: a provider and the model's name there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: String,
    pub upstream: String,
}

/// One model the edge API offers: the public name clients send, and the name the upstream uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRoute {
    pub public: String,
    /// The provider that serves it first.
    pub provider: String,
    pub upstream: String,
    /// Tried when the first provider fails (connect error, timeout, 429, 5xx) or its circuit
    /// is open.
    pub fallback: Option<Target>,
}

impl ModelRoute {
    /// The targets in the order they are tried.
    pub fn targets(&self) -> Vec<Target> {
        let mut t = vec![Target {
            provider: self.provider.clone(),
            upstream: self.upstream.clone(),
        }];
        t.extend(self.fallback.clone());
        t
    }
}

/// A secret string whose `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The upstreams by name (from `PROVIDERS`, or one named `default` from `UPSTREAM_URL`).
    pub providers: Vec<Provider>,
    /// The model allowlist; the first one is the default when a request names no model.
    pub models: Vec<ModelRoute>,
    pub allowed_origins: AllowedOrigins,
    pub allow_anonymous: bool,
    pub max_body_bytes: usize,
    pub max_tokens_cap: u32,
    pub max_messages: usize,
    pub tokens: TokenStore,
    pub admin_sha256: Option<[u8; crate::auth::HASH_LEN]>,
    /// Requests per window per token and per client IP; 0 = no limit.
    pub rate_limit_per_token: u64,
    pub rate_limit_per_ip: u64,
    pub rate_limit_window_ms: u64,
    pub retry: RetryPolicy,
    pub breaker: BreakerPolicy,
}

/// A variable that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl ConfigError {
    fn new(var: &'static str, message: impl Into<String>) -> Self {
        ConfigError {
            var,
            message: message.into(),
        }
    }

    /// The error clients see: it names the variable so the operator knows what to fix, but
    /// not why, because the reason may quote the value (a URL with a key in it, part of a
    /// secret) and anyone can ask `/health`. The reason goes to the log (its `Display`).
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(
            ErrorCode::ConfigInvalid,
            format!(
                "The edge API is misconfigured: {} is invalid. The operator can read why in the edge API's log, must fix that variable (wrangler.toml [vars], or the secret of that name) and redeploy.",
                self.var
            ),
        )
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.var, self.message)
    }
}

impl Config {
    /// Build the configuration from a variable lookup (vars and secrets share one namespace in
    /// Workers). Missing optional vars take their defaults; malformed ones are errors.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let number =
            |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(v) => match v.parse::<u64>() {
                        Ok(n) if (min..=max).contains(&n) => Ok(n),
                        _ => Err(ConfigError::new(
                            name,
                            format!("must be a whole number from {min} to {max}, not {v:?}"),
                        )),
                    },
                }
            };

        let default_timeout = number(
            vars::UPSTREAM_TIMEOUT_MS,
            DEFAULT_UPSTREAM_TIMEOUT_MS,
            100,
            600_000,
        )?;
        let providers = match get(vars::PROVIDERS) {
            Some(raw) => parse_providers(&raw, &lookup, default_timeout)?,
            None => match get(vars::UPSTREAM_URL) {
                None => Vec::new(),
                Some(u) => vec![Provider {
                    name: DEFAULT_PROVIDER.to_string(),
                    kind: ProviderKind::OpenAi,
                    base_url: parse_upstream_url(&u)?,
                    // Secrets are not trimmed beyond surrounding whitespace; empty = unset.
                    api_key: get(vars::UPSTREAM_API_KEY).map(SecretString),
                    timeout_ms: default_timeout,
                }],
            },
        };
        let models = match get(vars::MODELS) {
            Some(raw) => parse_models(&raw)?,
            None => parse_model_aliases(
                get(vars::MODEL_ALIASES).as_deref().unwrap_or(""),
                providers
                    .first()
                    .map_or(DEFAULT_PROVIDER, |p| p.name.as_str()),
            )?,
        };
        // Every model must name a configured provider (when any provider is configured; with
        // none, chat answers 503 upstream_not_configured).
        if !providers.is_empty() {
            for m in &models {
                for t in m.targets() {
                    if !providers.iter().any(|p| p.name == t.provider) {
                        return Err(ConfigError::new(
                            if get(vars::MODELS).is_some() {
                                vars::MODELS
                            } else {
                                vars::MODEL_ALIASES
                            },
                            format!(
                                "maps {:?} to provider {:?}, which PROVIDERS does not define",
                                m.public, t.provider
                            ),
                        ));
                    }
                }
            }
        }
        let allowed_origins =
            AllowedOrigins::parse(get(vars::ALLOWED_ORIGINS).as_deref().unwrap_or(""));
        let allow_anonymous = match get(vars::ALLOW_ANONYMOUS) {
            None => false,
            Some(v) => parse_bool(&v).ok_or_else(|| {
                ConfigError::new(
                    vars::ALLOW_ANONYMOUS,
                    format!("must be \"true\" or \"false\", not {v:?}"),
                )
            })?,
        };
        let max_body_bytes = match get(vars::MAX_BODY_BYTES) {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_BODY_BYTES_CEILING).contains(&n) => n,
                _ => {
                    return Err(ConfigError::new(
                        vars::MAX_BODY_BYTES,
                        format!("must be a whole number of bytes from 1 to {MAX_BODY_BYTES_CEILING}, not {v:?}"),
                    ))
                }
            },
        };
        let max_tokens_cap = match get(vars::MAX_TOKENS_CAP) {
            None => DEFAULT_MAX_TOKENS_CAP,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(ConfigError::new(
                        vars::MAX_TOKENS_CAP,
                        format!("must be a whole number of tokens, at least 1, not {v:?}"),
                    ))
                }
            },
        };
        let tokens = TokenStore::parse(get(vars::API_TOKENS).as_deref().unwrap_or(""))
            .map_err(|m| ConfigError::new(vars::API_TOKENS, m))?;
        let admin_sha256 = match get(vars::ADMIN_TOKEN_SHA256) {
            None => None,
            Some(v) => Some(crate::auth::parse_hex_hash(&v).ok_or_else(|| {
                ConfigError::new(
                    vars::ADMIN_TOKEN_SHA256,
                    "must be 64 hex digits (the SHA-256 printed by `cargo xtask token admin`)",
                )
            })?),
        };
        let max_messages =
            number(vars::MAX_MESSAGES, DEFAULT_MAX_MESSAGES as u64, 1, 100_000)? as usize;
        let rate_limit_per_token = number(
            vars::RATE_LIMIT_PER_TOKEN,
            DEFAULT_RATE_LIMIT_PER_TOKEN,
            0,
            1_000_000,
        )?;
        let rate_limit_per_ip = number(
            vars::RATE_LIMIT_PER_IP,
            DEFAULT_RATE_LIMIT_PER_IP,
            0,
            1_000_000,
        )?;
        let rate_limit_window_ms = number(
            vars::RATE_LIMIT_WINDOW_SECONDS,
            DEFAULT_RATE_LIMIT_WINDOW_SECONDS,
            1,
            86_400,
        )? * 1000;
        let retry = RetryPolicy {
            max_retries: number(vars::UPSTREAM_RETRIES, 2, 0, 10)? as u32,
            base_ms: number(vars::RETRY_BASE_MS, 100, 1, 10_000)?,
            max_ms: 2_000,
        };
        let breaker = BreakerPolicy {
            failure_threshold: number(vars::BREAKER_THRESHOLD, 5, 1, 1_000)? as u32,
            open_ms: number(vars::BREAKER_OPEN_SECONDS, 30, 1, 3_600)? * 1000,
        };
        Ok(Config {
            providers,
            models,
            allowed_origins,
            allow_anonymous,
            max_body_bytes,
            max_tokens_cap,
            max_messages,
            tokens,
            admin_sha256,
            rate_limit_per_token,
            rate_limit_per_ip,
            rate_limit_window_ms,
            retry,
            breaker,
        })
    }

    /// Find a provider by name.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// Find a model by its public name.
    pub fn model(&self, public: &str) -> Option<&ModelRoute> {
        self.models.iter().find(|m| m.public == public)
    }

    /// The model used when a request names none.
    pub fn default_model(&self) -> Option<&ModelRoute> {
        self.models.first()
    }
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Check an upstream base URL: `http://` or `https://`, a host, no query or fragment; a trailing
/// slash and a trailing `/v1` are removed (the proxy appends `/v1/...` itself).
pub fn parse_upstream_url(raw: &str) -> Result<String, ConfigError> {
    let u = raw.trim();
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
        .ok_or_else(|| {
            ConfigError::new(
                vars::UPSTREAM_URL,
                format!("must start with http:// or https://, not {u:?}"),
            )
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ConfigError::new(
            vars::UPSTREAM_URL,
            format!("has no host: {u:?}"),
        ));
    }
    if rest
        .split('/')
        .next()
        .is_some_and(|authority| authority.contains('@'))
    {
        // Not quoted: the part before '@' is a credential.
        return Err(ConfigError::new(
            vars::UPSTREAM_URL,
            "must not carry credentials (user:password@host); put the key in the UPSTREAM_API_KEY secret",
        ));
    }
    if u.contains('?') || u.contains('#') || u.chars().any(char::is_whitespace) {
        return Err(ConfigError::new(
            vars::UPSTREAM_URL,
            format!("must be a base URL without query, fragment or spaces, not {u:?}"),
        ));
    }
    let mut base = u.trim_end_matches('/');
    if let Some(b) = base.strip_suffix("/v1") {
        base = b;
    }
    Ok(base.to_string())
}

/// Parse `MODEL_ALIASES`: comma-separated `public=upstream` pairs; a bare `name` means the same
/// name on both sides. At least one model is required, and public names must be unique.
pub fn parse_model_aliases(raw: &str, provider: &str) -> Result<Vec<ModelRoute>, ConfigError> {
    let mut out: Vec<ModelRoute> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (public, upstream) = match item.split_once('=') {
            Some((p, u)) => (p.trim(), u.trim()),
            None => (item, item),
        };
        if public.is_empty() || upstream.is_empty() {
            return Err(ConfigError::new(
                vars::MODEL_ALIASES,
                format!("has an empty name in {item:?}; write public=upstream"),
            ));
        }
        if out.iter().any(|m| m.public == public) {
            return Err(ConfigError::new(
                vars::MODEL_ALIASES,
                format!("lists {public:?} twice"),
            ));
        }
        out.push(ModelRoute {
            public: public.to_string(),
            provider: provider.to_string(),
            upstream: upstream.to_string(),
            fallback: None,
        });
    }
    if out.is_empty() {
        return Err(ConfigError::new(
            vars::MODEL_ALIASES,
            "is empty; list at least one model as public=upstream (for example smollm2-135m-instruct=smollm2-135m-instruct)",
        ));
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: String,
    #[serde(default = "default_kind")]
    kind: String,
    #[serde(default)]
    url: Option<String>,
    /// Name of the secret that holds this provider's key.
    #[serde(default)]
    key_secret: Option<String>,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

fn default_kind() -> String {
    "openai".to_string()
}

/// Parse `PROVIDERS`: a JSON array of
/// `{"name","kind":"openai"|"anthropic","url","key_secret","timeout_ms"}`. The key itself is read
/// from the secret named by `key_secret` (never from this var).
pub fn parse_providers(
    raw: &str,
    lookup: &impl Fn(&str) -> Option<String>,
    default_timeout_ms: u64,
) -> Result<Vec<Provider>, ConfigError> {
    let err = |m: String| ConfigError::new(vars::PROVIDERS, m);
    let list: Vec<RawProvider> = serde_json::from_str(raw).map_err(|e| {
        err(format!(
            "must be a JSON array of {{\"name\",\"kind\",\"url\",\"key_secret\"?,\"timeout_ms\"?}} ({e})"
        ))
    })?;
    let mut out: Vec<Provider> = Vec::new();
    for r in list {
        let name = r.name.trim().to_string();
        if name.is_empty()
            || name.len() > 64
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(err(format!(
                "has an invalid provider name {:?}",
                crate::errors::truncate(&name, 70)
            )));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(err(format!("lists provider {name:?} twice")));
        }
        let kind = match r.kind.to_ascii_lowercase().as_str() {
            "openai" | "openai-compatible" => ProviderKind::OpenAi,
            "anthropic" => ProviderKind::Anthropic,
            k => {
                return Err(err(format!(
                "gives provider {name:?} the unknown kind {k:?} (use \"openai\" or \"anthropic\")"
            )))
            }
        };
        let url = match (
            r.url.as_deref().map(str::trim).filter(|u| !u.is_empty()),
            kind,
        ) {
            (Some(u), _) => u.to_string(),
            (None, ProviderKind::Anthropic) => ANTHROPIC_DEFAULT_URL.to_string(),
            (None, ProviderKind::OpenAi) => {
                return Err(err(format!("gives provider {name:?} no url")))
            }
        };
        let base_url = parse_upstream_url(&url)
            .map_err(|e| err(format!("provider {name:?}: url {}", e.message)))?;
        let api_key = match r
            .key_secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(secret) => lookup(secret)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(SecretString),
        };
        let timeout_ms = r
            .timeout_ms
            .unwrap_or(default_timeout_ms)
            .clamp(100, 600_000);
        out.push(Provider {
            name,
            kind,
            base_url,
            api_key,
            timeout_ms,
        });
    }
    if out.is_empty() {
        return Err(err(
            "is an empty list; define at least one provider".to_string()
        ));
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    public: String,
    provider: String,
    #[serde(default)]
    upstream: Option<String>,
    #[serde(default)]
    fallback: Option<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    provider: String,
    upstream: String,
}

/// Parse `MODELS`: a JSON array of
/// `{"public","provider","upstream"?,"fallback"?:{"provider","upstream"}}`.
pub fn parse_models(raw: &str) -> Result<Vec<ModelRoute>, ConfigError> {
    let err = |m: String| ConfigError::new(vars::MODELS, m);
    let list: Vec<RawModel> = serde_json::from_str(raw).map_err(|e| {
        err(format!(
            "must be a JSON array of {{\"public\",\"provider\",\"upstream\",\"fallback\"?}} ({e})"
        ))
    })?;
    let mut out: Vec<ModelRoute> = Vec::new();
    for r in list {
        let public = r.public.trim().to_string();
        if public.is_empty() {
            return Err(err("has a model with an empty public name".to_string()));
        }
        if out.iter().any(|m| m.public == public) {
            return Err(err(format!("lists {public:?} twice")));
        }
        let upstream = r
            .upstream
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| public.clone());
        out.push(ModelRoute {
            public,
            provider: r.provider.trim().to_string(),
            upstream,
            fallback: r.fallback.map(|f| Target {
                provider: f.provider.trim().to_string(),
                upstream: f.upstream.trim().to_string(),
            }),
        });
    }
    if out.is_empty() {
        return Err(err("is an empty list; list at least one model".to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let c = cfg(&[("MODEL_ALIASES", "m")]).unwrap();
        assert!(c.providers.is_empty());
        assert!(c.tokens.entries.is_empty());
        assert_eq!(c.admin_sha256, None);
        assert_eq!(c.max_messages, DEFAULT_MAX_MESSAGES);
        assert_eq!(c.rate_limit_per_token, DEFAULT_RATE_LIMIT_PER_TOKEN);
        assert_eq!(c.rate_limit_per_ip, DEFAULT_RATE_LIMIT_PER_IP);
        assert_eq!(c.rate_limit_window_ms, 60_000);
        assert!(!c.allow_anonymous, "anonymous access must default to off");
        assert_eq!(c.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(c.max_tokens_cap, DEFAULT_MAX_TOKENS_CAP);
        assert_eq!(c.allowed_origins, AllowedOrigins::List(vec![]));
        assert_eq!(
            c.models,
            vec![ModelRoute {
                public: "m".into(),
                provider: "default".into(),
                upstream: "m".into(),
                fallback: None,
            }]
        );
    }

    #[test]
    fn full_config_parses() {
        let c = cfg(&[
            ("UPSTREAM_URL", " http://127.0.0.1:18080/ "),
            ("UPSTREAM_API_KEY", "sk-test"),
            (
                "MODEL_ALIASES",
                "smollm2-135m-instruct=SmolLM2-135M-Instruct.Q4_1, other",
            ),
            (
                "ALLOWED_ORIGINS",
                "http://localhost:8080, https://app.example",
            ),
            ("ALLOW_ANONYMOUS", "TRUE"),
            ("MAX_BODY_BYTES", "1024"),
            ("MAX_TOKENS_CAP", "64"),
        ])
        .unwrap();
        let p = c.provider("default").unwrap();
        assert_eq!(p.base_url, "http://127.0.0.1:18080");
        assert_eq!(p.kind, ProviderKind::OpenAi);
        assert_eq!(
            p.api_key.as_ref().map(SecretString::expose),
            Some("sk-test")
        );
        assert_eq!(
            c.model("smollm2-135m-instruct").unwrap().upstream,
            "SmolLM2-135M-Instruct.Q4_1"
        );
        assert_eq!(c.model("other").unwrap().upstream, "other");
        assert_eq!(c.default_model().unwrap().public, "smollm2-135m-instruct");
        assert!(c.model("gpt-4").is_none());
        assert!(c.allow_anonymous);
        assert_eq!(c.max_body_bytes, 1024);
        assert_eq!(c.max_tokens_cap, 64);
        assert!(c.allowed_origins.allows("https://app.example"));
    }

    #[test]
    fn empty_secret_counts_as_unset_and_debug_redacts() {
        let c = cfg(&[
            ("MODEL_ALIASES", "m"),
            ("UPSTREAM_URL", "http://h"),
            ("UPSTREAM_API_KEY", "  "),
        ])
        .unwrap();
        assert_eq!(c.providers[0].api_key, None);
        let c = cfg(&[
            ("MODEL_ALIASES", "m"),
            ("UPSTREAM_URL", "http://h"),
            ("UPSTREAM_API_KEY", "sk-very-secret"),
        ])
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("sk-very-secret"), "{dbg}");
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn malformed_vars_are_errors_naming_the_var() {
        let e = cfg(&[("MODEL_ALIASES", "m"), ("ALLOW_ANONYMOUS", "maybe")]).unwrap_err();
        assert_eq!(e.var, "ALLOW_ANONYMOUS");
        let e = cfg(&[("MODEL_ALIASES", "m"), ("MAX_BODY_BYTES", "lots")]).unwrap_err();
        assert_eq!(e.var, "MAX_BODY_BYTES");
        let e = cfg(&[("MODEL_ALIASES", "m"), ("MAX_BODY_BYTES", "0")]).unwrap_err();
        assert_eq!(e.var, "MAX_BODY_BYTES");
        let e = cfg(&[("MODEL_ALIASES", "m"), ("MAX_TOKENS_CAP", "-5")]).unwrap_err();
        assert_eq!(e.var, "MAX_TOKENS_CAP");
        let e = cfg(&[("MODEL_ALIASES", "m"), ("UPSTREAM_URL", "ftp://x")]).unwrap_err();
        assert_eq!(e.var, "UPSTREAM_URL");
        let e = cfg(&[]).unwrap_err();
        assert_eq!(e.var, "MODEL_ALIASES");
        let api = e.to_api_error();
        assert_eq!(api.code, ErrorCode::ConfigInvalid);
        assert!(api.message.contains("MODEL_ALIASES"));
        assert!(api.message.contains("wrangler.toml"));
    }

    /// Regression: `config_invalid` answers (to anyone, `/health` included) quoted the bad
    /// value, so an `UPSTREAM_URL` carrying `?key=…` was echoed to every client.
    #[test]
    fn regression_config_invalid_echoed_the_bad_value_to_clients() {
        let e = cfg(&[
            ("MODEL_ALIASES", "m"),
            (
                "UPSTREAM_URL",
                "https://api.example.com/v1?key=sk-live-123456789",
            ),
        ])
        .unwrap_err();
        assert_eq!(e.var, "UPSTREAM_URL");
        let api = e.to_api_error();
        assert!(!api.message.contains("sk-live"), "{}", api.message);
        assert!(api.message.contains("UPSTREAM_URL"));
        assert!(
            e.to_string().contains("query"),
            "the log line keeps the reason: {e}"
        );
        let e = parse_upstream_url("https://user:sk-secret@api.example.com/v1").unwrap_err();
        assert!(!e.to_string().contains("sk-secret"), "{e}");
        assert!(e.to_string().contains("credentials"));
    }

    #[test]
    fn upstream_url_normalisation() {
        assert_eq!(
            parse_upstream_url("https://api.openai.com/v1").unwrap(),
            "https://api.openai.com"
        );
        assert_eq!(
            parse_upstream_url("https://api.openai.com/v1/").unwrap(),
            "https://api.openai.com"
        );
        assert_eq!(
            parse_upstream_url("http://h:1/prefix/").unwrap(),
            "http://h:1/prefix"
        );
        assert!(parse_upstream_url("http://").is_err());
        assert!(parse_upstream_url("http:///x").is_err());
        assert!(parse_upstream_url("http://h/?a=b").is_err());
        assert!(parse_upstream_url("127.0.0.1:8080").is_err());
    }

    #[test]
    fn model_aliases_reject_duplicates_and_empty_names() {
        assert!(parse_model_aliases("a=x,a=y", "p").is_err());
        assert!(parse_model_aliases("=x", "p").is_err());
        assert!(parse_model_aliases("a=", "p").is_err());
        assert!(parse_model_aliases(" , ,", "p").is_err());
        assert_eq!(parse_model_aliases("a=x,,b", "p").unwrap().len(), 2);
    }

    #[test]
    fn bools() {
        for t in ["true", "True", "1", "yes", "on"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "FALSE", "0", "no", "off"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("t"), None);
    }

    #[test]
    fn named_providers_models_and_fallbacks() {
        let c = cfg(&[
            (
                "PROVIDERS",
                r#"[{"name":"local","kind":"openai","url":"http://127.0.0.1:1/v1"},
                    {"name":"claude","kind":"anthropic","key_secret":"ANTHROPIC_KEY","timeout_ms":5000},
                    {"name":"router","url":"https://openrouter.ai/api","key_secret":"OR_KEY"}]"#,
            ),
            ("ANTHROPIC_KEY", "sk-ant-secret"),
            (
                "MODELS",
                r#"[{"public":"smart","provider":"claude","upstream":"claude-3-5-haiku-latest",
                     "fallback":{"provider":"router","upstream":"openai/gpt-4o-mini"}},
                    {"public":"tiny","provider":"local"}]"#,
            ),
        ])
        .unwrap();
        assert_eq!(c.providers.len(), 3);
        let claude = c.provider("claude").unwrap();
        assert_eq!(claude.kind, ProviderKind::Anthropic);
        assert_eq!(claude.base_url, ANTHROPIC_DEFAULT_URL);
        assert_eq!(claude.timeout_ms, 5000);
        assert_eq!(claude.api_key.as_ref().unwrap().expose(), "sk-ant-secret");
        // A key secret that is not set leaves the provider keyless.
        assert_eq!(c.provider("router").unwrap().api_key, None);
        assert_eq!(c.provider("local").unwrap().base_url, "http://127.0.0.1:1");
        let smart = c.model("smart").unwrap();
        let t = smart.targets();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].provider.as_str(), t[0].upstream.as_str()),
            ("claude", "claude-3-5-haiku-latest")
        );
        assert_eq!(
            (t[1].provider.as_str(), t[1].upstream.as_str()),
            ("router", "openai/gpt-4o-mini")
        );
        assert_eq!(c.model("tiny").unwrap().upstream, "tiny");
        assert!(!format!("{c:?}").contains("sk-ant-secret"));
    }

    #[test]
    fn provider_and_model_errors() {
        let e = cfg(&[
            (
                "PROVIDERS",
                r#"[{"name":"a","kind":"grpc","url":"http://h"}]"#,
            ),
            ("MODEL_ALIASES", "m"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "PROVIDERS");
        let e = cfg(&[
            (
                "PROVIDERS",
                r#"[{"name":"a","url":"http://h"},{"name":"a","url":"http://h"}]"#,
            ),
            ("MODEL_ALIASES", "m"),
        ])
        .unwrap_err();
        assert!(e.message.contains("twice"));
        let e = cfg(&[("PROVIDERS", r#"[{"name":"a"}]"#), ("MODEL_ALIASES", "m")]).unwrap_err();
        assert!(e.message.contains("no url"));
        let e = cfg(&[("PROVIDERS", "[]"), ("MODEL_ALIASES", "m")]).unwrap_err();
        assert_eq!(e.var, "PROVIDERS");
        let e = cfg(&[
            ("PROVIDERS", r#"[{"name":"a","url":"http://h"}]"#),
            ("MODELS", r#"[{"public":"m","provider":"b"}]"#),
        ])
        .unwrap_err();
        assert_eq!(e.var, "MODELS");
        assert!(e.message.contains("\"b\""));
        // MODEL_ALIASES with PROVIDERS maps to the first provider.
        let c = cfg(&[
            ("PROVIDERS", r#"[{"name":"a","url":"http://h"}]"#),
            ("MODEL_ALIASES", "m=x"),
        ])
        .unwrap();
        assert_eq!(c.model("m").unwrap().provider, "a");
    }

    #[test]
    fn limits_tokens_and_resilience_vars() {
        let h = crate::auth::to_hex(&crate::auth::sha256(b"t"));
        let c = cfg(&[
            ("MODEL_ALIASES", "m"),
            (
                "API_TOKENS",
                &format!(r#"[{{"label":"app","sha256":"{h}"}}]"#),
            ),
            ("ADMIN_TOKEN_SHA256", &h),
            ("MAX_MESSAGES", "8"),
            ("RATE_LIMIT_PER_TOKEN", "0"),
            ("RATE_LIMIT_PER_IP", "30"),
            ("RATE_LIMIT_WINDOW_SECONDS", "10"),
            ("UPSTREAM_RETRIES", "3"),
            ("RETRY_BASE_MS", "5"),
            ("BREAKER_THRESHOLD", "2"),
            ("BREAKER_OPEN_SECONDS", "7"),
        ])
        .unwrap();
        assert_eq!(c.tokens.entries.len(), 1);
        assert!(c.admin_sha256.is_some());
        assert_eq!(c.max_messages, 8);
        assert_eq!(
            (
                c.rate_limit_per_token,
                c.rate_limit_per_ip,
                c.rate_limit_window_ms
            ),
            (0, 30, 10_000)
        );
        assert_eq!((c.retry.max_retries, c.retry.base_ms), (3, 5));
        assert_eq!((c.breaker.failure_threshold, c.breaker.open_ms), (2, 7_000));
        assert_eq!(
            cfg(&[("MODEL_ALIASES", "m"), ("API_TOKENS", "nope")])
                .unwrap_err()
                .var,
            "API_TOKENS"
        );
        assert_eq!(
            cfg(&[("MODEL_ALIASES", "m"), ("ADMIN_TOKEN_SHA256", "x")])
                .unwrap_err()
                .var,
            "ADMIN_TOKEN_SHA256"
        );
        assert_eq!(
            cfg(&[("MODEL_ALIASES", "m"), ("MAX_MESSAGES", "0")])
                .unwrap_err()
                .var,
            "MAX_MESSAGES"
        );
        assert_eq!(
            cfg(&[("MODEL_ALIASES", "m"), ("UPSTREAM_RETRIES", "99")])
                .unwrap_err()
                .var,
            "UPSTREAM_RETRIES"
        );
    }
}
