//! The upstream call: URL and header building, response header filtering and upstream error
//! mapping (pure, tested natively), and the Worker-side forwarding (wasm32 only).
//!
//! Retries, timeouts, the circuit breaker and the stream plumbing live in `upstream` (wasm32);
//! the Anthropic wire format in [`crate::anthropic`].

use serde_json::Value;

use crate::anthropic;
use crate::config::{Provider, ProviderKind, SecretString, SERVICE_NAME, VERSION};
use crate::errors::{truncate, ApiError, ErrorCode};
use crate::validate::ChatRequest;

/// The OpenAI-compatible chat path, appended to `UPSTREAM_URL`.
pub const CHAT_COMPLETIONS_PATH: &str = "/v1/chat/completions";

/// Client headers that may be forwarded upstream (W3C trace context only). Everything else the
/// client sent, above all `Authorization`, `Cookie` and `X-Api-Key`, is dropped.
pub const FORWARDED_CLIENT_HEADERS: &[&str] = &["traceparent", "tracestate"];

/// Upstream response headers passed back to the client. Others (`set-cookie`, `server`,
/// rate-limit and organization headers that describe the operator's provider account,
/// `content-length`/`content-encoding` that the runtime recomputes) are dropped.
pub const PASSED_BACK_HEADERS: &[&str] = &["content-type", "cache-control"];

/// `${UPSTREAM_URL}/v1/chat/completions` (the base is normalised by config parsing).
pub fn upstream_chat_url(base: &str) -> String {
    format!("{}{CHAT_COMPLETIONS_PATH}", base.trim_end_matches('/'))
}

/// The headers of the upstream request. They are built from scratch: the only client headers
/// that survive are [`FORWARDED_CLIENT_HEADERS`]; `Authorization` is set only from the Worker
/// secret `UPSTREAM_API_KEY`.
pub fn upstream_request_headers(
    client: &[(String, String)],
    api_key: Option<&SecretString>,
    stream: bool,
    request_id: &str,
) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = vec![
        ("content-type".into(), "application/json".into()),
        (
            "accept".into(),
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            }
            .into(),
        ),
        ("user-agent".into(), format!("{SERVICE_NAME}/{VERSION}")),
        ("x-request-id".into(), request_id.to_string()),
    ];
    for (name, value) in client {
        let lower = name.to_ascii_lowercase();
        if FORWARDED_CLIENT_HEADERS.contains(&lower.as_str()) {
            h.push((lower, value.clone()));
        }
    }
    if let Some(key) = api_key {
        h.push(("authorization".into(), format!("Bearer {}", key.expose())));
    }
    h
}

/// The headers of a successful pass-through response: [`PASSED_BACK_HEADERS`] from upstream,
/// with a content type and (for streams) `cache-control: no-cache` filled in if missing.
pub fn passthrough_response_headers(
    upstream: &[(String, String)],
    stream: bool,
) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = upstream
        .iter()
        .filter(|(k, _)| PASSED_BACK_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if !h.iter().any(|(k, _)| k == "content-type") {
        let ct = if stream {
            "text/event-stream; charset=utf-8"
        } else {
            "application/json"
        };
        h.push(("content-type".into(), ct.into()));
    }
    if stream && !h.iter().any(|(k, _)| k == "cache-control") {
        h.push(("cache-control".into(), "no-cache".into()));
    }
    h
}

/// The upstream's own error message, if its body is an OpenAI-style (`error.message`) or
/// simple (`message`, `detail`, string `error`) JSON error.
pub fn upstream_error_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let msg = v
        .pointer("/error/message")
        .or_else(|| v.get("message"))
        .or_else(|| v.get("detail"))
        .or_else(|| v.get("error").filter(|e| e.is_string()))?;
    msg.as_str()
        .map(|s| truncate(s.trim(), 300))
        .filter(|s| !s.is_empty())
}

/// Does `text` contain the secret or any 8-character piece of it? Providers echo keys in error
/// messages, whole or abbreviated (`sk-abc…wxyz`); such a message is never relayed.
pub fn mentions_secret(text: &str, secret: &str) -> bool {
    let s = secret.as_bytes();
    if s.is_empty() {
        return false;
    }
    let n = s.len().min(8);
    s.windows(n)
        .any(|w| text.as_bytes().windows(n).any(|t| t == w))
}

/// Map a non-2xx upstream answer to a stable error. The upstream's own message is relayed
/// (bounded) unless it mentions the provider key `secret`.
pub fn map_upstream_error(
    status: u16,
    body: &[u8],
    retry_after: Option<&str>,
    secret: Option<&str>,
) -> ApiError {
    let detail = upstream_error_message(body)
        .filter(|m| !secret.is_some_and(|k| mentions_secret(m, k)))
        .map(|m| format!(" Upstream said: {m}"))
        .unwrap_or_default();
    match status {
        401 | 403 => ApiError::new(
            ErrorCode::UpstreamAuthFailed,
            format!(
                "The model provider rejected the edge API's credentials (HTTP {status}). The operator must check the UPSTREAM_API_KEY secret."
            ),
        ),
        429 => {
            let e = ApiError::new(
                ErrorCode::UpstreamRateLimited,
                format!("The model provider is rate limiting this edge API. Wait and retry.{detail}"),
            );
            match retry_after.map(str::trim).filter(|r| !r.is_empty() && r.len() <= 40) {
                Some(r) => e.with_header("retry-after", r),
                None => e,
            }
        }
        400..=499 => {
            let mut e = ApiError::new(
                ErrorCode::UpstreamRejected,
                format!("The model server rejected the request (HTTP {status}); check the model and parameters.{detail}"),
            );
            e.status = status;
            e
        }
        _ => ApiError::new(
            ErrorCode::UpstreamError,
            format!("The model server failed (HTTP {status}). Retry later; if it persists, the operator must check the upstream.{detail}"),
        ),
    }
}

/// The error when `fetch` itself fails (refused, DNS, TLS, reset).
pub fn unreachable_error() -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamUnreachable,
        "The model server behind this edge API did not answer. Retry later; the operator must check that it is running and that UPSTREAM_URL points at it.",
    )
}

/// The error when `UPSTREAM_URL` is empty.
pub fn not_configured_error() -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamNotConfigured,
        "No model server is configured. The operator must set UPSTREAM_URL in wrangler.toml [vars] (or pass --var UPSTREAM_URL:... to wrangler dev).",
    )
}

/// The error when no response headers arrived within the provider's timeout.
pub fn timeout_error(timeout_ms: u64) -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamTimeout,
        format!("The model server did not start answering within {timeout_ms} ms. Retry later, or ask for fewer max_tokens."),
    )
}

/// The error when every provider for a model is skipped because its circuit is open.
pub fn circuit_open_error() -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamUnavailable,
        "The model provider is failing and is paused for a short while. Retry in about 30 seconds.",
    )
    .with_header("retry-after", "30")
}

/// One request to send upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamCall {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Build the upstream request for one target: the provider's wire format, its key, the model's
/// name at that provider.
pub fn build_call(
    provider: &Provider,
    upstream_model: &str,
    chat: &ChatRequest,
    client_headers: &[(String, String)],
    request_id: &str,
) -> Result<UpstreamCall, ApiError> {
    match provider.kind {
        ProviderKind::OpenAi => {
            let mut body = chat.body.clone();
            body.insert("model".into(), Value::String(upstream_model.to_string()));
            if chat.stream && !wants_stream_usage(&body) {
                // Ask for the final usage chunk so the daily budget is settled exactly; the
                // chunk is dropped on the way back (crate::stream_usage).
                let mut options = match body.remove("stream_options") {
                    Some(Value::Object(o)) => o,
                    _ => serde_json::Map::new(),
                };
                options.insert("include_usage".into(), Value::Bool(true));
                body.insert("stream_options".into(), Value::Object(options));
            }
            Ok(UpstreamCall {
                url: upstream_chat_url(&provider.base_url),
                headers: upstream_request_headers(
                    client_headers,
                    provider.api_key.as_ref(),
                    chat.stream,
                    request_id,
                ),
                body: Value::Object(body).to_string(),
            })
        }
        ProviderKind::Anthropic => {
            let body = anthropic::to_anthropic_request(
                &chat.body,
                upstream_model,
                chat.max_tokens,
                chat.stream,
            )?;
            Ok(UpstreamCall {
                url: format!("{}{}", provider.base_url, anthropic::MESSAGES_PATH),
                headers: anthropic::request_headers(
                    provider.api_key.as_ref().map(SecretString::expose),
                    chat.stream,
                ),
                body: body.to_string(),
            })
        }
    }
}

/// Check a non-streamed OpenAI answer is JSON and read its token counts.
pub fn openai_usage(body: &[u8]) -> Result<(u64, u64), ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            ErrorCode::UpstreamInvalidResponse,
            "The model server sent an answer that is not valid JSON. Retry; if it persists, the operator must check the upstream.",
        )
    })?;
    if !v.is_object() {
        return Err(ApiError::new(
            ErrorCode::UpstreamInvalidResponse,
            "The model server sent an answer that is not a chat completion object.",
        ));
    }
    Ok((
        v["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        v["usage"]["completion_tokens"].as_u64().unwrap_or(0),
    ))
}

/// Did the client ask for a usage chunk at the end of a stream?
pub fn wants_stream_usage(body: &serde_json::Map<String, Value>) -> bool {
    body.get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn secret(s: &str) -> SecretString {
        Config::from_lookup(|k| match k {
            "MODEL_ALIASES" => Some("m".into()),
            "UPSTREAM_URL" => Some("http://h".into()),
            "UPSTREAM_API_KEY" => Some(s.into()),
            _ => None,
        })
        .unwrap()
        .providers[0]
            .api_key
            .clone()
            .unwrap()
    }

    fn client_headers() -> Vec<(String, String)> {
        [
            ("Authorization", "Bearer client-token-must-not-leak"),
            ("Cookie", "session=abc"),
            ("X-Api-Key", "client-key"),
            ("Content-Type", "application/json"),
            ("CF-Connecting-IP", "203.0.113.9"),
            ("Origin", "http://localhost:8080"),
            ("Traceparent", "00-abc-def-01"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn get<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        h.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn client_authorization_is_never_forwarded() {
        let h = upstream_request_headers(&client_headers(), None, false, "req_1");
        assert!(get(&h, "authorization").is_empty(), "{h:?}");
        for (_, v) in &h {
            assert!(!v.contains("client-token-must-not-leak"));
            assert!(!v.contains("client-key"));
        }
        assert!(get(&h, "cookie").is_empty());
        assert!(get(&h, "x-api-key").is_empty());
        assert!(get(&h, "cf-connecting-ip").is_empty());
        assert!(get(&h, "origin").is_empty());
    }

    #[test]
    fn upstream_key_comes_only_from_the_secret() {
        let key = secret("sk-upstream");
        let h = upstream_request_headers(&client_headers(), Some(&key), true, "req_1");
        assert_eq!(get(&h, "authorization"), vec!["Bearer sk-upstream"]);
        assert_eq!(get(&h, "accept"), vec!["text/event-stream"]);
        assert_eq!(get(&h, "content-type"), vec!["application/json"]);
        assert_eq!(get(&h, "x-request-id"), vec!["req_1"]);
        assert_eq!(get(&h, "traceparent"), vec!["00-abc-def-01"]);
        // Each header appears once.
        let mut names: Vec<_> = h.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
    }

    #[test]
    fn chat_url() {
        assert_eq!(
            upstream_chat_url("http://127.0.0.1:18080"),
            "http://127.0.0.1:18080/v1/chat/completions"
        );
        assert_eq!(
            upstream_chat_url("https://h/openai/"),
            "https://h/openai/v1/chat/completions"
        );
    }

    #[test]
    fn passthrough_headers_are_filtered() {
        let up: Vec<(String, String)> = [
            ("Content-Type", "text/event-stream"),
            ("Set-Cookie", "x=y"),
            ("Server", "uvicorn"),
            ("x-ratelimit-remaining-tokens", "9"),
            ("openai-organization", "acme"),
            ("Content-Length", "12"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let h = passthrough_response_headers(&up, true);
        assert_eq!(get(&h, "content-type"), vec!["text/event-stream"]);
        assert_eq!(get(&h, "cache-control"), vec!["no-cache"]);
        assert_eq!(h.len(), 2, "{h:?}");
        let h = passthrough_response_headers(&[], false);
        assert_eq!(get(&h, "content-type"), vec!["application/json"]);
        assert!(get(&h, "cache-control").is_empty());
    }

    #[test]
    fn upstream_errors_map_to_stable_codes() {
        let body =
            br#"{"error":{"message":"context length exceeded","type":"invalid_request_error"}}"#;
        let e = map_upstream_error(400, body, None, None);
        assert_eq!(e.code, ErrorCode::UpstreamRejected);
        assert_eq!(e.status, 400);
        assert!(e.message.contains("context length exceeded"));
        let e = map_upstream_error(422, br#"{"detail":"bad field"}"#, None, None);
        assert_eq!((e.code, e.status), (ErrorCode::UpstreamRejected, 422));
        assert!(e.message.contains("bad field"));
        let e = map_upstream_error(401, b"{\"error\":\"invalid key sk-...\"}", None, None);
        assert_eq!((e.code, e.status), (ErrorCode::UpstreamAuthFailed, 502));
        assert!(e.message.contains("UPSTREAM_API_KEY"));
        assert!(
            !e.message.contains("sk-"),
            "the provider's auth message is not relayed"
        );
        let e = map_upstream_error(429, b"", Some("7"), None);
        assert_eq!((e.code, e.status), (ErrorCode::UpstreamRateLimited, 429));
        assert_eq!(e.headers, vec![("retry-after", "7".to_string())]);
        let e = map_upstream_error(503, b"<html>oops</html>", None, None);
        assert_eq!((e.code, e.status), (ErrorCode::UpstreamError, 502));
        assert!(!e.message.contains("html"));
        assert_eq!(unreachable_error().code.as_str(), "upstream_unreachable");
        assert_eq!(not_configured_error().status, 503);
    }

    #[test]
    fn an_upstream_message_that_echoes_the_key_is_not_relayed() {
        let key = "sk-live-0123456789abcdef";
        for echoed in [
            format!(r#"{{"error":{{"message":"bad request for key {key}"}}}}"#),
            // Abbreviated, as providers print keys.
            r#"{"error":{"message":"key sk-live-0123...cdef is not allowed this model"}}"#.into(),
            r#"{"error":{"message":"quota for 456789abcdef exceeded"}}"#.into(),
        ] {
            for status in [400, 404, 429, 500] {
                let e = map_upstream_error(status, echoed.as_bytes(), None, Some(key));
                assert!(!e.message.contains("0123"), "{status}: {}", e.message);
                assert!(!e.message.contains("cdef"), "{status}: {}", e.message);
                assert!(!e.message.contains("Upstream said"), "{}", e.message);
            }
        }
        // A message without the key is still relayed.
        let e = map_upstream_error(
            400,
            br#"{"error":{"message":"bad temperature"}}"#,
            None,
            Some(key),
        );
        assert!(e.message.contains("bad temperature"));
        assert!(!mentions_secret("anything", ""));
        assert!(mentions_secret("short k3y!", "k3y"));
    }

    #[test]
    fn upstream_message_extraction_is_bounded() {
        let long = format!("{{\"message\":\"{}\"}}", "a".repeat(1000));
        assert!(
            upstream_error_message(long.as_bytes())
                .unwrap()
                .chars()
                .count()
                <= 301
        );
        assert_eq!(upstream_error_message(b"not json"), None);
        assert_eq!(upstream_error_message(br#"{"error":{"code":1}}"#), None);
    }

    fn chat_cfg() -> Config {
        Config::from_lookup(|k| match k {
            "PROVIDERS" => Some(r#"[{"name":"local","url":"http://127.0.0.1:9/v1"},{"name":"claude","kind":"anthropic","url":"http://127.0.0.1:8","key_secret":"AK"}]"#.into()),
            "AK" => Some("sk-ant-k".into()),
            "MODELS" => Some(r#"[{"public":"m","provider":"local","upstream":"up-m","fallback":{"provider":"claude","upstream":"claude-x"}}]"#.into()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn calls_are_built_per_provider_kind() {
        let cfg = chat_cfg();
        let chat = crate::validate::parse_chat_request(
            br#"{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"max_tokens":9,"stream":true}"#,
            &cfg,
        )
        .unwrap();
        let t = cfg.model("m").unwrap().targets();
        let c = build_call(
            cfg.provider(&t[0].provider).unwrap(),
            &t[0].upstream,
            &chat,
            &client_headers(),
            "r",
        )
        .unwrap();
        assert_eq!(c.url, "http://127.0.0.1:9/v1/chat/completions");
        let b: serde_json::Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(b["model"], "up-m");
        assert_eq!(b["max_tokens"], 9);
        assert_eq!(
            b["stream_options"],
            serde_json::json!({"include_usage": true}),
            "a stream asks for the usage chunk so the budget settles exactly"
        );
        assert!(get(&c.headers, "authorization").is_empty());
        let c = build_call(
            cfg.provider(&t[1].provider).unwrap(),
            &t[1].upstream,
            &chat,
            &client_headers(),
            "r",
        )
        .unwrap();
        assert_eq!(c.url, "http://127.0.0.1:8/v1/messages");
        let b: serde_json::Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(b["model"], "claude-x");
        assert_eq!(b["system"], "s");
        assert_eq!(b["stream"], true);
        assert_eq!(get(&c.headers, "x-api-key"), vec!["sk-ant-k"]);
        assert!(get(&c.headers, "authorization").is_empty());
        for (_, v) in &c.headers {
            assert!(!v.contains("client-token-must-not-leak"));
        }
    }

    #[test]
    fn openai_fields_pass_through_and_stream_options_are_merged() {
        let cfg = chat_cfg();
        let body = br#"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"3"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto","response_format":{"type":"json_object"},"seed":7,"logit_bias":{"50256":-100},"stream":true,"stream_options":{"include_usage":false,"x":1}}"#;
        let chat = crate::validate::parse_chat_request(body, &cfg).unwrap();
        let t = cfg.model("m").unwrap().targets();
        let c = build_call(
            cfg.provider(&t[0].provider).unwrap(),
            &t[0].upstream,
            &chat,
            &[],
            "r",
        )
        .unwrap();
        let sent: Value = serde_json::from_str(&c.body).unwrap();
        let asked: Value = serde_json::from_slice(body).unwrap();
        for field in [
            "messages",
            "tools",
            "tool_choice",
            "response_format",
            "seed",
            "logit_bias",
        ] {
            assert_eq!(
                sent[field], asked[field],
                "{field} passes through unchanged"
            );
        }
        assert_eq!(
            sent["stream_options"],
            serde_json::json!({"include_usage": true, "x": 1})
        );
        // The same request to an Anthropic provider carries the tools in its own shape.
        let c = build_call(
            cfg.provider(&t[1].provider).unwrap(),
            &t[1].upstream,
            &chat,
            &[],
            "r",
        )
        .unwrap();
        let sent: Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(sent["tools"][0]["name"], "f");
        assert_eq!(sent["tool_choice"], serde_json::json!({"type": "auto"}));
        assert_eq!(sent["messages"][1]["content"][0]["type"], "tool_use");
        assert!(sent.get("stream_options").is_none());
        // What it cannot carry is refused cleanly, not half-translated.
        let mut legacy = chat.clone();
        legacy
            .body
            .insert("functions".into(), serde_json::json!([{"name": "f"}]));
        let e = build_call(
            cfg.provider(&t[1].provider).unwrap(),
            &t[1].upstream,
            &legacy,
            &[],
            "r",
        )
        .unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("not supported"), "{}", e.message);
    }

    #[test]
    fn usage_and_malformed_answers() {
        assert_eq!(
            openai_usage(br#"{"usage":{"prompt_tokens":3,"completion_tokens":4}}"#).unwrap(),
            (3, 4)
        );
        assert_eq!(openai_usage(br#"{"choices":[]}"#).unwrap(), (0, 0));
        let e = openai_usage(b"{\"choices\": [").unwrap_err();
        assert_eq!(
            (e.code, e.status),
            (ErrorCode::UpstreamInvalidResponse, 502)
        );
        assert!(openai_usage(b"[1]").is_err());
        assert_eq!(timeout_error(5).status, 504);
        assert_eq!(circuit_open_error().status, 503);
        let b = serde_json::json!({"stream_options": {"include_usage": true}});
        assert!(wants_stream_usage(b.as_object().unwrap()));
        assert!(!wants_stream_usage(&serde_json::Map::new()));
    }
}
