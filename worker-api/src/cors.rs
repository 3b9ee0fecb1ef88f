//! CORS: an exact-match origin allowlist from `ALLOWED_ORIGINS`.
//!
//! Decisions are pure ([`decide`]); the headers to add are plain `(name, value)` pairs
//! ([`response_headers`], [`preflight_headers`]).

use crate::errors::{ApiError, ErrorCode};

/// Methods the API answers to, for `Access-Control-Allow-Methods`.
pub const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers a browser may send, for `Access-Control-Allow-Headers`.
pub const ALLOW_HEADERS: &str = "authorization, content-type, x-request-id";
/// Response headers a browser may read, for `Access-Control-Expose-Headers`.
pub const EXPOSE_HEADERS: &str = "x-request-id, retry-after";
/// How long a browser may cache a preflight answer (seconds).
pub const MAX_AGE_SECONDS: &str = "86400";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// `ALLOWED_ORIGINS = "*"`: any origin (answered with `Access-Control-Allow-Origin: *`).
    Any,
    /// Exact origins such as `http://localhost:8080`. Empty means no browser origin is allowed.
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Parse the comma-separated var. Entries are trimmed and a trailing `/` is dropped (an
    /// origin never has a path); `*` alone means any origin. A `*` mixed with other entries is
    /// not a wildcard: it is ignored, because a wildcard must be a deliberate, lone choice.
    pub fn parse(raw: &str) -> AllowedOrigins {
        let raw = raw.trim();
        if raw == "*" {
            return AllowedOrigins::Any;
        }
        AllowedOrigins::List(
            raw.split(',')
                .map(|s| s.trim().trim_end_matches('/'))
                .filter(|s| !s.is_empty() && *s != "*")
                .map(str::to_string)
                .collect(),
        )
    }

    /// Exact, case-sensitive match (browsers serialize origins in lowercase).
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::List(list) => list.iter().any(|o| o == origin),
        }
    }
}

/// What to do about a request's `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsDecision {
    /// No `Origin` header: not a cross-origin browser request (curl, a server). No CORS headers.
    NoOrigin,
    /// Allowed: answer with `Access-Control-Allow-Origin: <value>` (the origin itself, or `*`).
    Allow(String),
    /// The origin is not on the list.
    Deny,
}

pub fn decide(origin: Option<&str>, allowed: &AllowedOrigins) -> CorsDecision {
    match origin.map(str::trim) {
        None | Some("") => CorsDecision::NoOrigin,
        Some(o) => match allowed {
            AllowedOrigins::Any => CorsDecision::Allow("*".to_string()),
            list if list.allows(o) => CorsDecision::Allow(o.to_string()),
            _ => CorsDecision::Deny,
        },
    }
}

/// The error for a denied origin.
pub fn origin_denied(origin: &str) -> ApiError {
    ApiError::new(
        ErrorCode::OriginNotAllowed,
        format!(
            "Origin {} is not allowed to call this edge API. The operator must add it to ALLOWED_ORIGINS (comma-separated, exact scheme://host:port).",
            crate::errors::truncate(origin, 200)
        ),
    )
}

/// Headers for an ordinary (non-preflight) response.
pub fn response_headers(decision: &CorsDecision) -> Vec<(&'static str, String)> {
    match decision {
        CorsDecision::Allow(value) => {
            let mut h = vec![
                ("access-control-allow-origin", value.clone()),
                ("access-control-expose-headers", EXPOSE_HEADERS.to_string()),
            ];
            if value != "*" {
                h.push(("vary", "Origin".to_string()));
            }
            h
        }
        CorsDecision::NoOrigin | CorsDecision::Deny => Vec::new(),
    }
}

/// Headers for a successful preflight (`OPTIONS`) response.
pub fn preflight_headers(decision: &CorsDecision) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("access-control-allow-methods", ALLOW_METHODS.to_string()),
        ("access-control-allow-headers", ALLOW_HEADERS.to_string()),
        ("access-control-max-age", MAX_AGE_SECONDS.to_string()),
    ];
    if let CorsDecision::Allow(value) = decision {
        h.insert(0, ("access-control-allow-origin", value.clone()));
        if value != "*" {
            h.push(("vary", "Origin".to_string()));
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> AllowedOrigins {
        AllowedOrigins::List(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn parse_origins() {
        assert_eq!(AllowedOrigins::parse("*"), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::parse(" * "), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::parse(""), list(&[]));
        assert_eq!(
            AllowedOrigins::parse("http://localhost:8080/, https://a.example ,,"),
            list(&["http://localhost:8080", "https://a.example"])
        );
        // A star among others is not a wildcard.
        assert_eq!(
            AllowedOrigins::parse("https://a.example,*"),
            list(&["https://a.example"])
        );
    }

    #[test]
    fn exact_match_only() {
        let a = list(&["https://app.example"]);
        assert_eq!(
            decide(Some("https://app.example"), &a),
            CorsDecision::Allow("https://app.example".into())
        );
        assert_eq!(
            decide(Some("https://app.example.evil"), &a),
            CorsDecision::Deny
        );
        assert_eq!(decide(Some("http://app.example"), &a), CorsDecision::Deny);
        assert_eq!(
            decide(Some("https://evil.app.example"), &a),
            CorsDecision::Deny
        );
        assert_eq!(decide(Some("null"), &a), CorsDecision::Deny);
        assert_eq!(decide(None, &a), CorsDecision::NoOrigin);
        assert_eq!(decide(Some(""), &a), CorsDecision::NoOrigin);
        assert_eq!(decide(Some("https://x"), &list(&[])), CorsDecision::Deny);
    }

    #[test]
    fn wildcard_only_when_configured() {
        assert_eq!(
            decide(Some("https://any"), &AllowedOrigins::Any),
            CorsDecision::Allow("*".into())
        );
        let h = response_headers(&CorsDecision::Allow("*".into()));
        assert!(h.contains(&("access-control-allow-origin", "*".into())));
        assert!(!h.iter().any(|(k, _)| *k == "vary"));
    }

    #[test]
    fn allowed_origin_is_echoed_with_vary() {
        let h = response_headers(&CorsDecision::Allow("http://localhost:8080".into()));
        assert!(h.contains(&(
            "access-control-allow-origin",
            "http://localhost:8080".into()
        )));
        assert!(h.contains(&("vary", "Origin".into())));
        assert!(h
            .iter()
            .any(|(k, v)| *k == "access-control-expose-headers" && v.contains("x-request-id")));
        assert!(response_headers(&CorsDecision::Deny).is_empty());
        assert!(response_headers(&CorsDecision::NoOrigin).is_empty());
    }

    #[test]
    fn preflight_lists_methods_and_headers() {
        let h = preflight_headers(&CorsDecision::Allow("http://localhost:8080".into()));
        assert!(h.contains(&(
            "access-control-allow-origin",
            "http://localhost:8080".into()
        )));
        assert!(h
            .iter()
            .any(|(k, v)| *k == "access-control-allow-headers" && v.contains("authorization")));
        assert!(h
            .iter()
            .any(|(k, v)| *k == "access-control-allow-methods" && v.contains("POST")));
        let h = preflight_headers(&CorsDecision::NoOrigin);
        assert!(!h.iter().any(|(k, _)| *k == "access-control-allow-origin"));
    }

    #[test]
    fn denial_message_names_the_var() {
        let e = origin_denied("https://evil.example");
        assert_eq!(e.status, 403);
        assert!(e.message.contains("ALLOWED_ORIGINS"));
    }
}
