//! The runner's LLM client: ureq moves the bytes into learning-lab's SSE decoder and chat
//! accumulator; `Instant` keeps time; a thread sleep waits out the backoff. Every decision —
//! retry or not, how long to wait, more budget or give up, leave a failing server alone — is
//! learning-lab's [`ChatDriver`] and [`CircuitBreaker`], the same policy the app's client
//! executes in the browser.
//!
//! The token goes into the `Authorization` header and nowhere else: never printed, never in
//! an error message, never in the journal.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use learning_lab::llm::{
    http_error, parse_retry_after, ChatAccumulator, ChatAnswer, ChatDriver, ChatOutcome,
    ChatRequest, CircuitBreaker, Delta, Endpoint, LengthPolicy, LlmError, RetryPolicy, SseDecoder,
    Step,
};
use learning_lab::play::experience::Timings;
use learning_lab::profile::Profile;

use crate::clock;

/// One breaker per base URL, shared by every run of the process: a server that keeps failing
/// is left alone whichever run asks (as the app does per page).
#[derive(Clone, Default)]
pub struct Breakers(Arc<Mutex<HashMap<String, CircuitBreaker>>>);

impl Breakers {
    fn with<T>(&self, base_url: &str, f: impl FnOnce(&mut CircuitBreaker) -> T) -> T {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(all.entry(base_url.to_string()).or_default())
    }
}

/// Talks to one model server for one profile.
#[derive(Clone)]
pub struct LlmClient {
    endpoint: Endpoint,
    retry: RetryPolicy,
    length: LengthPolicy,
    timeout_ms: u32,
    agent: ureq::Agent,
    breakers: Breakers,
}

impl LlmClient {
    /// A client for `profile` at `endpoint` (from `Endpoint::for_runner`): the profile's
    /// retries, timeout and budget, as the app's client takes them.
    pub fn for_profile(profile: &Profile, endpoint: Endpoint, breakers: Breakers) -> LlmClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_millis(u64::from(profile.timeout_ms))))
            .http_status_as_error(false)
            .build();
        LlmClient {
            endpoint,
            retry: RetryPolicy::from_profile(profile),
            length: LengthPolicy::grow_from(profile.sampling.max_tokens),
            timeout_ms: profile.timeout_ms,
            agent: ureq::Agent::new_with_config(config),
            breakers,
        }
    }

    /// One move's exchange, as the app's `LlmClient::chat`: sends `request`, streams deltas
    /// to `on_delta`, follows the chat driver's steps, and returns the final answer with
    /// timings from this call. `stop` cancels between chunks and during backoff waits.
    ///
    /// # Errors
    /// The driver's final error, the breaker being open, or [`LlmError::Cancelled`].
    pub fn chat(
        &self,
        request: ChatRequest,
        mut on_delta: impl FnMut(Delta),
        stop: &AtomicBool,
    ) -> Result<ChatOutcome, LlmError> {
        let start = Instant::now();
        let mut first_token: Option<Duration> = None;
        let mut driver = ChatDriver::new(request, self.retry, self.length);
        let base = self.endpoint.base_url().to_string();
        loop {
            if stop.load(Ordering::SeqCst) {
                return Err(LlmError::Cancelled);
            }
            self.breakers.with(&base, |b| b.allow(clock::now_ms()))?;
            let mut on_piece = |delta: Delta| {
                first_token.get_or_insert_with(|| start.elapsed());
                on_delta(delta);
            };
            let step = match self.attempt(driver.poll_request(), &mut on_piece, stop) {
                Ok(answer) => {
                    self.breakers.with(&base, CircuitBreaker::record_success);
                    driver.handle_answer(answer)
                }
                Err((error, answer_started)) => {
                    self.breakers
                        .with(&base, |b| b.record(&error, clock::now_ms()));
                    driver.handle_error(error, answer_started, clock::random_unit())
                }
            };
            match step {
                Step::Send { delay_ms, restart } => {
                    if let Some(reason) = restart {
                        on_delta(Delta::Restart { reason });
                    }
                    sleep(delay_ms, stop)?;
                }
                Step::Done(mut outcome) => {
                    outcome.timings = Timings {
                        first_token_ms: first_token.map(|t| t.as_millis() as u64),
                        total_ms: Some(start.elapsed().as_millis() as u64),
                    };
                    return Ok(outcome);
                }
                Step::Failed(error) => return Err(error),
            }
        }
    }

    /// One request. The `bool` of an error says whether answer text had arrived.
    fn attempt(
        &self,
        request: &ChatRequest,
        on_delta: &mut impl FnMut(Delta),
        stop: &AtomicBool,
    ) -> Result<ChatAnswer, (LlmError, bool)> {
        let mut call = self.agent.post(&self.endpoint.chat_url());
        for (name, value) in self.endpoint.headers(request.stream) {
            call = call.header(name, &value);
        }
        let response = call
            .send(request.to_json().as_bytes())
            .map_err(|e| (self.transport_error(e), false))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v));
        let mut body = response.into_body();
        if !(200..300).contains(&status) {
            let text = body.read_to_string().unwrap_or_default();
            return Err((http_error(status, &text, retry_after), false));
        }
        if !request.stream || content_type.contains("json") {
            // A server that ignores `stream` answers with one JSON body.
            let text = body
                .read_to_string()
                .map_err(|e| (self.transport_error(e), false))?;
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
        let mut reader = body.into_reader();
        let mut decoder = SseDecoder::new();
        let mut accumulator = ChatAccumulator::new();
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            if stop.load(Ordering::SeqCst) {
                return Err((LlmError::Cancelled, accumulator.answer_started()));
            }
            let read = match reader.read(&mut buffer) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err((self.io_error(&e), accumulator.answer_started())),
            };
            let events = if read == 0 {
                decoder.finish()
            } else {
                decoder.push(&buffer[..read])
            };
            for event in &events {
                match accumulator.push(event) {
                    Ok(deltas) => deltas.into_iter().for_each(&mut *on_delta),
                    Err(e) => return Err((e, accumulator.answer_started())),
                }
            }
            // `[DONE]` arrived: stop waiting for the server to close the connection.
            if read == 0 || accumulator.is_done() {
                break;
            }
        }
        let started = accumulator.answer_started();
        accumulator.finish().map_err(|e| (e, started))
    }

    fn transport_error(&self, error: ureq::Error) -> LlmError {
        match error {
            ureq::Error::Timeout(_) => LlmError::Timeout {
                after_ms: u64::from(self.timeout_ms),
            },
            ureq::Error::Io(e) => self.io_error(&e),
            other => LlmError::Network {
                detail: other.to_string(),
            },
        }
    }

    fn io_error(&self, error: &std::io::Error) -> LlmError {
        let text = error.to_string();
        if error.kind() == std::io::ErrorKind::TimedOut || text.contains("timeout") {
            LlmError::Timeout {
                after_ms: u64::from(self.timeout_ms),
            }
        } else {
            LlmError::Network { detail: text }
        }
    }
}

/// Waits `ms`, waking early when `stop` is set.
fn sleep(ms: u64, stop: &AtomicBool) -> Result<(), LlmError> {
    let until = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < until {
        if stop.load(Ordering::SeqCst) {
            return Err(LlmError::Cancelled);
        }
        std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
    }
    if stop.load(Ordering::SeqCst) {
        Err(LlmError::Cancelled)
    } else {
        Ok(())
    }
}
