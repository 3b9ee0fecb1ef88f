//! Request orchestration (wasm32 only): the order of checks for each route, the limiter calls
//! and the daily-budget settlement. Every decision is made by the pure modules; this file only
//! sequences them and does the I/O.
//!
//! Latency matters here (issue 4: < 2 ms added): the parsed configuration is cached per isolate,
//! and the per-IP admit runs concurrently with reading the body, authorizing and the per-token
//! admit, so a chat request waits for one limiter round trip, not two.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::join;
use worker::{Context, Env, Request};

use crate::auth::{self, Principal};
use crate::config::Config;
use crate::cors::{self, CorsDecision};
use crate::errors::{ApiError, ErrorCode};
use crate::limits::{self, LimitOp, LimitReply};
use crate::log::RequestLog;
use crate::runtime::{self, Reply};
use crate::{limiter, meta, route, upstream, validate, Dispatch, Route};

thread_local! {
    /// The configuration, parsed once per isolate: vars and secrets are fixed for an isolate's
    /// lifetime (a deploy or `wrangler secret put` starts new isolates).
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

/// The parsed configuration (cached after the first successful parse; errors are not cached,
/// so they are reported on every request until fixed).
fn config(env: &Env) -> Result<Rc<Config>, ApiError> {
    if let Some(c) = CONFIG.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let c = Rc::new(runtime::load_config(env).map_err(|e| e.to_api_error())?);
    CONFIG.with(|slot| *slot.borrow_mut() = Some(c.clone()));
    Ok(c)
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
) -> Result<(), ApiError> {
    let op = LimitOp::Admit {
        limit,
        window_ms: cfg.rate_limit_window_ms,
        budget,
        reserve,
    };
    let reply = limiter::call(env, key, &op).await?;
    limits::check_admitted(&reply, who)
}

/// The per-IP admit as a future, started by the caller when it suits (it is lazy).
fn admit_ip<'a>(
    env: &'a Env,
    cfg: &'a Config,
    req: &Request,
) -> impl Future<Output = Result<(), ApiError>> + 'a {
    let ip = limits::ip_key(runtime::header(req, "cf-connecting-ip").as_deref());
    async move {
        if cfg.rate_limit_per_ip == 0 {
            return Ok(());
        }
        admit(
            env,
            cfg,
            &ip,
            cfg.rate_limit_per_ip,
            None,
            0,
            "your IP address",
        )
        .await
    }
}

/// Handle one request after CORS was decided; errors become JSON error replies in the entry.
#[allow(clippy::too_many_arguments)]
pub async fn handle(
    req: &mut Request,
    method: &str,
    path: &str,
    env: &Env,
    ctx: &Context,
    decision: &CorsDecision,
    request_id: &str,
    log: &mut RequestLog,
) -> Result<Reply, ApiError> {
    let dispatch = route(method, path)?;
    let r = match dispatch {
        Dispatch::Preflight(r) | Dispatch::Handle(r) => r,
    };
    if *decision == CorsDecision::Deny && (r.is_v1() || matches!(dispatch, Dispatch::Preflight(_)))
    {
        return Err(cors::origin_denied(
            &runtime::header(req, "origin").unwrap_or_default(),
        ));
    }
    if let Dispatch::Preflight(_) = dispatch {
        return Ok(Reply::empty(204));
    }
    let cfg = config(env)?;
    if r == Route::Health {
        return Ok(Reply::json(
            200,
            &meta::health_body(!cfg.providers.is_empty()),
        ));
    }
    // Every /v1 request counts against the caller's IP, whatever its token, so guessing tokens
    // is rate limited too. The IP verdict wins over any other error.
    let ip_gate = admit_ip(env, &cfg, req);
    let authorization = runtime::header(req, "authorization");
    if r == Route::Usage {
        ip_gate.await?;
        auth::authorize_admin(authorization.as_deref(), cfg.admin_sha256.as_ref())?;
        log.principal = Some("admin".into());
        return usage(env, &cfg).await;
    }
    let principal =
        match auth::authorize(authorization.as_deref(), &cfg.tokens, cfg.allow_anonymous) {
            Ok(p) => p,
            Err(e) => {
                ip_gate.await?;
                return Err(e);
            }
        };
    log.principal = Some(principal.log_label().to_string());
    match r {
        Route::Models => {
            let token_gate = async {
                match &principal {
                    Principal::Token(t) if cfg.rate_limit_per_token > 0 => {
                        let key = limits::token_key(&t.label);
                        admit(
                            env,
                            &cfg,
                            &key,
                            cfg.rate_limit_per_token,
                            None,
                            0,
                            "this token",
                        )
                        .await
                    }
                    _ => Ok(()),
                }
            };
            let (ip, token) = join(ip_gate, token_gate).await;
            ip?;
            token?;
            Ok(Reply::json(200, &meta::models_body(&cfg, &principal)))
        }
        Route::ChatCompletions => {
            chat(req, env, ctx, &cfg, &principal, ip_gate, request_id, log).await
        }
        Route::Health | Route::Usage => Err(ApiError::not_found(path)),
    }
}

/// Give a budget reservation back (or replace it by the real count) after the response.
fn settle(env: &Env, ctx: &Context, key: Option<&str>, reserved: u64, usage: (u64, u64)) {
    if let Some(key) = key {
        let env = env.clone();
        let key = key.to_string();
        let op = LimitOp::Settle {
            reserved,
            prompt_tokens: usage.0,
            completion_tokens: usage.1,
        };
        ctx.wait_until(async move {
            let _ = limiter::call(&env, &key, &op).await;
        });
    }
}

#[allow(clippy::too_many_arguments)]
async fn chat(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    cfg: &Config,
    principal: &Principal,
    ip_gate: impl Future<Output = Result<(), ApiError>>,
    request_id: &str,
    log: &mut RequestLog,
) -> Result<Reply, ApiError> {
    let token = match principal {
        Principal::Token(t) => Some(t),
        Principal::Anonymous => None,
    };
    let key = token.map(|t| limits::token_key(&t.label));
    let content_type = runtime::header(req, "content-type");
    let content_length = runtime::header(req, "content-length");
    // Read, validate and admit against the token while the IP admit is in flight.
    let prepared = async {
        validate::check_content_type(content_type.as_deref())?;
        validate::check_declared_length(content_length.as_deref(), cfg.max_body_bytes)?;
        let bytes = req.bytes().await.map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("The request body could not be read ({e})."),
            )
        })?;
        let chat = validate::parse_chat_request(&bytes, cfg)?;
        if let Some(t) = token {
            if !principal.may_use(&chat.model.public) {
                return Err(auth::model_forbidden(&t.label, &chat.model.public));
            }
            // Reserve max_tokens against the daily budget; the reservation is replaced by the
            // real count when the answer reports it.
            admit(
                env,
                cfg,
                key.as_deref().unwrap_or_default(),
                cfg.rate_limit_per_token,
                t.daily_token_budget,
                chat.max_tokens,
                "this token",
            )
            .await?;
        }
        Ok(chat)
    };
    let (ip, prepared) = join(ip_gate, prepared).await;
    if let Err(e) = ip {
        if let Ok(chat) = &prepared {
            settle(env, ctx, key.as_deref(), chat.max_tokens, (0, 0));
        }
        return Err(e);
    }
    let chat = prepared?;
    log.model = Some(chat.model.public.clone());
    log.stream = Some(chat.stream);
    let client_headers: Vec<(String, String)> = req.headers().entries().collect();
    match upstream::forward_chat(&chat, cfg, &client_headers, request_id, log).await {
        Ok(f) => {
            if let Some(u) = f.usage {
                log.prompt_tokens = Some(u.0);
                log.completion_tokens = Some(u.1);
                settle(env, ctx, key.as_deref(), chat.max_tokens, u);
            }
            if let (Some(later), Some(key)) = (f.usage_later, key) {
                // A stream: settle when it ends, from the usage in its final chunk. If the
                // client went away first the count is unknown and the reservation stands.
                let env = env.clone();
                let reserved = chat.max_tokens;
                ctx.wait_until(async move {
                    if let Ok(Some(usage)) = later.await {
                        let op = LimitOp::Settle {
                            reserved,
                            prompt_tokens: usage.0,
                            completion_tokens: usage.1,
                        };
                        let _ = limiter::call(&env, &key, &op).await;
                    }
                });
            }
            Ok(f.reply)
        }
        Err(e) => {
            // Nothing was generated: give the reservation back.
            settle(env, ctx, key.as_deref(), chat.max_tokens, (0, 0));
            Err(e)
        }
    }
}

/// `GET /v1/usage`: the counters of every configured token.
async fn usage(env: &Env, cfg: &Config) -> Result<Reply, ApiError> {
    let mut rows = Vec::new();
    for t in &cfg.tokens.entries {
        let reply = limiter::call(env, &limits::token_key(&t.label), &LimitOp::Read).await?;
        if let LimitReply::Usage { usage, day_tokens } = reply {
            rows.push(meta::usage_row(t, &usage, day_tokens));
        }
    }
    Ok(Reply::json(200, &meta::usage_body(rows)))
}
