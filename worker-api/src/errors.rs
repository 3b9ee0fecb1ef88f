//! Stable JSON errors.
//!
//! Every error the edge API returns has the shape
//! `{"error":{"code":"...","message":"...","type":"..."}}`. The `code` is stable (clients and
//! tests branch on it); the `message` is for a human and says what to do; the `type` follows
//! OpenAI's coarse families so OpenAI client libraries classify it sensibly.

use serde::Serialize;

/// The stable error codes. Add new ones at the end; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The body is not valid JSON, or not a JSON object.
    InvalidJson,
    /// The JSON parsed but a field is missing or has the wrong type or value.
    InvalidRequest,
    /// `Content-Type` is not `application/json`.
    UnsupportedMediaType,
    /// The body is larger than `MAX_BODY_BYTES`.
    BodyTooLarge,
    /// The requested model is not in `MODEL_ALIASES`.
    ModelNotAllowed,
    /// No route for this path.
    NotFound,
    /// The path exists but not for this method.
    MethodNotAllowed,
    /// No (valid) bearer token, and anonymous access is off.
    Unauthorized,
    /// The request's `Origin` is not in `ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// `UPSTREAM_URL` is empty.
    UpstreamNotConfigured,
    /// The upstream could not be reached (connection refused or lost, DNS, TLS).
    UpstreamUnreachable,
    /// The upstream answered with a 5xx or an unusable answer.
    UpstreamError,
    /// The upstream rejected the request itself (a 4xx other than auth and rate limit).
    UpstreamRejected,
    /// The upstream rejected the edge API's own provider key (401/403).
    UpstreamAuthFailed,
    /// The upstream is rate limiting the edge API (429).
    UpstreamRateLimited,
    /// A `[vars]` value could not be parsed; the operator must fix wrangler.toml.
    ConfigInvalid,
    /// A bug or a runtime failure inside the Worker.
    Internal,
    /// The upstream sent no response headers within the provider's timeout.
    UpstreamTimeout,
    /// Every provider for the model is failing (circuit open) or unreachable after retries.
    UpstreamUnavailable,
    /// The upstream answered 2xx with a body the edge API could not read or translate.
    UpstreamInvalidResponse,
    /// The caller is authenticated but not allowed to do this.
    Forbidden,
    /// The per-token or per-IP request rate limit was hit.
    RateLimited,
    /// The token's daily token budget is used up.
    BudgetExhausted,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidRequest,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::BodyTooLarge,
        ErrorCode::ModelNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Unauthorized,
        ErrorCode::OriginNotAllowed,
        ErrorCode::UpstreamNotConfigured,
        ErrorCode::UpstreamUnreachable,
        ErrorCode::UpstreamError,
        ErrorCode::UpstreamRejected,
        ErrorCode::UpstreamAuthFailed,
        ErrorCode::UpstreamRateLimited,
        ErrorCode::ConfigInvalid,
        ErrorCode::Internal,
        ErrorCode::UpstreamTimeout,
        ErrorCode::UpstreamUnavailable,
        ErrorCode::UpstreamInvalidResponse,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::BudgetExhausted,
    ];

    /// The stable string sent as `error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::ModelNotAllowed => "model_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::UpstreamNotConfigured => "upstream_not_configured",
            ErrorCode::UpstreamUnreachable => "upstream_unreachable",
            ErrorCode::UpstreamError => "upstream_error",
            ErrorCode::UpstreamRejected => "upstream_rejected",
            ErrorCode::UpstreamAuthFailed => "upstream_auth_failed",
            ErrorCode::UpstreamRateLimited => "upstream_rate_limited",
            ErrorCode::UpstreamTimeout => "upstream_timeout",
            ErrorCode::UpstreamUnavailable => "upstream_unavailable",
            ErrorCode::UpstreamInvalidResponse => "upstream_invalid_response",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::BudgetExhausted => "daily_budget_exhausted",
            ErrorCode::ConfigInvalid => "config_invalid",
            ErrorCode::Internal => "internal_error",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidJson | ErrorCode::InvalidRequest | ErrorCode::ModelNotAllowed => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::OriginNotAllowed | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::UpstreamRateLimited
            | ErrorCode::RateLimited
            | ErrorCode::BudgetExhausted => 429,
            ErrorCode::UpstreamTimeout => 504,
            ErrorCode::UpstreamInvalidResponse => 502,
            ErrorCode::ConfigInvalid | ErrorCode::Internal => 500,
            ErrorCode::UpstreamError
            | ErrorCode::UpstreamAuthFailed
            | ErrorCode::UpstreamUnreachable => 502,
            ErrorCode::UpstreamNotConfigured | ErrorCode::UpstreamUnavailable => 503,
            // The upstream's own 4xx status is kept (see `ApiError::upstream_rejected`);
            // 400 is the fallback.
            ErrorCode::UpstreamRejected => 400,
        }
    }

    /// The coarse OpenAI-style family sent as `error.type`.
    pub fn error_type(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson
            | ErrorCode::InvalidRequest
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::BodyTooLarge
            | ErrorCode::ModelNotAllowed
            | ErrorCode::MethodNotAllowed
            | ErrorCode::UpstreamRejected => "invalid_request_error",
            ErrorCode::NotFound => "not_found_error",
            ErrorCode::Unauthorized => "authentication_error",
            ErrorCode::OriginNotAllowed | ErrorCode::Forbidden => "permission_error",
            ErrorCode::UpstreamRateLimited
            | ErrorCode::RateLimited
            | ErrorCode::BudgetExhausted => "rate_limit_error",
            ErrorCode::UpstreamNotConfigured
            | ErrorCode::UpstreamUnreachable
            | ErrorCode::UpstreamError
            | ErrorCode::UpstreamAuthFailed
            | ErrorCode::UpstreamTimeout
            | ErrorCode::UpstreamUnavailable
            | ErrorCode::UpstreamInvalidResponse => "upstream_error",
            ErrorCode::ConfigInvalid | ErrorCode::Internal => "server_error",
        }
    }
}

/// An error on its way to becoming a JSON response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Normally `code.status()`; differs only for `UpstreamRejected` (the upstream's 4xx).
    pub status: u16,
    /// Extra response headers (`Allow` for 405, `Retry-After` for 429, `WWW-Authenticate` for 401).
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            status: code.status(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn not_found(path: &str) -> Self {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "No route for {}. The edge API serves GET /health, GET /v1/models and POST /v1/chat/completions.",
                truncate(path, 100)
            ),
        )
    }

    pub fn method_not_allowed(method: &str, path: &str, allow: &str) -> Self {
        ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!(
                "{} is not allowed on {path}; use {allow}.",
                truncate(method, 16)
            ),
        )
        .with_header("allow", allow)
    }

    /// The JSON body: `{"error":{"code","message","type"}}`.
    pub fn to_json(&self) -> String {
        let env = Envelope {
            error: Body {
                code: self.code.as_str(),
                message: &self.message,
                kind: self.code.error_type(),
            },
        };
        // Serializing plain strings cannot fail.
        serde_json::to_string(&env).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal_error","message":"error serialization failed","type":"server_error"}}"#
                .to_string()
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_str(),
            self.status,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// Cut `s` to at most `max` characters (on a char boundary), adding an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn error_json_has_the_stable_shape() {
        let e = ApiError::new(ErrorCode::InvalidJson, "Fix the \"body\".");
        let v: Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["error"]["code"], "invalid_json");
        assert_eq!(v["error"]["message"], "Fix the \"body\".");
        assert_eq!(v["error"]["type"], "invalid_request_error");
        assert_eq!(v.as_object().unwrap().len(), 1);
        assert_eq!(v["error"].as_object().unwrap().len(), 3);
        assert_eq!(e.status, 400);
    }

    #[test]
    fn every_code_is_distinct_snake_case_with_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{s}"
            );
            assert!((400..600).contains(&c.status()), "{s}");
            assert!(!c.error_type().is_empty());
        }
        assert_eq!(seen.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn documented_statuses() {
        assert_eq!(ErrorCode::Unauthorized.status(), 401);
        assert_eq!(ErrorCode::NotFound.status(), 404);
        assert_eq!(ErrorCode::MethodNotAllowed.status(), 405);
        assert_eq!(ErrorCode::BodyTooLarge.status(), 413);
        assert_eq!(ErrorCode::UnsupportedMediaType.status(), 415);
        assert_eq!(ErrorCode::UpstreamError.status(), 502);
        assert_eq!(ErrorCode::UpstreamUnreachable.status(), 502);
    }

    #[test]
    fn method_not_allowed_carries_allow_header() {
        let e = ApiError::method_not_allowed("DELETE", "/health", "GET, OPTIONS");
        assert_eq!(e.status, 405);
        assert_eq!(e.headers, vec![("allow", "GET, OPTIONS".to_string())]);
        assert!(e.message.contains("GET, OPTIONS"));
    }

    #[test]
    fn not_found_message_lists_routes_and_truncates_path() {
        let long = format!("/{}", "x".repeat(500));
        let e = ApiError::not_found(&long);
        assert!(e.message.contains("POST /v1/chat/completions"));
        assert!(e.message.len() < 300);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("", 0), "");
    }
}
