//! Validation of `POST /v1/chat/completions` requests, as pure functions.
//!
//! Order of checks in the Worker: [`check_content_type`] and [`check_declared_length`] on the
//! headers (before the body is read), then [`parse_chat_request`] on the bytes (which checks
//! the real size again, since `Content-Length` may be absent or wrong).

use serde_json::{Map, Value};

use crate::config::{Config, ModelRoute};
use crate::errors::{ApiError, ErrorCode};

/// A chat request that passed validation, ready to forward.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The JSON object to send upstream: `model` rewritten to the upstream name, token limits capped.
    pub body: Map<String, Value>,
    pub stream: bool,
    pub model: ModelRoute,
    /// The effective `max_tokens` (or `max_completion_tokens`) after capping.
    pub max_tokens: u64,
}

impl ChatRequest {
    /// The body as JSON text.
    pub fn body_json(&self) -> String {
        Value::Object(self.body.clone()).to_string()
    }
}

/// `Content-Type` must be `application/json` (parameters such as `charset=utf-8` are fine).
pub fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let media = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/json") => Ok(()),
        other => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Send the request body as JSON with the header Content-Type: application/json (got {}).",
                match other {
                    None | Some("") => "no Content-Type".to_string(),
                    Some(m) => crate::errors::truncate(m, 60),
                }
            ),
        )),
    }
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        ErrorCode::BodyTooLarge,
        format!(
            "The request body is larger than this edge API accepts ({max} bytes). Shorten the conversation (fewer or shorter messages)."
        ),
    )
}

/// Reject early when `Content-Length` already says the body is too large. An unparsable
/// `Content-Length` is ignored here: the real size is checked after reading.
pub fn check_declared_length(content_length: Option<&str>, max: usize) -> Result<(), ApiError> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(n) if n > max as u64 => Err(too_large(max)),
        _ => Ok(()),
    }
}

/// The real body size.
pub fn check_body_size(len: usize, max: usize) -> Result<(), ApiError> {
    if len > max {
        Err(too_large(max))
    } else {
        Ok(())
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, message)
}

/// Parse and check the body; rewrite `model` to the upstream name and cap the token limit.
pub fn parse_chat_request(body: &[u8], cfg: &Config) -> Result<ChatRequest, ApiError> {
    check_body_size(body.len(), cfg.max_body_bytes)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidJson,
            format!("The request body is not valid JSON ({e}). Send an OpenAI-style chat completion object."),
        )
    })?;
    let Value::Object(mut obj) = value else {
        return Err(ApiError::new(
            ErrorCode::InvalidJson,
            "The request body must be a JSON object such as {\"model\":\"...\",\"messages\":[...]}.",
        ));
    };

    // messages: a non-empty array of objects with a string role.
    match obj.get("messages") {
        Some(Value::Array(msgs)) if msgs.len() > cfg.max_messages => {
            return Err(invalid(format!(
                "The conversation has {} messages; this edge API accepts at most {}. Drop older messages.",
                msgs.len(),
                cfg.max_messages
            )))
        }
        Some(Value::Array(msgs)) if !msgs.is_empty() => {
            for (i, m) in msgs.iter().enumerate() {
                match m.get("role") {
                    Some(Value::String(r)) if !r.is_empty() => {}
                    _ => {
                        return Err(invalid(format!(
                            "messages[{i}] must be an object with a string \"role\" (system, user or assistant) and \"content\"."
                        )))
                    }
                }
            }
        }
        Some(Value::Array(_)) => {
            return Err(invalid("\"messages\" is empty; send at least one message, e.g. {\"role\":\"user\",\"content\":\"...\"}."))
        }
        Some(_) => return Err(invalid("\"messages\" must be an array of {\"role\",\"content\"} objects.")),
        None => return Err(invalid("\"messages\" is missing; send an array of {\"role\",\"content\"} objects.")),
    }

    // stream: optional boolean (null means false).
    let stream = match obj.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid("\"stream\" must be true or false.")),
    };

    // model: optional (the default model is used); otherwise a public name from MODEL_ALIASES.
    let model = match obj.get("model") {
        None | Some(Value::Null) => cfg.default_model().cloned(),
        Some(Value::String(name)) => cfg.model(name).cloned(),
        Some(_) => return Err(invalid("\"model\" must be a string; see GET /v1/models.")),
    }
    .ok_or_else(|| {
        let asked = obj.get("model").and_then(Value::as_str).unwrap_or("");
        let offered: Vec<&str> = cfg.models.iter().map(|m| m.public.as_str()).collect();
        ApiError::new(
            ErrorCode::ModelNotAllowed,
            format!(
                "Model {:?} is not offered by this edge API. Use one of: {} (see GET /v1/models).",
                crate::errors::truncate(asked, 100),
                offered.join(", ")
            ),
        )
    })?;
    obj.insert("model".into(), Value::String(model.upstream.clone()));

    // Token limits: cap whichever is present; if none is, impose the cap as max_tokens.
    let cap = u64::from(cfg.max_tokens_cap);
    let mut effective = None;
    for key in ["max_tokens", "max_completion_tokens"] {
        match obj.get(key) {
            None => {}
            Some(Value::Null) => {
                obj.remove(key);
            }
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 => {
                    let capped = n.min(cap);
                    obj.insert(key.into(), Value::from(capped));
                    effective = Some(effective.map_or(capped, |e: u64| e.min(capped)));
                }
                _ => {
                    return Err(invalid(format!(
                        "\"{key}\" must be a whole number of at least 1 (at most {cap} here)."
                    )))
                }
            },
        }
    }
    let max_tokens = match effective {
        Some(n) => n,
        None => {
            obj.insert("max_tokens".into(), Value::from(cap));
            cap
        }
    };

    Ok(ChatRequest {
        body: obj,
        stream,
        model,
        max_tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use serde_json::json;

    fn cfg() -> Config {
        Config::from_lookup(|k| match k {
            "MODEL_ALIASES" => Some("smollm2-135m-instruct=SmolLM2-Q4,tiny".into()),
            "MAX_BODY_BYTES" => Some("400".into()),
            "MAX_TOKENS_CAP" => Some("100".into()),
            "MAX_MESSAGES" => Some("3".into()),
            _ => None,
        })
        .unwrap()
    }

    fn parse(v: Value) -> Result<ChatRequest, ApiError> {
        parse_chat_request(v.to_string().as_bytes(), &cfg())
    }

    fn code(r: Result<ChatRequest, ApiError>) -> &'static str {
        r.unwrap_err().code.as_str()
    }

    #[test]
    fn content_type() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        let e = check_content_type(Some("application/x-www-form-urlencoded")).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedMediaType);
        assert_eq!(e.status, 415);
        assert!(e.message.contains("Content-Type: application/json"));
        assert!(check_content_type(None)
            .unwrap_err()
            .message
            .contains("no Content-Type"));
        assert!(check_content_type(Some("text/plain")).is_err());
    }

    #[test]
    fn body_size() {
        assert!(check_declared_length(Some("400"), 400).is_ok());
        assert_eq!(
            check_declared_length(Some("401"), 400).unwrap_err().code,
            ErrorCode::BodyTooLarge
        );
        assert!(check_declared_length(Some("junk"), 400).is_ok());
        assert!(check_declared_length(None, 400).is_ok());
        let big = json!({"messages":[{"role":"user","content":"x".repeat(500)}]});
        let e = parse(big).unwrap_err();
        assert_eq!(e.code, ErrorCode::BodyTooLarge);
        assert_eq!(e.status, 413);
    }

    #[test]
    fn bad_json() {
        let e = parse_chat_request(b"{not json", &cfg()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidJson);
        assert_eq!(e.status, 400);
        assert_eq!(
            parse_chat_request(b"[1,2]", &cfg()).unwrap_err().code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            parse_chat_request(b"", &cfg()).unwrap_err().code,
            ErrorCode::InvalidJson
        );
    }

    #[test]
    fn messages_must_be_non_empty_array_of_roles() {
        assert_eq!(code(parse(json!({}))), "invalid_request");
        assert_eq!(code(parse(json!({"messages": []}))), "invalid_request");
        assert_eq!(code(parse(json!({"messages": "hi"}))), "invalid_request");
        assert_eq!(
            code(parse(json!({"messages": [{"content": "hi"}]}))),
            "invalid_request"
        );
        assert_eq!(code(parse(json!({"messages": [1]}))), "invalid_request");
        assert!(parse(json!({"messages": [{"role": "user", "content": "hi"}]})).is_ok());
    }

    #[test]
    fn model_alias_is_rewritten_and_default_applies() {
        let r = parse(json!({"model": "smollm2-135m-instruct", "messages": [{"role": "user", "content": "hi"}]})).unwrap();
        assert_eq!(r.body["model"], "SmolLM2-Q4");
        assert_eq!(r.model.public, "smollm2-135m-instruct");
        let r = parse(json!({"messages": [{"role": "user", "content": "hi"}]})).unwrap();
        assert_eq!(r.body["model"], "SmolLM2-Q4");
        let r = parse(json!({"model": "tiny", "messages": [{"role": "user", "content": "hi"}]}))
            .unwrap();
        assert_eq!(r.body["model"], "tiny");
        let e = parse(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ModelNotAllowed);
        assert!(e.message.contains("smollm2-135m-instruct"));
        // The upstream name is not itself a public name.
        assert!(parse(
            json!({"model": "SmolLM2-Q4", "messages": [{"role": "user", "content": "x"}]})
        )
        .is_err());
        assert_eq!(
            code(parse(
                json!({"model": 3, "messages": [{"role": "user", "content": "x"}]})
            )),
            "invalid_request"
        );
    }

    #[test]
    fn max_tokens_is_capped_or_imposed() {
        let m = json!([{"role": "user", "content": "hi"}]);
        let r = parse(json!({"messages": m, "max_tokens": 5000})).unwrap();
        assert_eq!(r.body["max_tokens"], 100);
        assert_eq!(r.max_tokens, 100);
        let r = parse(json!({"messages": m, "max_tokens": 20})).unwrap();
        assert_eq!(r.body["max_tokens"], 20);
        let r = parse(json!({"messages": m})).unwrap();
        assert_eq!(r.body["max_tokens"], 100);
        let r = parse(json!({"messages": m, "max_tokens": null})).unwrap();
        assert_eq!(r.body["max_tokens"], 100);
        let r = parse(json!({"messages": m, "max_completion_tokens": 999})).unwrap();
        assert_eq!(r.body["max_completion_tokens"], 100);
        assert!(r.body.get("max_tokens").is_none());
        assert_eq!(
            code(parse(json!({"messages": m, "max_tokens": 0}))),
            "invalid_request"
        );
        assert_eq!(
            code(parse(json!({"messages": m, "max_tokens": -1}))),
            "invalid_request"
        );
        assert_eq!(
            code(parse(json!({"messages": m, "max_tokens": 1.5}))),
            "invalid_request"
        );
        assert_eq!(
            code(parse(json!({"messages": m, "max_tokens": "10"}))),
            "invalid_request"
        );
    }

    #[test]
    fn stream_flag_and_other_fields_pass_through() {
        let m = json!([{"role": "user", "content": "hi"}]);
        let r = parse(json!({"messages": m, "stream": true, "temperature": 0.2, "response_format": {"type": "json_object"}})).unwrap();
        assert!(r.stream);
        assert_eq!(r.body["temperature"], 0.2);
        assert_eq!(r.body["response_format"]["type"], "json_object");
        let back: Value = serde_json::from_str(&r.body_json()).unwrap();
        assert_eq!(back["stream"], true);
        assert!(
            !parse(json!({"messages": m, "stream": null}))
                .unwrap()
                .stream
        );
        assert_eq!(
            code(parse(json!({"messages": m, "stream": "yes"}))),
            "invalid_request"
        );
    }

    #[test]
    fn message_count_is_capped() {
        let one = json!({"role": "user", "content": "x"});
        assert!(parse(json!({"messages": [one, one, one]})).is_ok());
        let e = parse(json!({"messages": [one, one, one, one]})).unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::InvalidRequest, 400));
        assert!(e.message.contains("at most 3"));
    }
}
