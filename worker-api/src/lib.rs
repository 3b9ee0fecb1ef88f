//! Machine Dream edge API: a Cloudflare Worker that serves OpenAI-compatible chat completions
//! by forwarding them to a configured upstream, so provider keys stay in Worker secrets and
//! never reach a browser.
//!
//! This file holds only the routing table and (on wasm32) the fetch entry. All decisions live
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
pub mod validate;

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

/// The Worker's fetch entry (wasm32 only).
#[cfg(target_arch = "wasm32")]
mod entry {
    use worker::{event, Context, Date, Env, Request, Response, Result};

    use crate::auth::{self, Principal};
    use crate::config::Config;
    use crate::cors::{self, AllowedOrigins, CorsDecision};
    use crate::errors::ApiError;
    use crate::limits::{self, LimitOp, LimitReply};
    use crate::log::{sanitize_request_id, RequestLog};
    use crate::runtime::{self, Reply};
    use crate::{config, limiter, meta, route, upstream, validate, Dispatch, Route};

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
        let started = Date::now().as_millis();
        let header = |req: &Request, name: &str| req.headers().get(name).ok().flatten();
        let request_id = sanitize_request_id(header(&req, "x-request-id").as_deref())
            .unwrap_or_else(runtime::new_request_id);
        let method = req.method().to_string();
        let path = req.path();
        let mut log = RequestLog::new(&request_id, &method, &path);

        // CORS is decided before anything else so that error responses carry CORS headers too
        // (a browser can then read the JSON error). ALLOWED_ORIGINS parsing cannot fail.
        let allowed = AllowedOrigins::parse(
            &runtime::var(&env, config::vars::ALLOWED_ORIGINS).unwrap_or_default(),
        );
        let origin = header(&req, "origin");
        let decision = cors::decide(origin.as_deref(), &allowed);

        let outcome = handle(
            &mut req,
            &env,
            &ctx,
            &method,
            &path,
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

    /// Count a request against a limiter key (no-op when the limit is off and nothing is
    /// reserved against a budget).
    async fn admit(
        env: &Env,
        cfg: &Config,
        key: &str,
        limit: u64,
        budget: Option<u64>,
        reserve: u64,
        who: &str,
    ) -> std::result::Result<(), ApiError> {
        let op = LimitOp::Admit {
            limit,
            window_ms: cfg.rate_limit_window_ms,
            budget,
            reserve,
        };
        let reply = limiter::call(env, key, &op).await?;
        limits::check_admitted(&reply, who)
    }

    #[allow(clippy::too_many_arguments)]
    async fn handle(
        req: &mut Request,
        env: &Env,
        ctx: &Context,
        method: &str,
        path: &str,
        decision: &CorsDecision,
        request_id: &str,
        log: &mut RequestLog,
    ) -> std::result::Result<Reply, ApiError> {
        let dispatch = route(method, path)?;
        let r = match dispatch {
            Dispatch::Preflight(r) | Dispatch::Handle(r) => r,
        };
        if *decision == CorsDecision::Deny
            && (r.is_v1() || matches!(dispatch, Dispatch::Preflight(_)))
        {
            return Err(cors::origin_denied(
                &runtime::header(req, "origin").unwrap_or_default(),
            ));
        }
        if let Dispatch::Preflight(_) = dispatch {
            return Ok(Reply::empty(204));
        }
        let cfg = runtime::load_config(env).map_err(|e| e.to_api_error())?;
        if r == Route::Health {
            return Ok(Reply::json(
                200,
                &meta::health_body(!cfg.providers.is_empty()),
            ));
        }
        // Every /v1 request counts against the caller's IP first, before the token is checked,
        // so guessing tokens is rate limited too.
        if cfg.rate_limit_per_ip > 0 {
            let ip = limits::ip_key(runtime::header(req, "cf-connecting-ip").as_deref());
            admit(
                env,
                &cfg,
                &ip,
                cfg.rate_limit_per_ip,
                None,
                0,
                "your IP address",
            )
            .await?;
        }
        let authorization = runtime::header(req, "authorization");
        if r == Route::Usage {
            auth::authorize_admin(authorization.as_deref(), cfg.admin_sha256.as_ref())?;
            log.principal = Some("admin".into());
            return usage(env, &cfg).await;
        }
        let principal =
            auth::authorize(authorization.as_deref(), &cfg.tokens, cfg.allow_anonymous)?;
        log.principal = Some(principal.log_label().to_string());
        match r {
            Route::Models => {
                if let Principal::Token(t) = &principal {
                    if cfg.rate_limit_per_token > 0 {
                        admit(
                            env,
                            &cfg,
                            &limits::token_key(&t.label),
                            cfg.rate_limit_per_token,
                            None,
                            0,
                            "this token",
                        )
                        .await?;
                    }
                }
                Ok(Reply::json(200, &meta::models_body(&cfg, &principal)))
            }
            Route::ChatCompletions => chat(req, env, ctx, &cfg, &principal, request_id, log).await,
            Route::Health | Route::Usage => Err(ApiError::not_found(path)),
        }
    }

    async fn chat(
        req: &mut Request,
        env: &Env,
        ctx: &Context,
        cfg: &Config,
        principal: &Principal,
        request_id: &str,
        log: &mut RequestLog,
    ) -> std::result::Result<Reply, ApiError> {
        validate::check_content_type(runtime::header(req, "content-type").as_deref())?;
        validate::check_declared_length(
            runtime::header(req, "content-length").as_deref(),
            cfg.max_body_bytes,
        )?;
        let bytes = req.bytes().await.map_err(|e| {
            ApiError::new(
                crate::errors::ErrorCode::InvalidRequest,
                format!("The request body could not be read ({e})."),
            )
        })?;
        let chat = validate::parse_chat_request(&bytes, cfg)?;
        log.model = Some(chat.model.public.clone());
        log.stream = Some(chat.stream);
        let token = match principal {
            Principal::Token(t) => {
                if !principal.may_use(&chat.model.public) {
                    return Err(auth::model_forbidden(&t.label, &chat.model.public));
                }
                Some(t)
            }
            Principal::Anonymous => None,
        };
        // Reserve max_tokens against the daily budget; the reservation is replaced by the real
        // count when the answer reports it.
        let key = token.map(|t| limits::token_key(&t.label));
        if let (Some(t), Some(key)) = (token, key.as_deref()) {
            admit(
                env,
                cfg,
                key,
                cfg.rate_limit_per_token,
                t.daily_token_budget,
                chat.max_tokens,
                "this token",
            )
            .await?;
        }
        let client_headers: Vec<(String, String)> = req.headers().entries().collect();
        let forwarded = upstream::forward_chat(&chat, cfg, &client_headers, request_id, log).await;
        let settle = |usage: (u64, u64)| {
            if let Some(key) = key.clone() {
                let env = env.clone();
                let op = LimitOp::Settle {
                    reserved: chat.max_tokens,
                    prompt_tokens: usage.0,
                    completion_tokens: usage.1,
                };
                ctx.wait_until(async move {
                    let _ = limiter::call(&env, &key, &op).await;
                });
            }
        };
        match forwarded {
            Ok(f) => {
                if let Some(u) = f.usage {
                    log.prompt_tokens = Some(u.0);
                    log.completion_tokens = Some(u.1);
                    settle(u);
                }
                Ok(f.reply)
            }
            Err(e) => {
                // Nothing was generated: give the reservation back.
                settle((0, 0));
                Err(e)
            }
        }
    }

    /// `GET /v1/usage`: the counters of every configured token.
    async fn usage(env: &Env, cfg: &Config) -> std::result::Result<Reply, ApiError> {
        let mut rows = Vec::new();
        for t in &cfg.tokens.entries {
            let reply = limiter::call(env, &limits::token_key(&t.label), &LimitOp::Read).await?;
            if let LimitReply::Usage { usage, day_tokens } = reply {
                rows.push(meta::usage_row(t, &usage, day_tokens));
            }
        }
        Ok(Reply::json(200, &meta::usage_body(rows)))
    }
}
