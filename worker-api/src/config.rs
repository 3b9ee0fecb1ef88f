//! Configuration from the Worker's `[vars]` and secrets.
//!
//! [`Config::from_lookup`] is pure: it takes a function that returns a variable's value, so
//! native tests feed it a map and the Worker feeds it `Env`. Every variable is documented in
//! the repo-root `wrangler.toml`.

use crate::cors::AllowedOrigins;
use crate::errors::{ApiError, ErrorCode};

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
}

/// One model the edge API offers: the public name clients send, and the name the upstream uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRoute {
    pub public: String,
    pub upstream: String,
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
    /// Base URL of the OpenAI-compatible upstream, without a trailing slash; `None` if unset.
    pub upstream_url: Option<String>,
    /// The provider key (Worker secret); `None` if unset or empty.
    pub upstream_api_key: Option<SecretString>,
    /// The model allowlist; the first one is the default when a request names no model.
    pub models: Vec<ModelRoute>,
    pub allowed_origins: AllowedOrigins,
    pub allow_anonymous: bool,
    pub max_body_bytes: usize,
    pub max_tokens_cap: u32,
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

    /// The error clients see; it names the variable so the operator knows what to fix.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(
            ErrorCode::ConfigInvalid,
            format!(
                "The edge API is misconfigured: {} {}. The operator must fix it in wrangler.toml [vars] and redeploy.",
                self.var, self.message
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

        let upstream_url = match get(vars::UPSTREAM_URL) {
            None => None,
            Some(u) => Some(parse_upstream_url(&u)?),
        };
        // Secrets are not trimmed beyond surrounding whitespace; an empty secret counts as unset.
        let upstream_api_key = get(vars::UPSTREAM_API_KEY).map(SecretString);
        let models = parse_model_aliases(get(vars::MODEL_ALIASES).as_deref().unwrap_or(""))?;
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
        Ok(Config {
            upstream_url,
            upstream_api_key,
            models,
            allowed_origins,
            allow_anonymous,
            max_body_bytes,
            max_tokens_cap,
        })
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
pub fn parse_model_aliases(raw: &str) -> Result<Vec<ModelRoute>, ConfigError> {
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
            upstream: upstream.to_string(),
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
        assert_eq!(c.upstream_url, None);
        assert_eq!(c.upstream_api_key, None);
        assert!(!c.allow_anonymous, "anonymous access must default to off");
        assert_eq!(c.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(c.max_tokens_cap, DEFAULT_MAX_TOKENS_CAP);
        assert_eq!(c.allowed_origins, AllowedOrigins::List(vec![]));
        assert_eq!(
            c.models,
            vec![ModelRoute {
                public: "m".into(),
                upstream: "m".into()
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
        assert_eq!(c.upstream_url.as_deref(), Some("http://127.0.0.1:18080"));
        assert_eq!(
            c.upstream_api_key.as_ref().map(SecretString::expose),
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
        let c = cfg(&[("MODEL_ALIASES", "m"), ("UPSTREAM_API_KEY", "  ")]).unwrap();
        assert_eq!(c.upstream_api_key, None);
        let c = cfg(&[
            ("MODEL_ALIASES", "m"),
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
        assert!(parse_model_aliases("a=x,a=y").is_err());
        assert!(parse_model_aliases("=x").is_err());
        assert!(parse_model_aliases("a=").is_err());
        assert!(parse_model_aliases(" , ,").is_err());
        assert_eq!(parse_model_aliases("a=x,,b").unwrap().len(), 2);
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
}
