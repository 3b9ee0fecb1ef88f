//! The browser's LLM client: fetch + a ReadableStream reader moving bytes into learning-lab's
//! SSE decoder and chat accumulator, AbortController for cancel and timeouts, setTimeout for
//! backoff waits, `Date.now()` for timings. Every decision (retry, backoff, more budget,
//! breaker) is learning-lab's [`ChatDriver`] / [`CircuitBreaker`]; this module only executes.
//!
//! The token is put into the `Authorization` header and nowhere else: never logged, never in
//! an error message.

mod cancel;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Date, Math, Promise, Reflect, Uint8Array};
use learning_lab::llm::{
    http_error, parse_model_list, parse_retry_after, ChatAccumulator, ChatAnswer, ChatDriver,
    ChatOutcome, ChatRequest, CircuitBreaker, Delta, Endpoint, LengthPolicy, LlmError, RetryPolicy,
    SseDecoder, Step,
};
use learning_lab::play::experience::Timings;
use learning_lab::profile::Profile;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

pub use cancel::CancelHandle;

thread_local! {
    /// One breaker per base URL, shared by every client of the page: a server that keeps
    /// failing is left alone whichever screen asks.
    static BREAKERS: RefCell<HashMap<String, CircuitBreaker>> = RefCell::new(HashMap::new());
}

fn now() -> f64 {
    Date::now()
}

/// Talks to one model server.
#[derive(Clone, Debug)]
pub struct LlmClient {
    endpoint: Endpoint,
    retry: RetryPolicy,
    length: LengthPolicy,
    timeout_ms: u32,
}

impl LlmClient {
    /// A client for `endpoint` with defaults: 2 retries, 60 s timeout, budget growing ×2 on a
    /// cut-off answer up to 4096 tokens.
    pub fn new(endpoint: Endpoint) -> LlmClient {
        LlmClient {
            endpoint,
            retry: RetryPolicy {
                retries: 2,
                base_delay_ms: 500,
                max_delay_ms: 8_000,
            },
            length: LengthPolicy::grow_from(512),
            timeout_ms: 60_000,
        }
    }

    /// A client for `profile`: its route (edge API at `edge_api_url`, or direct), token,
    /// retries, timeout and budget.
    ///
    /// # Errors
    /// An edge route without a configured edge API.
    pub fn for_profile(
        profile: &Profile,
        edge_api_url: Option<&str>,
    ) -> Result<LlmClient, LlmError> {
        Ok(LlmClient {
            endpoint: Endpoint::for_profile(profile, edge_api_url)?,
            retry: RetryPolicy::from_profile(profile),
            length: LengthPolicy::grow_from(profile.sampling.max_tokens),
            timeout_ms: profile.timeout_ms,
        })
    }

    /// Replaces the length policy (e.g. continue instead of grow, another cap).
    pub fn with_length_policy(mut self, length: LengthPolicy) -> LlmClient {
        self.length = length;
        self
    }

    /// Replaces the per-request timeout.
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> LlmClient {
        self.timeout_ms = timeout_ms;
        self
    }

    /// Replaces the retry policy.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> LlmClient {
        self.retry = retry;
        self
    }

    /// The endpoint (its `Debug` masks the token).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// One move's exchange: sends `request`, streams deltas to `on_delta` (a
    /// [`Delta::Restart`] before a retry or a larger-budget attempt), retries, applies the
    /// length policy, and returns the final answer with attempts and timings (first token
    /// and total, from this call).
    ///
    /// # Errors
    /// The last error when retries are used up, a non-retryable error, the breaker being
    /// open, [`LlmError::LengthExhausted`] past the budget cap, or [`LlmError::Cancelled`].
    pub async fn chat(
        &self,
        request: ChatRequest,
        mut on_delta: impl FnMut(Delta),
        cancel: &CancelHandle,
    ) -> Result<ChatOutcome, LlmError> {
        let start = now();
        let mut first_token: Option<f64> = None;
        let mut driver = ChatDriver::new(request, self.retry, self.length);
        loop {
            if cancel.is_cancelled() {
                return Err(LlmError::Cancelled);
            }
            self.breaker(|b| b.allow(now()))?;
            let mut on_piece = |delta: Delta| {
                first_token.get_or_insert_with(now);
                on_delta(delta);
            };
            let step = match self
                .attempt(driver.poll_request(), &mut on_piece, cancel)
                .await
            {
                Ok(answer) => {
                    self.breaker(|b| b.record_success());
                    driver.handle_answer(answer)
                }
                Err((error, answer_started)) => {
                    self.breaker(|b| b.record(&error, now()));
                    driver.handle_error(error, answer_started, Math::random())
                }
            };
            match step {
                Step::Send { delay_ms, restart } => {
                    if let Some(reason) = restart {
                        on_delta(Delta::Restart { reason });
                    }
                    sleep(delay_ms, cancel).await?;
                }
                Step::Done(mut outcome) => {
                    let end = now();
                    outcome.timings = Timings {
                        first_token_ms: first_token.map(|t| (t - start).max(0.0) as u64),
                        total_ms: Some((end - start).max(0.0) as u64),
                    };
                    return Ok(outcome);
                }
                Step::Failed(error) => return Err(error),
            }
        }
    }

    /// The server's model names and how long the answer took (ms), for a profile's
    /// connection test.
    ///
    /// # Errors
    /// Network, timeout, HTTP or a body that is not a model list.
    pub async fn list_models(&self) -> Result<(Vec<String>, u64), LlmError> {
        let start = now();
        let cancel = CancelHandle::new();
        let response = self
            .fetch("GET", &self.endpoint.models_url(), None, false, &cancel)
            .await?;
        let body = read_text(&response.response, &response.guard).await?;
        let latency = (now() - start).max(0.0) as u64;
        if !response.response.ok() {
            return Err(http_error(
                response.response.status(),
                &body,
                retry_after(&response.response),
            ));
        }
        Ok((parse_model_list(&body)?, latency))
    }

    fn breaker<T>(&self, f: impl FnOnce(&mut CircuitBreaker) -> T) -> T {
        BREAKERS.with(|all| {
            let mut all = all.borrow_mut();
            f(all.entry(self.endpoint.base_url().to_string()).or_default())
        })
    }

    /// One request. The `bool` of an error says whether answer text had arrived.
    async fn attempt(
        &self,
        request: &ChatRequest,
        on_delta: &mut impl FnMut(Delta),
        cancel: &CancelHandle,
    ) -> Result<ChatAnswer, (LlmError, bool)> {
        let body = request.to_json();
        let sent = self
            .fetch(
                "POST",
                &self.endpoint.chat_url(),
                Some(&body),
                request.stream,
                cancel,
            )
            .await
            .map_err(|e| (e, false))?;
        let response = &sent.response;
        if !response.ok() {
            let text = read_text(response, &sent.guard).await.unwrap_or_default();
            return Err((
                http_error(response.status(), &text, retry_after(response)),
                false,
            ));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .unwrap_or_default();
        if !request.stream || content_type.contains("json") {
            // A server that ignores `stream` answers with one JSON body.
            let text = read_text(response, &sent.guard)
                .await
                .map_err(|e| (e, false))?;
            let answer =
                learning_lab::llm::chat::parse_completion(&text).map_err(|e| (e, false))?;
            if !answer.reasoning.is_empty() {
                on_delta(Delta::Reasoning(answer.reasoning.clone()));
            }
            if !answer.content.is_empty() {
                on_delta(Delta::Content(answer.content.clone()));
            }
            return Ok(answer);
        }
        let Some(stream) = response.body() else {
            return Err((
                LlmError::BadStream {
                    detail: "the response has no body".into(),
                },
                false,
            ));
        };
        let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let mut decoder = SseDecoder::new();
        let mut accumulator = ChatAccumulator::new();
        loop {
            let chunk = match JsFuture::from(reader.read()).await {
                Ok(chunk) => chunk,
                Err(e) => {
                    return Err((sent.guard.error(e), accumulator.answer_started()));
                }
            };
            let done = Reflect::get(&chunk, &JsValue::from_str("done"))
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            let events = if done {
                decoder.finish()
            } else {
                let value = Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or_default();
                let bytes = value.unchecked_into::<Uint8Array>().to_vec();
                decoder.push(&bytes)
            };
            for event in &events {
                match accumulator.push(event) {
                    Ok(deltas) => deltas.into_iter().for_each(&mut *on_delta),
                    Err(e) => {
                        let _ = reader.cancel();
                        return Err((e, accumulator.answer_started()));
                    }
                }
            }
            if accumulator.is_done() && !done {
                // `[DONE]` arrived: stop waiting for the server to close the connection.
                let _ = reader.cancel();
                break;
            }
            if done {
                break;
            }
        }
        let started = accumulator.answer_started();
        accumulator.finish().map_err(|e| (e, started))
    }

    async fn fetch(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
        streaming: bool,
        cancel: &CancelHandle,
    ) -> Result<Sent, LlmError> {
        let window = web_sys::window().ok_or_else(|| LlmError::Network {
            detail: "no window (the client runs on a page)".into(),
        })?;
        let headers = Headers::new().map_err(|e| LlmError::Network {
            detail: js_message(&e),
        })?;
        for (name, value) in self.endpoint.headers(streaming) {
            if body.is_none() && name == "Content-Type" {
                continue;
            }
            headers.set(name, &value).map_err(|_| LlmError::Network {
                detail: format!("header {name} was refused"),
            })?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        init.set_headers(&headers);
        if let Some(body) = body {
            init.set_body(&JsValue::from_str(body));
        }
        let guard = RequestGuard::start(&window, self.timeout_ms, cancel)?;
        init.set_signal(Some(&guard.controller.signal()));
        let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|e| guard.error(e))?;
        let response: Response = response.unchecked_into();
        Ok(Sent { response, guard })
    }
}

/// A response with the guard that can still abort its body.
struct Sent {
    response: Response,
    guard: RequestGuard,
}

/// One request's AbortController and timeout timer; dropping it clears the timer and
/// detaches it from the cancel handle.
struct RequestGuard {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    timeout_ms: u32,
    cancel: CancelHandle,
    timer: Option<i32>,
    _on_timeout: Closure<dyn FnMut()>,
}

impl RequestGuard {
    fn start(
        window: &web_sys::Window,
        timeout_ms: u32,
        cancel: &CancelHandle,
    ) -> Result<RequestGuard, LlmError> {
        let controller = AbortController::new().map_err(|e| LlmError::Network {
            detail: js_message(&e),
        })?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.as_ref().unchecked_ref(),
                timeout_ms.min(i32::MAX as u32) as i32,
            )
            .ok();
        cancel.set_controller(Some(controller.clone()));
        Ok(RequestGuard {
            controller,
            timed_out,
            timeout_ms,
            cancel: cancel.clone(),
            timer,
            _on_timeout: on_timeout,
        })
    }

    /// What a rejected fetch or read means: our cancel, our timeout, or the network.
    fn error(&self, error: JsValue) -> LlmError {
        if self.cancel.is_cancelled() {
            LlmError::Cancelled
        } else if self.timed_out.get() {
            LlmError::Timeout {
                after_ms: u64::from(self.timeout_ms),
            }
        } else {
            LlmError::Network {
                detail: js_message(&error),
            }
        }
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        if let (Some(window), Some(timer)) = (web_sys::window(), self.timer) {
            window.clear_timeout_with_handle(timer);
        }
        self.cancel.set_controller(None);
    }
}

async fn read_text(response: &Response, guard: &RequestGuard) -> Result<String, LlmError> {
    let promise = response.text().map_err(|e| guard.error(e))?;
    let text = JsFuture::from(promise).await.map_err(|e| guard.error(e))?;
    Ok(text.as_string().unwrap_or_default())
}

fn retry_after(response: &Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| parse_retry_after(&v))
}

fn js_message(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value
        .as_string()
        .unwrap_or_else(|| "unknown browser error".to_string())
}

/// Waits `ms`, or until `cancel` is cancelled.
async fn sleep(ms: u64, cancel: &CancelHandle) -> Result<(), LlmError> {
    if ms > 0 && !cancel.is_cancelled() {
        if let Some(window) = web_sys::window() {
            let promise = Promise::new(&mut |resolve, _reject| {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    ms.min(i32::MAX as u64) as i32,
                );
                cancel.set_wake(Some(resolve));
            });
            let _ = JsFuture::from(promise).await;
            cancel.set_wake(None);
        }
    }
    if cancel.is_cancelled() {
        Err(LlmError::Cancelled)
    } else {
        Ok(())
    }
}

/// A connection test of `profile` (the Profiles screen and the welcome): the server's models
/// and the latency, or what failed with what to change for the profile's template.
///
/// # Errors
/// The failure, worded for a person.
pub async fn test_connection(profile: &Profile) -> Result<(Vec<String>, u64), String> {
    let edge_url = crate::edge::edge_url().await;
    let outcome = match LlmClient::for_profile(profile, edge_url.as_deref()) {
        Ok(client) => client.list_models().await,
        Err(e) => Err(e),
    };
    outcome.map_err(|e| {
        format!(
            "connection failed: {e} · what to change: {}",
            profile.template.connection_help(&crate::edge::app_origin())
        )
    })
}
