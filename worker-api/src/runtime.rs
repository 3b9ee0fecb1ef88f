//! Glue between the pure modules and the Workers runtime (wasm32 only): reading vars and
//! headers, and turning a [`Reply`] into a `worker::Response`.

use worker::js_sys::{Math, Reflect};
use worker::wasm_bindgen::JsValue;
use worker::{Env, Headers, Request, Response, ResponseBody};

use crate::config::{Config, ConfigError};
use crate::errors::ApiError;

/// A response before CORS and request-id headers are added.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

impl Reply {
    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: ResponseBody::Body(value.to_string().into_bytes()),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ResponseBody::Empty,
        }
    }

    pub fn error(e: &ApiError) -> Reply {
        let mut headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("cache-control".to_string(), "no-store".to_string()),
        ];
        headers.extend(e.headers.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Reply {
            status: e.status,
            headers,
            body: ResponseBody::Body(e.to_json().into_bytes()),
        }
    }
}

/// Build the final response: the reply's headers, then CORS headers and `x-request-id`.
pub fn into_response(
    reply: Reply,
    cors: &[(&'static str, String)],
    request_id: &str,
) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in &reply.headers {
        headers.set(k, v)?;
    }
    for (k, v) in cors {
        headers.set(k, v)?;
    }
    headers.set("x-request-id", request_id)?;
    Ok(Response::builder()
        .with_status(reply.status)
        .with_headers(headers)
        .body(reply.body))
}

/// A `[vars]` value or secret as a string. Non-string vars (a TOML number or boolean such as
/// `MAX_TOKENS_CAP = 512`) are converted rather than ignored.
pub fn var(env: &Env, name: &str) -> Option<String> {
    let v = Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
    if let Some(s) = v.as_string() {
        Some(s)
    } else if let Some(n) = v.as_f64() {
        Some(if n.fract() == 0.0 && n.abs() < 9e15 {
            format!("{}", n as i64)
        } else {
            n.to_string()
        })
    } else {
        v.as_bool().map(|b| b.to_string())
    }
}

pub fn load_config(env: &Env) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| var(env, name))
}

pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// A fresh request id (64 bits from `Math.random`; ids need uniqueness, not secrecy).
pub fn new_request_id() -> String {
    let hi = (Math::random() * 4_294_967_296.0) as u64;
    let lo = (Math::random() * 4_294_967_296.0) as u64;
    crate::log::format_request_id((hi << 32) | lo)
}
