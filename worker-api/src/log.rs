//! One structured JSON log line per request, and request ids.
//!
//! A line holds ids, method, path (never the query string), status, timings, the model's public
//! name and the error code. It never holds a key, a token, a header value or prompt text.

use serde::Serialize;

/// The fields of one request's log line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestLog {
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Milliseconds from the request's arrival to the response headers being returned. For a
    /// stream this is the time to the first byte, not to the end of the stream.
    pub latency_ms: u64,
    /// Milliseconds the upstream took to answer with headers; `null` when no upstream call.
    pub upstream_latency_ms: Option<u64>,
    pub upstream_status: Option<u16>,
    pub error_code: Option<&'static str>,
    pub model: Option<String>,
    pub stream: Option<bool>,
    /// The token's label (`anonymous` without a token); never the token.
    pub principal: Option<String>,
    /// The provider that answered (or failed last).
    pub provider: Option<String>,
    /// Upstream attempts made (retries and fallbacks included).
    pub attempts: Option<u32>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    /// A short runtime detail for failures (e.g. the fetch error), never request content.
    pub detail: Option<String>,
}

impl RequestLog {
    pub fn new(request_id: &str, method: &str, path: &str) -> Self {
        RequestLog {
            request_id: request_id.to_string(),
            method: crate::errors::truncate(method, 16),
            path: crate::errors::truncate(path, 200),
            ..RequestLog::default()
        }
    }

    /// `info` below 400, `warn` for 4xx, `error` for 5xx.
    pub fn level(&self) -> &'static str {
        match self.status {
            0..=399 => "info",
            400..=499 => "warn",
            _ => "error",
        }
    }

    /// The JSON line: `{"level":..,"msg":"request","service":..,...fields}`.
    pub fn to_json_line(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            level: &'static str,
            msg: &'static str,
            service: &'static str,
            #[serde(flatten)]
            fields: &'a RequestLog,
        }
        serde_json::to_string(&Line {
            level: self.level(),
            msg: "request",
            service: crate::config::SERVICE_NAME,
            fields: self,
        })
        .unwrap_or_default()
    }
}

/// Accept a client-supplied `X-Request-Id` only if it is short and plain
/// (1–64 of `A-Z a-z 0-9 . _ -`), so it can be logged and echoed safely.
pub fn sanitize_request_id(raw: Option<&str>) -> Option<String> {
    let id = raw?.trim();
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    ok.then(|| id.to_string())
}

/// A fresh request id from 64 random bits: `req_` and 16 hex digits.
pub fn format_request_id(bits: u64) -> String {
    format!("req_{bits:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn log_line_has_the_fields_and_nothing_secret() {
        let mut l = RequestLog::new("req_1", "POST", "/v1/chat/completions");
        l.status = 200;
        l.latency_ms = 12;
        l.upstream_latency_ms = Some(10);
        l.model = Some("smollm2-135m-instruct".into());
        l.stream = Some(true);
        let line = l.to_json_line();
        assert!(!line.contains('\n'));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["level"], "info");
        assert_eq!(v["msg"], "request");
        assert_eq!(v["request_id"], "req_1");
        assert_eq!(v["method"], "POST");
        assert_eq!(v["path"], "/v1/chat/completions");
        assert_eq!(v["status"], 200);
        assert_eq!(v["latency_ms"], 12);
        assert_eq!(v["upstream_latency_ms"], 10);
        assert_eq!(v["stream"], true);
        // No field can carry headers, bodies or keys.
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        for k in keys {
            assert!(
                ![
                    "authorization",
                    "body",
                    "messages",
                    "prompt",
                    "key",
                    "token"
                ]
                .contains(&k),
                "{k}"
            );
        }
    }

    #[test]
    fn levels() {
        let mut l = RequestLog::new("r", "GET", "/x");
        l.status = 404;
        assert_eq!(l.level(), "warn");
        l.status = 502;
        assert_eq!(l.level(), "error");
        l.status = 204;
        assert_eq!(l.level(), "info");
    }

    #[test]
    fn request_ids() {
        assert_eq!(
            sanitize_request_id(Some(" abc-123_X.y ")),
            Some("abc-123_X.y".into())
        );
        assert_eq!(sanitize_request_id(Some("")), None);
        assert_eq!(sanitize_request_id(Some("a b")), None);
        assert_eq!(sanitize_request_id(Some("x\"}")), None);
        assert_eq!(sanitize_request_id(Some(&"a".repeat(65))), None);
        assert_eq!(sanitize_request_id(None), None);
        assert_eq!(format_request_id(0xab), "req_00000000000000ab");
        assert_eq!(format_request_id(u64::MAX).len(), 20);
    }
}
