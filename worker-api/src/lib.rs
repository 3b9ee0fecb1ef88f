//! Machine Dream edge API: a Cloudflare Worker that serves OpenAI-compatible chat completions
//! by forwarding them to a configured upstream, so provider keys stay in Worker secrets and
//! never reach a browser.
//!
//! This file holds only the routing table and (on wasm32) the fetch entry; `handler` sequences
//! the checks for each route. All decisions live
//! in pure modules that `cargo test -p worker-api` tests natively:
//! [`config`], [`cors`], [`auth`], [`validate`], [`proxy`], [`errors`], [`log`], [`meta`].

pub mod anthropic;
pub mod auth;
pub mod config;
pub mod cors;
pub mod errors;
pub mod limits;
pub mod log;
pub mod meta;
pub mod proxy;
pub mod resilience;
pub mod stream_usage;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod handler;
#[cfg(target_arch = "wasm32")]
mod limiter;
#[cfg(target_arch = "wasm32")]
mod runtime;
#[cfg(target_arch = "wasm32")]
mod upstream;

#[cfg(target_arch = "wasm32")]
pub use limiter::Limiter;

use errors::ApiError;

/// The API's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`
    Health,
    /// `GET /v1/models`
    Models,
    /// `POST /v1/chat/completions`
    ChatCompletions,
    /// `GET /v1/usage` (admin token)
    Usage,
}

impl Route {
    /// The value of `Allow` for this path.
    pub fn allow(self) -> &'static str {
        match self {
            Route::Health | Route::Models | Route::Usage => "GET, OPTIONS",
            Route::ChatCompletions => "POST, OPTIONS",
        }
    }

    /// `/v1` routes need authorization and an allowed origin.
    pub fn is_v1(self) -> bool {
        matches!(self, Route::Models | Route::ChatCompletions | Route::Usage)
    }
}

/// What the entry should do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// An `OPTIONS` (CORS preflight) for a known path.
    Preflight(Route),
    /// A request for a route with its method.
    Handle(Route),
}

/// Route by method and path: unknown path → 404, known path with the wrong method → 405.
pub fn route(method: &str, path: &str) -> Result<Dispatch, ApiError> {
    let r = match path {
        "/health" => Route::Health,
        "/v1/models" => Route::Models,
        "/v1/chat/completions" => Route::ChatCompletions,
        "/v1/usage" => Route::Usage,
        _ => return Err(ApiError::not_found(path)),
    };
    let m = method.to_ascii_uppercase();
    match (r, m.as_str()) {
        (_, "OPTIONS") => Ok(Dispatch::Preflight(r)),
        (Route::Health | Route::Models | Route::Usage, "GET")
        | (Route::ChatCompletions, "POST") => Ok(Dispatch::Handle(r)),
        _ => Err(ApiError::method_not_allowed(&m, path, r.allow())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorCode;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/health"), Ok(Dispatch::Handle(Route::Health)));
        assert_eq!(
            route("GET", "/v1/models"),
            Ok(Dispatch::Handle(Route::Models))
        );
        assert_eq!(
            route("POST", "/v1/chat/completions"),
            Ok(Dispatch::Handle(Route::ChatCompletions))
        );
        assert_eq!(
            route("OPTIONS", "/v1/chat/completions"),
            Ok(Dispatch::Preflight(Route::ChatCompletions))
        );
        assert_eq!(
            route("options", "/health"),
            Ok(Dispatch::Preflight(Route::Health))
        );
    }

    #[test]
    fn unknown_path_is_404_and_wrong_method_is_405() {
        for p in [
            "/",
            "/v1",
            "/v1/chat/completions/",
            "/v1/completions",
            "/HEALTH",
        ] {
            let e = route("GET", p).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotFound, "{p}");
            assert_eq!(e.status, 404);
        }
        let e = route("GET", "/v1/chat/completions").unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::MethodNotAllowed, 405));
        assert_eq!(e.headers, vec![("allow", "POST, OPTIONS".to_string())]);
        let e = route("POST", "/health").unwrap_err();
        assert_eq!(e.headers, vec![("allow", "GET, OPTIONS".to_string())]);
        assert_eq!(route("DELETE", "/v1/models").unwrap_err().status, 405);
        // An unknown path wins over the method: OPTIONS on it is still 404.
        assert_eq!(route("OPTIONS", "/nope").unwrap_err().status, 404);
    }

    #[test]
    fn v1_flags() {
        assert!(!Route::Health.is_v1());
        assert!(Route::Models.is_v1());
        assert!(Route::ChatCompletions.is_v1());
        assert!(Route::Usage.is_v1());
        assert_eq!(
            route("GET", "/v1/usage"),
            Ok(Dispatch::Handle(Route::Usage))
        );
        assert_eq!(route("POST", "/v1/usage").unwrap_err().status, 405);
    }
}

/// The Worker's fetch entry (wasm32 only): request id, CORS, then [`handler::handle`], then the
/// log line.
#[cfg(target_arch = "wasm32")]
mod entry {
    use worker::{event, Context, Date, Env, Request, Response, Result};

    use crate::config;
    use crate::cors::{self, AllowedOrigins};
    use crate::handler;
    use crate::log::{sanitize_request_id, RequestLog};
    use crate::runtime::{self, Reply};

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
        let started = Date::now().as_millis();
        let request_id = sanitize_request_id(runtime::header(&req, "x-request-id").as_deref())
            .unwrap_or_else(runtime::new_request_id);
        let method = req.method().to_string();
        let path = req.path();
        let mut log = RequestLog::new(&request_id, &method, &path);

        // CORS is decided before anything else so that error responses carry CORS headers too
        // (a browser can then read the JSON error). ALLOWED_ORIGINS parsing cannot fail.
        let allowed = AllowedOrigins::parse(
            &runtime::var(&env, config::vars::ALLOWED_ORIGINS).unwrap_or_default(),
        );
        let origin = runtime::header(&req, "origin");
        let decision = cors::decide(origin.as_deref(), &allowed);

        let outcome = handler::handle(
            &mut req,
            &method,
            &path,
            &env,
            &ctx,
            &decision,
            &request_id,
            &mut log,
        )
        .await;
        let reply = match outcome {
            Ok(r) => r,
            Err(e) => {
                log.error_code = Some(e.code.as_str());
                Reply::error(&e)
            }
        };
        log.status = reply.status;
        let preflight = method.eq_ignore_ascii_case("OPTIONS") && reply.status < 300;
        let cors_headers = if preflight {
            cors::preflight_headers(&decision)
        } else {
            cors::response_headers(&decision)
        };
        let response = runtime::into_response(reply, &cors_headers, &request_id);
        log.latency_ms = Date::now().as_millis().saturating_sub(started);
        worker::console_log!("{}", log.to_json_line());
        response
    }
}
