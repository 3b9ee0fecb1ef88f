//! Machine Dream edge API: a Cloudflare Worker that serves OpenAI-compatible chat completions
//! by forwarding them to a configured upstream, so provider keys stay in Worker secrets and
//! never reach a browser.
//!
//! This file holds only the module list and (on wasm32) the fetch entry; [`routes`] is the
//! routing table and `handler` sequences the checks for each route. All decisions live in pure
//! modules that `cargo test -p worker-api` tests natively:
//! [`config`], [`cors`], [`auth`], [`validate`], [`proxy`], [`errors`], [`log`], [`meta`],
//! [`routes`].

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
pub mod routes;
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
