//! Sending a validated chat request upstream (wasm32 only): providers in order (primary, then
//! fallback), retries with backoff and jitter before the first byte, a timeout on the response
//! headers, a circuit breaker per provider, and the answer passed back as a stream (OpenAI) or
//! translated (Anthropic). Every decision is made by the pure modules ([`crate::resilience`],
//! [`crate::proxy`], [`crate::anthropic`]); this file only does the I/O.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use futures_util::{Stream, StreamExt};
use wasm_bindgen::JsValue;
use worker::js_sys::Math;
use worker::{
    AbortController, Date, Delay, Fetch, Headers, Method, Request, RequestInit, Response,
};

use crate::anthropic::{self, StreamTranslator};
use crate::config::{Config, Provider, ProviderKind, SecretString};
use crate::errors::{truncate, ApiError, ErrorCode};
use crate::log::RequestLog;
use crate::proxy::{
    build_call, circuit_open_error, map_upstream_error, openai_usage, passthrough_response_headers,
    timeout_error, unreachable_error, wants_stream_usage,
};
use crate::resilience::{parse_retry_after, Attempt, Breaker};
use crate::runtime::Reply;
use crate::stream_usage::UsageTap;
use crate::validate::ChatRequest;

thread_local! {
    /// Circuit state per provider, per isolate (each Worker isolate learns on its own).
    static BREAKERS: RefCell<HashMap<String, Breaker>> = RefCell::new(HashMap::new());
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}

fn internal(what: &str, e: worker::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("The edge API failed to {what} ({e}). Retry; if it persists, report it."),
    )
}

/// Where a stream's token counts arrive once it has ended.
pub type UsageLater = oneshot::Receiver<Option<(u64, u64)>>;

/// What the chat route hands back: the reply, and the token counts if they are known now
/// (`usage`) or once a stream has ended (`usage_later`; `Ok(None)` if the stream carried no
/// usage, `Err` if it was cut off, e.g. by the client going away).
pub struct Forwarded {
    pub reply: Reply,
    pub usage: Option<(u64, u64)>,
    pub usage_later: Option<UsageLater>,
}

/// Aborts the upstream fetch when dropped before [`AbortOnDrop::disarm`]: a stream body that is
/// dropped early (the client disconnected) must not leave the upstream generating.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// A byte transformer for a streamed answer: `feed` per upstream chunk, `finish` at the end, and
/// the token counts once finished.
trait StreamStage: 'static {
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8>;
    fn finish(&mut self) -> Vec<u8>;
    fn usage(&self) -> Option<(u64, u64)>;
}

impl StreamStage for UsageTap {
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        UsageTap::feed(self, bytes)
    }
    fn finish(&mut self) -> Vec<u8> {
        UsageTap::finish(self)
    }
    fn usage(&self) -> Option<(u64, u64)> {
        self.usage
    }
}

impl StreamStage for StreamTranslator {
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        StreamTranslator::feed(self, bytes)
    }
    fn finish(&mut self) -> Vec<u8> {
        StreamTranslator::finish(self)
    }
    fn usage(&self) -> Option<(u64, u64)> {
        self.done.then_some(self.usage)
    }
}

/// Run the upstream body through `stage` chunk by chunk (nothing is buffered beyond a partial
/// event). When the upstream ends, the usage goes to the returned receiver. If the body is
/// dropped first (client disconnect), the upstream fetch is aborted and the receiver sees the
/// sender dropped.
fn staged_body(
    resp: &mut Response,
    stage: impl StreamStage,
    abort: AbortOnDrop,
) -> Result<(worker::ResponseBody, UsageLater), ApiError> {
    let upstream = resp
        .stream()
        .map_err(|e| internal("read the upstream stream", e))?;
    let (tx, rx) = oneshot::channel();
    struct Run<S> {
        stage: S,
        abort: AbortOnDrop,
        tx: Option<oneshot::Sender<Option<(u64, u64)>>>,
    }
    let run = Run {
        stage,
        abort,
        tx: Some(tx),
    };
    // A final `None` item flushes the stage and reports the usage.
    let chunks = upstream
        .map(Some)
        .chain(futures_util::stream::once(async { None }))
        .scan(run, |run, item| {
            let out: Result<Vec<u8>, worker::Error> = match item {
                Some(Ok(bytes)) => Ok(run.stage.feed(&bytes)),
                Some(Err(_)) | None => {
                    let last = run.stage.finish();
                    run.abort.disarm();
                    if let Some(tx) = run.tx.take() {
                        let _ = tx.send(run.stage.usage());
                    }
                    Ok(last)
                }
            };
            async move { Some(out) }
        })
        .filter(|r| {
            let keep = !matches!(r, Ok(b) if b.is_empty());
            async move { keep }
        });
    let body = into_body(chunks)?;
    Ok((body, rx))
}

fn into_body(
    chunks: impl Stream<Item = Result<Vec<u8>, worker::Error>> + 'static,
) -> Result<worker::ResponseBody, ApiError> {
    let r = Response::from_stream(chunks).map_err(|e| internal("start the stream", e))?;
    Ok(r.into_parts().1)
}

enum Sent {
    Response(Response, AbortController),
    ConnectError(String),
    Timeout,
}

async fn send_once(
    url: &str,
    headers: &[(String, String)],
    body: &str,
    timeout_ms: u64,
) -> Result<Sent, ApiError> {
    let h = Headers::new();
    for (k, v) in headers {
        h.set(k, v)
            .map_err(|e| internal("build the upstream request", e))?;
    }
    let controller = AbortController::default();
    let signal = controller.signal();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(h)
        .with_body(Some(JsValue::from_str(body)));
    let req = Request::new_with_init(url, &init)
        .map_err(|e| internal("build the upstream request", e))?;
    let fetch = Fetch::Request(req);
    let sending = Box::pin(fetch.send_with_signal(&signal));
    let timer = Delay::from(std::time::Duration::from_millis(timeout_ms));
    let sent = match select(sending, timer).await {
        Either::Left((Ok(resp), _)) => Sent::Response(resp, controller),
        Either::Left((Err(e), _)) => Sent::ConnectError(truncate(&e.to_string(), 200)),
        Either::Right(((), _)) => {
            controller.abort();
            Sent::Timeout
        }
    };
    Ok(sent)
}

/// Send the request to the model's providers and produce the client's reply.
pub async fn forward_chat(
    chat: &ChatRequest,
    cfg: &Config,
    client_headers: &[(String, String)],
    request_id: &str,
    log: &mut RequestLog,
) -> Result<Forwarded, ApiError> {
    if cfg.providers.is_empty() {
        return Err(crate::proxy::not_configured_error());
    }
    let started = now_ms();
    let mut attempts = 0u32;
    let mut last_err: Option<ApiError> = None;
    for target in chat.model.targets() {
        let Some(provider) = cfg.provider(&target.provider) else {
            continue;
        };
        let call = build_call(provider, &target.upstream, chat, client_headers, request_id)?;
        let mut retry = 0u32;
        loop {
            let admitted = BREAKERS.with(|b| {
                b.borrow_mut()
                    .entry(provider.name.clone())
                    .or_default()
                    .try_acquire(now_ms(), &cfg.breaker)
            });
            if !admitted {
                last_err = Some(circuit_open_error());
                break;
            }
            attempts += 1;
            log.provider = Some(provider.name.clone());
            log.attempts = Some(attempts);
            let sent = send_once(&call.url, &call.headers, &call.body, provider.timeout_ms).await?;
            log.upstream_latency_ms = Some(now_ms().saturating_sub(started));
            let (outcome, err, retry_after) = match sent {
                Sent::Response(resp, controller) if (200..300).contains(&resp.status_code()) => {
                    record(&provider.name, Attempt::Success, cfg);
                    log.upstream_status = Some(resp.status_code());
                    return success(resp, AbortOnDrop(Some(controller)), provider, chat).await;
                }
                Sent::Response(mut resp, _) => {
                    let status = resp.status_code();
                    log.upstream_status = Some(status);
                    let ra = resp.headers().get("retry-after").ok().flatten();
                    let body = resp.bytes().await.unwrap_or_default();
                    (
                        Attempt::Status(status),
                        map_upstream_error(
                            status,
                            &body,
                            ra.as_deref(),
                            provider.api_key.as_ref().map(SecretString::expose),
                        ),
                        parse_retry_after(ra.as_deref()),
                    )
                }
                Sent::ConnectError(detail) => {
                    log.detail = Some(detail);
                    (Attempt::ConnectError, unreachable_error(), None)
                }
                Sent::Timeout => (Attempt::Timeout, timeout_error(provider.timeout_ms), None),
            };
            record(&provider.name, outcome, cfg);
            if !outcome.is_retryable() {
                // The request itself is at fault (400, 401, 404, 422…): neither a retry nor
                // another provider will do better.
                return Err(err);
            }
            last_err = Some(err);
            retry += 1;
            match cfg.retry.delay_ms(retry, Math::random(), retry_after) {
                Some(ms) => Delay::from(std::time::Duration::from_millis(ms)).await,
                None => break,
            }
        }
    }
    Err(last_err.unwrap_or_else(crate::proxy::not_configured_error))
}

fn record(provider: &str, outcome: Attempt, cfg: &Config) {
    BREAKERS.with(|b| {
        b.borrow_mut()
            .entry(provider.to_string())
            .or_default()
            .record(outcome, now_ms(), &cfg.breaker)
    });
}

async fn success(
    mut resp: Response,
    abort: AbortOnDrop,
    provider: &Provider,
    chat: &ChatRequest,
) -> Result<Forwarded, ApiError> {
    let status = resp.status_code();
    let upstream_headers: Vec<(String, String)> = resp.headers().entries().collect();
    match (provider.kind, chat.stream) {
        (ProviderKind::OpenAi, true) => {
            // The events pass through as they arrive; the tap reads the final usage chunk
            // (asked for in `build_call`) and drops it if the client did not ask for it.
            let tap = UsageTap::new(!wants_stream_usage(&chat.body));
            let (body, rx) = staged_body(&mut resp, tap, abort)?;
            Ok(Forwarded {
                reply: Reply {
                    status,
                    headers: passthrough_response_headers(&upstream_headers, true),
                    body,
                },
                usage: None,
                usage_later: Some(rx),
            })
        }
        (ProviderKind::OpenAi, false) => {
            let bytes = resp.bytes().await.map_err(|_| unreachable_error())?;
            let usage = openai_usage(&bytes)?;
            Ok(Forwarded {
                reply: Reply {
                    status,
                    headers: passthrough_response_headers(&upstream_headers, false),
                    body: worker::ResponseBody::Body(bytes),
                },
                usage: Some(usage),
                usage_later: None,
            })
        }
        (ProviderKind::Anthropic, false) => {
            let bytes = resp.bytes().await.map_err(|_| unreachable_error())?;
            let (v, usage) =
                anthropic::from_anthropic_response(&bytes, &chat.model.public, now_ms() / 1000)?;
            Ok(Forwarded {
                reply: Reply::json(200, &v),
                usage: Some(usage),
                usage_later: None,
            })
        }
        (ProviderKind::Anthropic, true) => {
            let translator = StreamTranslator::new(
                &chat.model.public,
                now_ms() / 1000,
                wants_stream_usage(&chat.body),
            )
            .with_secret(provider.api_key.as_ref().map(SecretString::expose));
            let (body, rx) = staged_body(&mut resp, translator, abort)?;
            Ok(Forwarded {
                reply: Reply {
                    status: 200,
                    headers: vec![
                        (
                            "content-type".into(),
                            "text/event-stream; charset=utf-8".into(),
                        ),
                        ("cache-control".into(), "no-cache".into()),
                    ],
                    body,
                },
                usage: None,
                usage_later: Some(rx),
            })
        }
    }
}
