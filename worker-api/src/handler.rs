//! Request orchestration (wasm32 only): the order of checks for each route, the limiter calls
//! and the daily-budget settlement. Every decision is made by the pure modules; this file only
//! sequences them and does the I/O.
//!
//! Latency matters here (the target is < 2 ms added to every model call, which
//! `cargo xtask bench-edge` measures): the parsed configuration is cached per isolate,
//! the per-IP admit runs concurrently with reading the body, authorizing and the per-token
//! admit, and rate-limit checks far below their limits are decided on [`Credit`] without waiting
//! for the limiter at all (the limiter still counts every request, in the background).

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::join;
use worker::{Context, Delay, Env, Request};

use crate::auth::{self, Principal};
use crate::config::Config;
use crate::cors::{self, CorsDecision};
use crate::errors::{ApiError, ErrorCode};
use crate::limits::{self, credit_applies, Begin, Credit, CreditUse, LimitOp, LimitReply};
use crate::log::RequestLog;
use crate::routes::{route, Dispatch, Route};
use crate::runtime::{self, Reply};
use crate::{limiter, meta, upstream, validate};

thread_local! {
    /// The configuration, parsed once per isolate: vars and secrets are fixed for an isolate's
    /// lifetime (a deploy or `wrangler secret put` starts new isolates).
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
    /// Rate-limit credit per limiter key, per isolate.
    static CREDITS: RefCell<HashMap<String, Credit>> = RefCell::new(HashMap::new());
}

/// Keys remembered before idle ones are dropped (one per client IP seen by this isolate).
const MAX_CREDIT_KEYS: usize = 10_000;

/// The parsed configuration (cached after the first successful parse; errors are not cached,
/// so they are reported on every request until fixed).
fn config(env: &Env) -> Result<Rc<Config>, ApiError> {
    if let Some(c) = CONFIG.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let c = Rc::new(runtime::load_config(env).map_err(|e| {
        // The reason is for the operator's log only; clients get the variable's name.
        worker::console_error!("config_invalid: {e}");
        e.to_api_error()
    })?);
    CONFIG.with(|slot| *slot.borrow_mut() = Some(c.clone()));
    Ok(c)
}

/// How long requests admitted on credit are gathered before one `Count` reports them.
const FLUSH_MS: u64 = 250;

fn with_credit<T>(key: &str, f: impl FnOnce(&mut Credit) -> T) -> T {
    CREDITS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CREDIT_KEYS && !c.contains_key(key) {
            // Forget keys with nothing pending; dropping their credit only makes them wait.
            c.retain(|_, v| v.in_flight + v.waiting > 0 || v.has_unsent());
        }
        f(c.entry(key.to_string()).or_default())
    })
}

/// Report the requests admitted on credit for `key` in one `Count`, a moment after the first.
fn schedule_flush(env: &Env, ctx: &Context, key: &str, limit: u64, window_ms: u64) {
    let env = env.clone();
    let key = key.to_string();
    ctx.wait_until(async move {
        Delay::from(std::time::Duration::from_millis(FLUSH_MS)).await;
        let (n, tokens) = with_credit(&key, Credit::take_batch);
        if n == 0 && tokens == (0, 0) {
            return; // a waiting request carried them
        }
        let op = LimitOp::Count {
            n,
            limit,
            window_ms,
            prompt_tokens: tokens.0,
            completion_tokens: tokens.1,
        };
        let reply = limiter::call(&env, &key, &op).await.ok();
        with_credit(&key, |c| c.observe(reply.as_ref(), false, n));
    });
}

/// Count a request against a limiter key. Decided on [`Credit`] when that is safe (reported to
/// the limiter shortly after, in a batch), otherwise by waiting for the limiter.
#[allow(clippy::too_many_arguments)]
async fn admit(
    env: &Env,
    ctx: &Context,
    cfg: &Config,
    key: &str,
    limit: u64,
    budget: Option<u64>,
    reserve: u64,
    who: &str,
) -> Result<(), ApiError> {
    let window_ms = cfg.rate_limit_window_ms;
    let begin = match credit_applies(limit, budget) {
        CreditUse::Always => Begin::Credit {
            flush: with_credit(key, Credit::count_only),
        },
        CreditUse::IfAvailable => with_credit(key, |c| c.begin(true)),
        CreditUse::Never => with_credit(key, |c| c.begin(false)),
    };
    let credited = match begin {
        Begin::Credit { flush } => {
            if flush {
                schedule_flush(env, ctx, key, limit, window_ms);
            }
            return Ok(());
        }
        Begin::Wait { credited } => credited,
    };
    let op = LimitOp::Admit {
        limit,
        window_ms,
        budget,
        reserve,
        credited,
    };
    let reply = limiter::call(env, key, &op).await;
    with_credit(key, |c| c.observe(reply.as_ref().ok(), true, credited));
    limits::check_admitted(&reply?, who)
}

/// The per-IP admit as a future, started by the caller when it suits (it is lazy).
fn admit_ip<'a>(
    env: &'a Env,
    ctx: &'a Context,
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
            ctx,
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
    let ip_gate = admit_ip(env, ctx, &cfg, req);
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
                            ctx,
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
fn settle(
    env: &Env,
    ctx: &Context,
    cfg: &Config,
    key: Option<&str>,
    reserved: u64,
    usage: (u64, u64),
) {
    if let Some(key) = key {
        if reserved == 0 {
            // Nothing reserved, nothing to give back: the tokens go with the next batch.
            if usage != (0, 0) && with_credit(key, |c| c.add_tokens(usage.0, usage.1)) {
                let limit = cfg.rate_limit_per_token;
                schedule_flush(env, ctx, key, limit, cfg.rate_limit_window_ms);
            }
            return;
        }
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
    // Only a token with a budget reserves max_tokens up front (and so must wait for the
    // limiter); otherwise the settlement simply adds the real count to the day's tokens.
    let has_budget = token.is_some_and(|t| t.daily_token_budget.is_some());
    let reservation = |max_tokens: u64| if has_budget { max_tokens } else { 0 };
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
                ctx,
                cfg,
                key.as_deref().unwrap_or_default(),
                cfg.rate_limit_per_token,
                t.daily_token_budget,
                reservation(chat.max_tokens),
                "this token",
            )
            .await?;
        }
        Ok(chat)
    };
    let (ip, prepared) = join(ip_gate, prepared).await;
    if let Err(e) = ip {
        if let Ok(chat) = &prepared {
            settle(
                env,
                ctx,
                cfg,
                key.as_deref(),
                reservation(chat.max_tokens),
                (0, 0),
            );
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
                settle(
                    env,
                    ctx,
                    cfg,
                    key.as_deref(),
                    reservation(chat.max_tokens),
                    u,
                );
            }
            if let (Some(later), Some(key)) = (f.usage_later, key) {
                // A stream: settle when it ends, from the usage in its final chunk. If the
                // client went away first the count is unknown and the reservation stands.
                let env = env.clone();
                let reserved = reservation(chat.max_tokens);
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
            settle(
                env,
                ctx,
                cfg,
                key.as_deref(),
                reservation(chat.max_tokens),
                (0, 0),
            );
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
