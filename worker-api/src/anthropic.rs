//! The Anthropic Messages adapter: OpenAI chat completion requests in, Anthropic `POST
//! /v1/messages` out, and the answers (JSON or SSE) translated back to OpenAI's shapes.
//!
//! Pure functions; the Worker feeds the upstream's bytes to [`StreamTranslator`] as they arrive,
//! so a translated stream is still passed through chunk by chunk.

use serde_json::{json, Map, Value};

use crate::errors::{truncate, ApiError, ErrorCode};

/// Path of the Messages API under the provider's base URL.
pub const MESSAGES_PATH: &str = "/v1/messages";

fn unsupported(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRequest,
        format!("{what} is not supported for this model (its provider speaks Anthropic Messages); send plain text messages."),
    )
}

/// The text of an OpenAI message `content`: a string, or an array of `{"type":"text","text"}`
/// parts.
fn content_text(content: Option<&Value>, i: usize) -> Result<String, ApiError> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut out = String::new();
            for p in parts {
                match (p.get("type").and_then(Value::as_str), p.get("text")) {
                    (Some("text"), Some(Value::String(t))) => out.push_str(t),
                    (Some(kind), _) => {
                        return Err(unsupported(&format!(
                            "A {:?} content part (messages[{i}])",
                            truncate(kind, 30)
                        )))
                    }
                    _ => {
                        return Err(ApiError::new(
                            ErrorCode::InvalidRequest,
                            format!("messages[{i}].content has a part without \"type\"."),
                        ))
                    }
                }
            }
            Ok(out)
        }
        Some(_) => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("messages[{i}].content must be a string or an array of text parts."),
        )),
    }
}

/// A turn's content: a plain string when it is only text (the common case, and what older
/// Anthropic-compatible servers accept), otherwise the blocks with empty text blocks dropped
/// (Anthropic rejects those).
fn turn_content(blocks: Vec<Value>) -> Value {
    if blocks.iter().all(|b| b["type"] == "text") {
        let texts: Vec<&str> = blocks.iter().filter_map(|b| b["text"].as_str()).collect();
        return Value::String(texts.join("\n\n"));
    }
    Value::Array(
        blocks
            .into_iter()
            .filter(|b| !(b["type"] == "text" && b["text"].as_str().is_some_and(str::is_empty)))
            .collect(),
    )
}

/// An assistant message's OpenAI `tool_calls` as Anthropic `tool_use` blocks.
fn tool_uses(calls: Option<&Value>, i: usize) -> Result<Vec<Value>, ApiError> {
    let bad = |what: &str| {
        ApiError::new(
            ErrorCode::InvalidRequest,
            format!("messages[{i}].tool_calls: {what}"),
        )
    };
    let calls = match calls {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(c)) => c,
        Some(_) => return Err(bad("must be an array")),
    };
    calls
        .iter()
        .map(|c| {
            let id = c["id"]
                .as_str()
                .ok_or_else(|| bad("each call needs an \"id\""))?;
            let name = c["function"]["name"]
                .as_str()
                .ok_or_else(|| bad("each call needs function.name"))?;
            let args = c["function"]["arguments"].as_str().unwrap_or("{}");
            let input: Value =
                serde_json::from_str(if args.trim().is_empty() { "{}" } else { args })
                    .map_err(|_| bad("function.arguments must be a JSON object in a string"))?;
            Ok(json!({"type": "tool_use", "id": id, "name": name, "input": input}))
        })
        .collect()
}

/// OpenAI `tools` (functions) → Anthropic `tools`.
fn translate_tools(tools: &Value) -> Result<Value, ApiError> {
    let list = tools
        .as_array()
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest, "\"tools\" must be an array."))?;
    let mut out = Vec::new();
    for (i, t) in list.iter().enumerate() {
        if t["type"] != "function" {
            return Err(unsupported(&format!(
                "tools[{i}] of a type other than \"function\""
            )));
        }
        let f = &t["function"];
        let name = f["name"].as_str().ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("tools[{i}].function.name is missing."),
            )
        })?;
        let mut tool = json!({
            "name": name,
            "input_schema": f.get("parameters").filter(|p| p.is_object()).cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
        });
        if let Some(d) = f["description"].as_str() {
            tool["description"] = Value::String(d.to_string());
        }
        out.push(tool);
    }
    Ok(Value::Array(out))
}

/// OpenAI `tool_choice` → Anthropic `tool_choice` (`None` when absent).
fn translate_tool_choice(choice: Option<&Value>) -> Result<Option<Value>, ApiError> {
    Ok(Some(match choice {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => match s.as_str() {
            "auto" => json!({"type": "auto"}),
            "required" => json!({"type": "any"}),
            "none" => json!({"type": "none"}),
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "tool_choice {:?} is not one of auto, required, none.",
                        truncate(other, 30)
                    ),
                ))
            }
        },
        Some(v) => match v["function"]["name"].as_str() {
            Some(name) if v["type"] == "function" => json!({"type": "tool", "name": name}),
            _ => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    "tool_choice must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}.",
                ))
            }
        },
    }))
}

/// Translate a validated OpenAI chat body (model already rewritten to the upstream name, max
/// tokens already capped) into an Anthropic Messages body.
pub fn to_anthropic_request(
    body: &Map<String, Value>,
    upstream_model: &str,
    max_tokens: u64,
    stream: bool,
) -> Result<Value, ApiError> {
    if body.get("functions").is_some_and(|t| !t.is_null()) {
        return Err(unsupported(
            "The legacy \"functions\" field (use \"tools\")",
        ));
    }
    let msgs = body
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest, "\"messages\" is missing."))?;
    let mut system: Vec<String> = Vec::new();
    // Turns as (role, content blocks); Anthropic wants alternating turns, so consecutive
    // same-role messages (and consecutive tool results) are merged into one turn.
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str).unwrap_or("");
        let (turn_role, blocks) = match role {
            "system" | "developer" => {
                system.push(content_text(m.get("content"), i)?);
                continue;
            }
            "user" => (
                "user",
                vec![json!({"type": "text", "text": content_text(m.get("content"), i)?})],
            ),
            "assistant" => {
                let mut blocks =
                    vec![json!({"type": "text", "text": content_text(m.get("content"), i)?})];
                blocks.extend(tool_uses(m.get("tool_calls"), i)?);
                ("assistant", blocks)
            }
            "tool" => {
                let id = m
                    .get("tool_call_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::InvalidRequest,
                            format!("messages[{i}] (role tool) needs a string \"tool_call_id\"."),
                        )
                    })?;
                let text = content_text(m.get("content"), i)?;
                (
                    "user",
                    vec![json!({"type": "tool_result", "tool_use_id": id, "content": text})],
                )
            }
            "function" => return Err(unsupported("A legacy function result message")),
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "messages[{i}] has the unknown role {:?} (use system, user, assistant or tool).",
                        truncate(other, 30)
                    ),
                ))
            }
        };
        match turns.last_mut() {
            Some((r, b)) if *r == turn_role => b.extend(blocks),
            _ => turns.push((turn_role, blocks)),
        }
    }
    let mut messages: Vec<Value> = turns
        .into_iter()
        .map(|(role, blocks)| json!({"role": role, "content": turn_content(blocks)}))
        .collect();
    if messages.first().is_some_and(|m| m["role"] == "assistant") || messages.is_empty() {
        // Anthropic requires the conversation to start with a user turn.
        messages.insert(0, json!({"role": "user", "content": "(continue)"}));
    }
    let mut out = Map::new();
    out.insert("model".into(), Value::String(upstream_model.to_string()));
    out.insert("max_tokens".into(), Value::from(max_tokens));
    out.insert("messages".into(), Value::Array(messages));
    if !system.is_empty() {
        out.insert("system".into(), Value::String(system.join("\n\n")));
    }
    for key in ["temperature", "top_p", "top_k"] {
        if let Some(v) = body.get(key).filter(|v| v.is_number()) {
            out.insert(key.into(), v.clone());
        }
    }
    match body.get("stop") {
        Some(Value::String(s)) => {
            out.insert("stop_sequences".into(), json!([s]));
        }
        Some(Value::Array(a)) if !a.is_empty() => {
            out.insert("stop_sequences".into(), Value::Array(a.clone()));
        }
        _ => {}
    }
    if let Some(tools) = body.get("tools").filter(|t| !t.is_null()) {
        out.insert("tools".into(), translate_tools(tools)?);
    }
    let parallel = body.get("parallel_tool_calls").and_then(Value::as_bool);
    if let Some(mut choice) = translate_tool_choice(body.get("tool_choice"))? {
        if parallel == Some(false) && choice["type"] != "none" {
            choice["disable_parallel_tool_use"] = Value::Bool(true);
        }
        out.insert("tool_choice".into(), choice);
    } else if parallel == Some(false) && out.contains_key("tools") {
        out.insert(
            "tool_choice".into(),
            json!({"type": "auto", "disable_parallel_tool_use": true}),
        );
    }
    if let Some(Value::String(u)) = body.get("user") {
        out.insert("metadata".into(), json!({"user_id": truncate(u, 200)}));
    }
    if stream {
        out.insert("stream".into(), Value::Bool(true));
    }
    Ok(Value::Object(out))
}

/// Headers for an Anthropic request (the key goes in `x-api-key`).
pub fn request_headers(api_key: Option<&str>, stream: bool) -> Vec<(String, String)> {
    let mut h = vec![
        ("content-type".to_string(), "application/json".to_string()),
        (
            "anthropic-version".to_string(),
            crate::config::ANTHROPIC_VERSION.to_string(),
        ),
        (
            "accept".to_string(),
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            }
            .to_string(),
        ),
    ];
    if let Some(k) = api_key {
        h.push(("x-api-key".to_string(), k.to_string()));
    }
    h
}

/// Anthropic `stop_reason` → OpenAI `finish_reason`.
pub fn finish_reason(stop_reason: Option<&str>) -> Option<&'static str> {
    Some(match stop_reason? {
        "end_turn" | "stop_sequence" | "pause_turn" => "stop",
        "max_tokens" | "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    })
}

fn invalid_response(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamInvalidResponse,
        format!("The model provider sent an answer the edge API could not read ({what}). Retry; if it persists, the operator must check the provider."),
    )
}

/// Token counts of an answer: (prompt, completion).
pub type TokenCounts = (u64, u64);

/// Translate a non-streamed Anthropic answer into an OpenAI `chat.completion`.
pub fn from_anthropic_response(
    body: &[u8],
    public_model: &str,
    created_s: u64,
) -> Result<(Value, TokenCounts), ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| invalid_response("not JSON"))?;
    if v.get("type").and_then(Value::as_str) != Some("message") {
        return Err(invalid_response("not a message"));
    }
    let mut text = String::new();
    let mut thinking = String::new();
    let mut tool_calls: Vec<Value> = Vec::new();
    for block in v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_response("no content"))?
    {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("thinking") => {
                thinking.push_str(block.get("thinking").and_then(Value::as_str).unwrap_or(""))
            }
            Some("tool_use") => tool_calls.push(json!({
                "id": block["id"],
                "type": "function",
                "function": {"name": block["name"], "arguments": block["input"].to_string()},
            })),
            _ => {}
        }
    }
    let input = v["usage"]["input_tokens"].as_u64().unwrap_or(0);
    let output = v["usage"]["output_tokens"].as_u64().unwrap_or(0);
    let mut message = json!({"role": "assistant", "content": text});
    if !thinking.is_empty() {
        message["reasoning_content"] = Value::String(thinking);
    }
    if !tool_calls.is_empty() {
        if text.is_empty() {
            message["content"] = Value::Null;
        }
        message["tool_calls"] = Value::Array(tool_calls);
    }
    let id = v.get("id").and_then(Value::as_str).unwrap_or("msg");
    Ok((
        json!({
            "id": format!("chatcmpl-{id}"),
            "object": "chat.completion",
            "created": created_s,
            "model": public_model,
            "choices": [{
                "index": 0,
                "message": message,
                "finish_reason": finish_reason(v.get("stop_reason").and_then(Value::as_str)),
            }],
            "usage": {
                "prompt_tokens": input,
                "completion_tokens": output,
                "total_tokens": input + output,
            },
        }),
        (input, output),
    ))
}

/// Turns Anthropic SSE bytes into OpenAI `chat.completion.chunk` SSE bytes, incrementally.
#[derive(Debug, Clone)]
pub struct StreamTranslator {
    buf: Vec<u8>,
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
    /// Anthropic content block index of each tool call so far (position = OpenAI tool index).
    tool_blocks: Vec<u64>,
    /// Prompt and completion tokens reported so far.
    pub usage: TokenCounts,
    /// `[DONE]` was written.
    pub done: bool,
    /// The provider key: an in-stream error message that mentions it is not relayed.
    secret: Option<String>,
}

impl StreamTranslator {
    pub fn new(public_model: &str, created_s: u64, include_usage: bool) -> Self {
        StreamTranslator {
            buf: Vec::new(),
            id: "chatcmpl-anthropic".to_string(),
            model: public_model.to_string(),
            created: created_s,
            include_usage,
            tool_blocks: Vec::new(),
            usage: (0, 0),
            done: false,
            secret: None,
        }
    }

    /// Withhold in-stream error messages that mention `secret` (the provider key), as
    /// `map_upstream_error` does for error answers before the stream.
    pub fn with_secret(mut self, secret: Option<&str>) -> Self {
        self.secret = secret.map(str::to_string);
        self
    }

    fn chunk(&self, delta: Value, finish: Option<&str>) -> String {
        let c = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        });
        format!("data: {c}\n\n")
    }

    fn event(&mut self, data: &str, out: &mut String) {
        let Ok(v) = serde_json::from_str::<Value>(data) else {
            return;
        };
        match v.get("type").and_then(Value::as_str) {
            Some("message_start") => {
                if let Some(id) = v["message"]["id"].as_str() {
                    self.id = format!("chatcmpl-{}", truncate(id, 100));
                }
                self.usage.0 = v["message"]["usage"]["input_tokens"].as_u64().unwrap_or(0);
                self.usage.1 = v["message"]["usage"]["output_tokens"].as_u64().unwrap_or(0);
                out.push_str(&self.chunk(json!({"role": "assistant", "content": ""}), None));
            }
            Some("content_block_start") if v["content_block"]["type"] == "tool_use" => {
                let block = &v["content_block"];
                let index = self.tool_blocks.len();
                self.tool_blocks
                    .push(v["index"].as_u64().unwrap_or(u64::MAX));
                let call = json!({
                    "index": index,
                    "id": block["id"],
                    "type": "function",
                    "function": {"name": block["name"], "arguments": ""},
                });
                out.push_str(&self.chunk(json!({"tool_calls": [call]}), None));
            }
            Some("content_block_start") => {
                if let Some(t) = v["content_block"]["text"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                {
                    out.push_str(&self.chunk(json!({"content": t}), None));
                }
            }
            Some("content_block_delta") => {
                let d = &v["delta"];
                match d.get("type").and_then(Value::as_str) {
                    Some("text_delta") => {
                        let t = d["text"].as_str().unwrap_or("");
                        out.push_str(&self.chunk(json!({"content": t}), None));
                    }
                    Some("input_json_delta") => {
                        let block = v["index"].as_u64().unwrap_or(u64::MAX);
                        if let Some(index) = self.tool_blocks.iter().position(|b| *b == block) {
                            let part = d["partial_json"].as_str().unwrap_or("");
                            let call = json!({"index": index, "function": {"arguments": part}});
                            out.push_str(&self.chunk(json!({"tool_calls": [call]}), None));
                        }
                    }
                    Some("thinking_delta") => {
                        let t = d["thinking"].as_str().unwrap_or("");
                        out.push_str(&self.chunk(json!({"reasoning_content": t}), None));
                    }
                    _ => {}
                }
            }
            Some("message_delta") => {
                if let Some(o) = v["usage"]["output_tokens"].as_u64() {
                    self.usage.1 = o;
                }
                if let Some(i) = v["usage"]["input_tokens"].as_u64() {
                    self.usage.0 = i;
                }
                let fr = finish_reason(v["delta"]["stop_reason"].as_str()).unwrap_or("stop");
                out.push_str(&self.chunk(json!({}), Some(fr)));
            }
            Some("message_stop") => {
                if self.include_usage {
                    let u = json!({
                        "id": self.id,
                        "object": "chat.completion.chunk",
                        "created": self.created,
                        "model": self.model,
                        "choices": [],
                        "usage": {
                            "prompt_tokens": self.usage.0,
                            "completion_tokens": self.usage.1,
                            "total_tokens": self.usage.0 + self.usage.1,
                        },
                    });
                    out.push_str(&format!("data: {u}\n\n"));
                }
                out.push_str("data: [DONE]\n\n");
                self.done = true;
            }
            Some("error") => {
                let mut msg = v["error"]["message"].as_str().unwrap_or("stream failed");
                if self
                    .secret
                    .as_deref()
                    .is_some_and(|key| crate::proxy::mentions_secret(msg, key))
                {
                    msg = "(its message was withheld: it quoted the provider key)";
                }
                let e = json!({"error": {
                    "code": ErrorCode::UpstreamError.as_str(),
                    "message": format!("The model provider failed mid-stream: {}", truncate(msg, 300)),
                    "type": "upstream_error",
                }});
                out.push_str(&format!("data: {e}\n\ndata: [DONE]\n\n"));
                self.done = true;
            }
            // ping, content_block_stop, unknown future events.
            _ => {}
        }
    }

    /// Feed bytes as they arrive; returns the OpenAI SSE bytes ready to send.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.buf.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            if self.done {
                self.buf.clear();
                break;
            }
            let Some((end, sep)) = find_event_end(&self.buf) else {
                break;
            };
            let raw: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&raw[..end]);
            let data: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                self.event(&data.join("\n"), &mut out);
            }
        }
        out.into_bytes()
    }

    /// The upstream ended: flush, and if it ended without `message_stop`, say so to the client.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = self.feed(b"\n\n");
        if !self.done {
            let e = json!({"error": {
                "code": ErrorCode::UpstreamError.as_str(),
                "message": "The model provider's stream ended early. Retry the request.",
                "type": "upstream_error",
            }});
            out.extend_from_slice(format!("data: {e}\n\ndata: [DONE]\n\n").as_bytes());
            self.done = true;
        }
        out
    }
}

/// End of the first SSE event in `buf`: (index of the blank line, its length).
pub(crate) fn find_event_end(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 1 < buf.len() {
        if buf[i] == b'\n' && buf[i + 1] == b'\n' {
            return Some((i, 2));
        }
        if i + 3 < buf.len() && &buf[i..i + 4] == b"\r\n\r\n" {
            return Some((i, 4));
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn request_translation() {
        let b = body(json!({
            "model": "ignored",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]},
                {"role": "user", "content": "again"},
                {"role": "assistant", "content": "Hi"},
                {"role": "user", "content": "Solve it"}
            ],
            "temperature": 0.2,
            "stop": "END",
            "user": "u1",
            "stream_options": {"include_usage": true},
            "max_tokens": 50
        }));
        let a = to_anthropic_request(&b, "claude-3-5-haiku-latest", 50, true).unwrap();
        assert_eq!(a["model"], "claude-3-5-haiku-latest");
        assert_eq!(a["max_tokens"], 50);
        assert_eq!(a["system"], "Be brief.");
        assert_eq!(a["temperature"], 0.2);
        assert_eq!(a["stop_sequences"], json!(["END"]));
        assert_eq!(a["metadata"]["user_id"], "u1");
        assert_eq!(a["stream"], true);
        assert!(a.get("stream_options").is_none());
        assert_eq!(
            a["messages"],
            json!([
                {"role": "user", "content": "Hello there\n\nagain"},
                {"role": "assistant", "content": "Hi"},
                {"role": "user", "content": "Solve it"}
            ])
        );
        let a = to_anthropic_request(&b, "m", 10, false).unwrap();
        assert!(a.get("stream").is_none());
    }

    #[test]
    fn tools_and_tool_calls_translate_both_ways() {
        let b = body(json!({
            "messages": [
                {"role": "user", "content": "Next move?"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "place", "arguments": "{\"row\":1}"}},
                    {"id": "call_2", "type": "function", "function": {"name": "place", "arguments": ""}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
                {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "bad"}]},
                {"role": "user", "content": "Go on"}
            ],
            "tools": [{"type": "function", "function": {"name": "place", "description": "Place a digit", "parameters": {"type": "object", "properties": {"row": {"type": "integer"}}}}},
                      {"type": "function", "function": {"name": "undo"}}],
            "tool_choice": {"type": "function", "function": {"name": "place"}},
            "parallel_tool_calls": false
        }));
        let a = to_anthropic_request(&b, "m", 10, false).unwrap();
        assert_eq!(
            a["messages"],
            json!([
                {"role": "user", "content": "Next move?"},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "call_1", "name": "place", "input": {"row": 1}},
                    {"type": "tool_use", "id": "call_2", "name": "place", "input": {}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": "ok"},
                    {"type": "tool_result", "tool_use_id": "call_2", "content": "bad"},
                    {"type": "text", "text": "Go on"}
                ]}
            ])
        );
        assert_eq!(
            a["tools"],
            json!([
                {"name": "place", "description": "Place a digit", "input_schema": {"type": "object", "properties": {"row": {"type": "integer"}}}},
                {"name": "undo", "input_schema": {"type": "object", "properties": {}}}
            ])
        );
        assert_eq!(
            a["tool_choice"],
            json!({"type": "tool", "name": "place", "disable_parallel_tool_use": true})
        );
        for (choice, want) in [("auto", "auto"), ("required", "any"), ("none", "none")] {
            let mut b = b.clone();
            b.insert("tool_choice".into(), json!(choice));
            b.remove("parallel_tool_calls");
            let a = to_anthropic_request(&b, "m", 10, false).unwrap();
            assert_eq!(a["tool_choice"], json!({"type": want}));
        }

        // The answer: a tool_use block becomes an OpenAI tool call.
        let answer = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "c",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "place", "input": {"row": 1, "col": 2}}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 6}
        });
        let (v, _) = from_anthropic_response(answer.to_string().as_bytes(), "pub", 1).unwrap();
        let m = &v["choices"][0]["message"];
        assert_eq!(m["content"], Value::Null);
        assert_eq!(m["tool_calls"][0]["id"], "toolu_1");
        assert_eq!(m["tool_calls"][0]["function"]["name"], "place");
        let args: Value = serde_json::from_str(
            m["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(args, json!({"row": 1, "col": 2}));
        assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    }

    #[test]
    fn streamed_tool_calls_become_openai_tool_call_deltas() {
        let events = [
            json!({"type": "message_start", "message": {"id": "m", "usage": {"input_tokens": 3, "output_tokens": 1}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Placing."}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_9", "name": "place", "input": {}}}),
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"row\":"}}),
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "4}"}}),
            json!({"type": "content_block_stop", "index": 1}),
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 12}}),
            json!({"type": "message_stop"}),
        ];
        let sse: String = events
            .iter()
            .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
            .collect();
        let mut t = StreamTranslator::new("pub", 1, false);
        let mut out = t.feed(sse.as_bytes());
        out.extend(t.finish());
        let chunks: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter(|d| *d != "[DONE]")
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        let calls: Vec<&Value> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"].get("tool_calls"))
            .collect();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0][0]["id"], "toolu_9");
        assert_eq!(calls[0][0]["function"]["name"], "place");
        assert_eq!(calls[0][0]["index"], 0);
        let args: String = calls
            .iter()
            .map(|c| c[0]["function"]["arguments"].as_str().unwrap())
            .collect();
        assert_eq!(args, "{\"row\":4}");
        assert_eq!(
            chunks.last().unwrap()["choices"][0]["finish_reason"],
            "tool_calls"
        );
        assert_eq!(t.usage, (3, 12));
    }

    #[test]
    fn request_translation_rejects_what_it_cannot_carry() {
        let img = body(
            json!({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}),
        );
        let e = to_anthropic_request(&img, "m", 10, false).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("image_url"));
        let functions =
            body(json!({"messages": [{"role": "user", "content": "x"}], "functions": []}));
        assert_eq!(
            to_anthropic_request(&functions, "m", 1, false)
                .unwrap_err()
                .status,
            400
        );
        let web = body(
            json!({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "web_search"}]}),
        );
        assert!(to_anthropic_request(&web, "m", 1, false).is_err());
        let no_id = body(json!({"messages": [{"role": "tool", "content": "x"}]}));
        assert!(to_anthropic_request(&no_id, "m", 1, false).is_err());
        let bad_args = body(
            json!({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}}]}]}),
        );
        assert!(to_anthropic_request(&bad_args, "m", 1, false).is_err());
        let bad_choice = body(
            json!({"messages": [{"role": "user", "content": "x"}], "tool_choice": "sometimes"}),
        );
        assert!(to_anthropic_request(&bad_choice, "m", 1, false).is_err());
        // A conversation that starts with the assistant gets a user turn first.
        let a = to_anthropic_request(
            &body(json!({"messages": [{"role": "assistant", "content": "x"}]})),
            "m",
            1,
            false,
        )
        .unwrap();
        assert_eq!(a["messages"][0]["role"], "user");
    }

    #[test]
    fn headers_carry_the_key_only_in_x_api_key() {
        let h = request_headers(Some("sk-ant"), true);
        assert!(h.contains(&("x-api-key".into(), "sk-ant".into())));
        assert!(h.contains(&("anthropic-version".into(), "2023-06-01".into())));
        assert!(!h.iter().any(|(k, _)| k == "authorization"));
    }

    // Recorded shape of a Messages API answer (docs.anthropic.com, "Messages" examples).
    const MESSAGE: &str = r#"{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",
      "content":[{"type":"thinking","thinking":"Row 1 lacks 2.","signature":"abc"},{"type":"text","text":"ROW: 1 COL: 2 VALUE: 2"}],
      "model":"claude-3-5-haiku-20241022","stop_reason":"end_turn","stop_sequence":null,
      "usage":{"input_tokens":25,"output_tokens":12}}"#;

    #[test]
    fn response_translation() {
        let (v, usage) =
            from_anthropic_response(MESSAGE.as_bytes(), "smart", 1_700_000_000).unwrap();
        assert_eq!(usage, (25, 12));
        assert_eq!(v["object"], "chat.completion");
        assert_eq!(v["id"], "chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL");
        assert_eq!(v["model"], "smart");
        assert_eq!(v["created"], 1_700_000_000u64);
        assert_eq!(
            v["choices"][0]["message"]["content"],
            "ROW: 1 COL: 2 VALUE: 2"
        );
        assert_eq!(
            v["choices"][0]["message"]["reasoning_content"],
            "Row 1 lacks 2."
        );
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
        assert_eq!(v["usage"]["total_tokens"], 37);
        assert_eq!(
            from_anthropic_response(b"{oops", "m", 0).unwrap_err().code,
            ErrorCode::UpstreamInvalidResponse
        );
        assert!(from_anthropic_response(br#"{"type":"error"}"#, "m", 0).is_err());
        assert_eq!(finish_reason(Some("max_tokens")), Some("length"));
        assert_eq!(finish_reason(Some("tool_use")), Some("tool_calls"));
        assert_eq!(finish_reason(None), None);
    }

    // Recorded shape of a Messages streaming answer (docs.anthropic.com, "Streaming Messages").
    const STREAM: &str = "event: message_start\n\
data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-3-5-haiku-20241022\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n\
event: content_block_start\n\
data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Check row 1.\"}}\n\n\
event: content_block_stop\n\
data: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
event: ping\n\
data: {\"type\": \"ping\"}\n\n\
event: content_block_start\n\
data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n\
event: content_block_delta\n\
data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\" wörld\"}}\n\n\
event: content_block_stop\n\
data: {\"type\":\"content_block_stop\",\"index\":1}\n\n\
event: message_delta\n\
data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n\
event: message_stop\n\
data: {\"type\":\"message_stop\"}\n\n";

    fn data_lines(out: &[u8]) -> Vec<String> {
        String::from_utf8(out.to_vec())
            .unwrap()
            .split("\n\n")
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_prefix("data: ").unwrap().to_string())
            .collect()
    }

    #[test]
    fn stream_translation_whole() {
        let mut t = StreamTranslator::new("smart", 7, true);
        let mut out = t.feed(STREAM.as_bytes());
        out.extend(t.finish());
        let lines = data_lines(&out);
        assert_eq!(lines.last().unwrap(), "[DONE]");
        let chunks: Vec<Value> = lines[..lines.len() - 1]
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk"));
        assert!(chunks
            .iter()
            .all(|c| c["model"] == "smart" && c["created"] == 7));
        assert_eq!(
            chunks[0]["id"],
            "chatcmpl-msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY"
        );
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(
            chunks[1]["choices"][0]["delta"]["reasoning_content"],
            "Check row 1."
        );
        let text: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(text, "Hello wörld");
        let finish = &chunks[chunks.len() - 2];
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        let usage = &chunks[chunks.len() - 1];
        assert_eq!(usage["choices"], json!([]));
        assert_eq!(usage["usage"]["prompt_tokens"], 25);
        assert_eq!(usage["usage"]["completion_tokens"], 15);
        assert_eq!(t.usage, (25, 15));
        assert!(t.done);
    }

    #[test]
    fn stream_translation_is_independent_of_chunk_boundaries() {
        let mut whole = StreamTranslator::new("m", 1, false);
        let mut expected = whole.feed(STREAM.as_bytes());
        expected.extend(whole.finish());
        // Byte by byte (splitting UTF-8 sequences too) and with CRLF line ends.
        for input in [STREAM.to_string(), STREAM.replace('\n', "\r\n")] {
            let mut t = StreamTranslator::new("m", 1, false);
            let mut out = Vec::new();
            for b in input.as_bytes() {
                out.extend(t.feed(std::slice::from_ref(b)));
            }
            out.extend(t.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected.clone()).unwrap()
            );
        }
        // Without include_usage there is no usage chunk.
        assert!(!String::from_utf8(expected).unwrap().contains("\"usage\""));
    }

    #[test]
    fn stream_errors_and_early_end_are_reported_in_band() {
        let mut t = StreamTranslator::new("m", 1, false);
        let out = t.feed(b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        let lines = data_lines(&out);
        assert!(lines[0].contains("Overloaded"));
        assert_eq!(lines[1], "[DONE]");
        let mut t = StreamTranslator::new("m", 1, false);
        let mut out = t.feed(
            STREAM
                .split("event: message_delta")
                .next()
                .unwrap()
                .as_bytes(),
        );
        out.extend(t.finish());
        let lines = data_lines(&out);
        assert!(lines[lines.len() - 2].contains("ended early"));
        assert_eq!(lines.last().unwrap(), "[DONE]");
    }

    /// Regression: the error event inside an Anthropic stream was relayed to the client
    /// without the key check that upstream error answers get.
    #[test]
    fn regression_in_stream_error_relayed_the_provider_key() {
        let key = "sk-ant-api03-abcdefghijklmnop";
        let event = format!(
            "event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"bad key {key}\"}}}}\n\n"
        );
        let mut t = StreamTranslator::new("m", 1, false).with_secret(Some(key));
        let out = String::from_utf8(t.feed(event.as_bytes())).unwrap();
        assert!(!out.contains("sk-ant"), "{out}");
        assert!(out.contains("withheld") && out.contains("[DONE]"), "{out}");
        let mut plain = StreamTranslator::new("m", 1, false).with_secret(Some(key));
        let out = String::from_utf8(plain.feed(
            b"event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"Overloaded\"}}\n\n",
        ))
        .unwrap();
        assert!(out.contains("Overloaded"), "{out}");
    }
}
