//! The LLM client's decisions, without I/O: SSE decoding ([`sse`]), the chat-completions wire
//! format ([`chat`]), where requests go ([`endpoint`]) and what to do when a request fails or is cut off ([`policy`]). The
//! browser client in `web/src/llm/` only moves bytes and keeps time; every choice it makes
//! (retry or not, how long to wait, more budget or give up) is made here and tested natively.

pub mod chat;
pub mod endpoint;
pub mod policy;
pub mod sse;

pub use chat::{
    ChatAccumulator, ChatAnswer, ChatMessage, ChatRequest, Constraint, Delta, FinishReason, Role,
};
pub use endpoint::{parse_model_list, Endpoint, RunnerEndpointError, RunnerSetting};
pub use policy::{
    BreakerState, ChatDriver, ChatOutcome, CircuitBreaker, LengthPolicy, RetryPolicy, Step,
};
pub use sse::{SseDecoder, SseEvent};

use serde::{Deserialize, Serialize};

/// Why a model request failed; [`LlmError::message`] says what a person can do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LlmError {
    /// The server could not be reached (refused, DNS, CORS, offline).
    Network {
        /// What the browser said.
        detail: String,
    },
    /// No complete answer within the profile's timeout.
    Timeout {
        /// The timeout that ran out.
        after_ms: u64,
    },
    /// The server answered with an error status.
    Http {
        /// HTTP status.
        status: u16,
        /// The edge API's stable `error.code` (or the server's), if the body had one.
        code: Option<String>,
        /// The server's message.
        message: String,
        /// `Retry-After`, when sent (429, 503).
        retry_after_ms: Option<u64>,
    },
    /// An `{"error":…}` object inside an otherwise successful response or stream.
    Server {
        /// Its code, if any.
        code: Option<String>,
        /// Its message.
        message: String,
    },
    /// The answer was not a valid chat completion or the stream broke off.
    BadStream {
        /// What was wrong.
        detail: String,
    },
    /// The person cancelled.
    Cancelled,
    /// Every answer was cut off by `max_tokens`, up to the cap.
    LengthExhausted {
        /// The last (largest) budget tried.
        max_tokens: u32,
        /// The cut-off answer of the last attempt, kept for the record.
        partial: String,
    },
    /// Recent requests to this server kept failing; it is left alone for a while.
    BreakerOpen {
        /// When the next trial request is allowed.
        retry_in_ms: u64,
    },
}

impl LlmError {
    /// A short stable label (`network`, `timeout`, `http`, …) for records and statistics.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Network { .. } => "network",
            LlmError::Timeout { .. } => "timeout",
            LlmError::Http { .. } => "http",
            LlmError::Server { .. } => "server",
            LlmError::BadStream { .. } => "bad_stream",
            LlmError::Cancelled => "cancelled",
            LlmError::LengthExhausted { .. } => "length_exhausted",
            LlmError::BreakerOpen { .. } => "breaker_open",
        }
    }

    /// Whether the request may be sent again (connection failures, timeouts, 408, 429 and
    /// 5xx). The caller also checks that no answer bytes arrived (see [`RetryPolicy`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::Network { .. } | LlmError::Timeout { .. } => true,
            LlmError::Http { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }

    /// Whether it counts against the server's circuit breaker: the server (or the way to it)
    /// is failing, not the request.
    pub fn is_server_failure(&self) -> bool {
        match self {
            LlmError::Network { .. } | LlmError::Timeout { .. } => true,
            LlmError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// What happened and what to do, for people.
    pub fn message(&self) -> String {
        match self {
            LlmError::Network { detail } => format!(
                "could not reach the model server ({detail}); check that it is running, the URL in the profile, and (for a local server) that it allows this page's origin (CORS)"
            ),
            LlmError::Timeout { after_ms } => format!(
                "no complete answer within {:.1} s; raise the profile's timeout or lower max_tokens",
                *after_ms as f64 / 1000.0
            ),
            LlmError::Http {
                status,
                code,
                message,
                ..
            } => {
                let hint = match (status, code.as_deref()) {
                    (401, _) | (_, Some("unauthorized")) => {
                        "the edge API token is missing or wrong: paste it again in the profile"
                    }
                    (403, _) => "this token or origin may not use that; ask the operator",
                    (_, Some("model_not_allowed")) => {
                        "the model name is not allowed here: pick one the server lists"
                    }
                    (_, Some("daily_budget_exhausted")) => {
                        "today's token budget is used up: wait until tomorrow or ask the operator"
                    }
                    (429, _) => "too many requests: the client waits and retries; play slower",
                    (404, _) => "wrong URL or model: check the base URL (it ends in /v1) and the model name",
                    (400, _) | (413, _) | (422, _) => {
                        "the server rejected the request: check the model name, max_tokens and JSON output"
                    }
                    (s, _) if *s >= 500 => "the server failed: try again, or check its log",
                    _ => "see the server's message",
                };
                let code = code
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default();
                format!("the server answered HTTP {status}{code}: {message} — {hint}")
            }
            LlmError::Server { code, message } => format!(
                "the server reported an error{} mid-answer: {message}; try again, or check its log",
                code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
            LlmError::BadStream { detail } => format!(
                "the answer could not be read: {detail}; is this an OpenAI-compatible server?"
            ),
            LlmError::Cancelled => "cancelled".to_string(),
            LlmError::LengthExhausted { max_tokens, .. } => format!(
                "every answer was cut off, even with max_tokens = {max_tokens}; raise the length cap or ask for shorter answers"
            ),
            LlmError::BreakerOpen { retry_in_ms } => format!(
                "recent requests to this server kept failing, so it is paused for {:.0} s; check the server",
                (*retry_in_ms as f64 / 1000.0).ceil()
            ),
        }
    }
}

impl LlmError {
    /// [`LlmError::message`] for a person playing with a profile on `route`. An edge route's
    /// profile has no URL and the model server is behind the edge API, so when the edge API
    /// itself cannot be reached the message names it and where it is configured, instead of
    /// sending the person to check "the URL in the profile" of a model server.
    pub fn message_for(&self, route: &crate::profile::Route) -> String {
        match (self, route) {
            (LlmError::Network { detail }, crate::profile::Route::Edge) => format!(
                "could not reach the edge API ({detail}); check that it is running (locally: cargo xtask serve) and that app-config.json names it (edgeApiUrl), or ask the operator"
            ),
            _ => self.message(),
        }
    }
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for LlmError {}

/// Reads an error response body (`{"error":{"code","message"}}` from the edge API or an
/// OpenAI-compatible server; anything else is kept as text) into [`LlmError::Http`].
pub fn http_error(status: u16, body: &str, retry_after_ms: Option<u64>) -> LlmError {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let code = error.and_then(|e| match e.get("code") {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    let message = match error {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(e) => e
            .get("message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string(),
        None => body.chars().take(300).collect(),
    };
    LlmError::Http {
        status,
        code,
        message: if message.trim().is_empty() {
            "no message".to_string()
        } else {
            message
        },
        retry_after_ms,
    }
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is ignored: it needs a
/// clock).
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| (s * 1000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_api_errors_keep_their_code_and_say_what_to_do() {
        let e = http_error(
            401,
            r#"{"error":{"code":"unauthorized","message":"missing bearer token","type":"authentication_error"}}"#,
            None,
        );
        assert_eq!(e.kind(), "http");
        assert!(!e.is_retryable());
        let text = e.message();
        assert!(
            text.contains("HTTP 401 unauthorized: missing bearer token"),
            "{text}"
        );
        assert!(text.contains("token"), "{text}");
        let busy = http_error(
            429,
            "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}",
            parse_retry_after("2"),
        );
        assert!(busy.is_retryable());
        assert!(!busy.is_server_failure());
        assert!(matches!(
            busy,
            LlmError::Http {
                retry_after_ms: Some(2000),
                ..
            }
        ));
        let plain = http_error(502, "Bad Gateway", None);
        assert!(plain.is_retryable() && plain.is_server_failure());
        assert!(plain.message().contains("Bad Gateway"));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn an_unreachable_edge_api_is_named_instead_of_the_profile_url() {
        use crate::profile::Route;
        let down = LlmError::Network {
            detail: "Failed to fetch".into(),
        };
        let edge = down.message_for(&Route::Edge);
        assert!(
            edge.contains("could not reach the edge API (Failed to fetch)"),
            "{edge}"
        );
        assert!(edge.contains("cargo xtask serve") && edge.contains("edgeApiUrl"));
        assert!(!edge.contains("URL in the profile"), "{edge}");
        let direct = Route::Direct {
            base_url: "http://localhost:1234/v1".into(),
        };
        assert_eq!(down.message_for(&direct), down.message());
        let failed = http_error(
            502,
            r#"{"error":{"code":"upstream_unreachable","message":"The model server behind this edge API did not answer."}}"#,
            None,
        );
        assert_eq!(failed.message_for(&Route::Edge), failed.message());
    }

    #[test]
    fn every_kind_has_a_distinct_label_and_a_message() {
        let all = [
            LlmError::Network {
                detail: "refused".into(),
            },
            LlmError::Timeout { after_ms: 1500 },
            http_error(500, "", None),
            LlmError::Server {
                code: None,
                message: "x".into(),
            },
            LlmError::BadStream { detail: "x".into() },
            LlmError::Cancelled,
            LlmError::LengthExhausted {
                max_tokens: 4096,
                partial: String::new(),
            },
            LlmError::BreakerOpen { retry_in_ms: 2500 },
        ];
        let labels: std::collections::BTreeSet<_> = all.iter().map(LlmError::kind).collect();
        assert_eq!(labels.len(), all.len());
        for e in &all {
            assert!(!e.message().is_empty());
        }
        assert!(all[1].message().contains("1.5 s"));
        assert!(all[6].message().contains("4096"));
        assert!(all[7].message().contains("3 s"));
    }
}
