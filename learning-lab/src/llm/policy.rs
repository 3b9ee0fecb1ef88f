//! What to do after a request: retry (and how long to wait), ask again with more budget or
//! continue a cut-off answer, give up with a clear error — and when to leave a failing server
//! alone (circuit breaker). No clock and no randomness source: the caller passes the time and
//! a random number, so every decision is reproducible in tests.
//!
//! One move is one [`ChatDriver`]: the caller sends [`ChatDriver::poll_request`], reports the
//! answer or the error, and follows the returned [`Step`] until `Done` or `Failed`.
//!
//! An answer that stops with `finish_reason=length` is the usual case for small models that
//! think at length, so giving up on it would lose most runs. A cut-off answer always leads to
//! a larger budget, a continuation, or — past the cap — [`LlmError::LengthExhausted`] that the
//! play loop records; never a silent abandon (`tests::a_cut_off_answer_never_loses_the_run`).

use serde::{Deserialize, Serialize};

use super::chat::{ChatAnswer, ChatMessage, ChatRequest, Constraint, FinishReason, Role};
use super::LlmError;
use crate::play::experience::{Timings, TokenUsage};
use crate::profile::Profile;

/// Retries of failed requests with exponential backoff and jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// Wait before the first retry (before jitter).
    pub base_delay_ms: u64,
    /// Longest wait between attempts.
    pub max_delay_ms: u64,
}

impl RetryPolicy {
    /// The profile's retry count, 500 ms doubling up to 8 s.
    pub fn from_profile(profile: &Profile) -> RetryPolicy {
        RetryPolicy {
            retries: profile.retries,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
        }
    }

    /// The wait before retry number `retry` (0 for the first): `base·2^retry` capped at the
    /// maximum, then "equal jitter" — half of it fixed, half scaled by `random` in `[0, 1)` —
    /// so clients that failed together do not come back together, yet never retry at once.
    pub fn backoff_ms(&self, retry: u32, random: f64) -> u64 {
        let exp = self
            .base_delay_ms
            .saturating_mul(1u64 << retry.min(30))
            .min(self.max_delay_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        exp / 2 + ((exp - exp / 2) as f64 * random) as u64
    }

    /// Whether to retry after `error`, when `retries_done` retries were made already and
    /// `answer_started` says whether answer text had arrived (then never: the person saw
    /// part of an answer, and a second one would not be the same move).
    pub fn should_retry(&self, error: &LlmError, retries_done: u32, answer_started: bool) -> bool {
        !answer_started && error.is_retryable() && retries_done < self.retries
    }
}

/// How a cut-off answer (`finish_reason=length`) is followed up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthMode {
    /// Ask again with `max_tokens × factor`, up to the cap.
    Grow,
    /// Send the partial answer back as the assistant's message plus "continue", and join the
    /// parts. Constrained (JSON-schema) requests always grow instead: a grammar restarts at
    /// the beginning of the object and cannot continue one.
    Continue,
}

/// The length policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LengthPolicy {
    /// Grow or continue.
    pub mode: LengthMode,
    /// Budget multiplier per retry (`Grow`).
    pub factor: u32,
    /// The largest budget tried (`Grow`).
    pub cap: u32,
    /// Continuations at most (`Continue`).
    pub max_continuations: u32,
}

impl LengthPolicy {
    /// Grow ×2 up to 8× the first budget, at least 4096 and at most 32768 tokens.
    pub fn grow_from(max_tokens: u32) -> LengthPolicy {
        LengthPolicy {
            mode: LengthMode::Grow,
            factor: 2,
            cap: max_tokens
                .saturating_mul(8)
                .clamp(4_096, 32_768)
                .max(max_tokens),
            max_continuations: 3,
        }
    }

    /// The next budget after `current` was cut off, or `None` past the cap.
    pub fn next_budget(&self, current: u32) -> Option<u32> {
        (current < self.cap).then(|| current.saturating_mul(self.factor.max(2)).min(self.cap))
    }
}

/// The prompt that asks a model to go on with its cut-off answer.
pub const CONTINUE_PROMPT: &str =
    "Your answer was cut off. Continue exactly where you stopped, without repeating anything.";

/// The final result of one move's exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatOutcome {
    /// The answer (joined over continuations).
    pub answer: ChatAnswer,
    /// Requests sent in all.
    pub attempts: u32,
    /// Of those, retries after errors.
    pub retries: u32,
    /// Of those, retries with a larger budget after a cut-off.
    pub length_retries: u32,
    /// Of those, continuations of a cut-off answer.
    pub continuations: u32,
    /// The budget of the last request.
    pub max_tokens: u32,
    /// The answer's constraint (assisted decoding is research mode: record it).
    pub constraint: Constraint,
    /// Measured by the caller: first token and total, from the start of the exchange.
    pub timings: Timings,
}

impl ChatOutcome {
    /// Whether answers were restricted to legal moves (`ExperienceContext::assisted_decoding`).
    pub fn assisted_decoding(&self) -> bool {
        self.constraint == Constraint::AssistedDecoding
    }
}

/// What the caller does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Wait `delay_ms`, then send [`ChatDriver::poll_request`] again.
    Send {
        /// Backoff before sending.
        delay_ms: u64,
        /// Set when the live view should drop what it showed (the answer starts over);
        /// `None` for a continuation, whose text follows the shown text.
        restart: Option<String>,
    },
    /// The exchange is complete.
    Done(ChatOutcome),
    /// The exchange failed; record the error.
    Failed(LlmError),
}

/// Drives one move's request through retries and the length policy.
#[derive(Clone, Debug)]
pub struct ChatDriver {
    original_messages: Vec<ChatMessage>,
    request: ChatRequest,
    retry: RetryPolicy,
    length: LengthPolicy,
    attempts: u32,
    retries: u32,
    length_retries: u32,
    continuations: u32,
    /// Text of earlier parts (Continue mode).
    joined: ChatAnswer,
}

impl ChatDriver {
    /// Starts an exchange for `request`.
    pub fn new(request: ChatRequest, retry: RetryPolicy, length: LengthPolicy) -> ChatDriver {
        ChatDriver {
            original_messages: request.messages.clone(),
            request,
            retry,
            length,
            attempts: 1,
            retries: 0,
            length_retries: 0,
            continuations: 0,
            joined: ChatAnswer::default(),
        }
    }

    /// The next thing to do: the request to send now.
    pub fn poll_request(&self) -> &ChatRequest {
        &self.request
    }

    fn send(&mut self, delay_ms: u64, restart: Option<String>) -> Step {
        self.attempts += 1;
        Step::Send { delay_ms, restart }
    }

    /// Feeds a failed request back. `answer_started`: answer text had arrived before the
    /// failure. `random` in `[0, 1)` jitters the backoff.
    pub fn handle_error(&mut self, error: LlmError, answer_started: bool, random: f64) -> Step {
        if !self
            .retry
            .should_retry(&error, self.retries, answer_started)
        {
            return Step::Failed(error);
        }
        let mut delay = self.retry.backoff_ms(self.retries, random);
        if let LlmError::Http {
            retry_after_ms: Some(after),
            ..
        } = error
        {
            // The server said when; waiting less only earns another 429. Capped so a
            // hostile or confused header cannot stall the play for long.
            delay = delay.max(after.min(60_000));
        }
        self.retries += 1;
        let reason = format!("retrying: {}", error.kind());
        self.send(delay, Some(reason))
    }

    /// Feeds a complete answer back (possibly cut off).
    pub fn handle_answer(&mut self, answer: ChatAnswer) -> Step {
        if answer.finish_reason != Some(FinishReason::Length) {
            return Step::Done(self.outcome(answer));
        }
        let can_continue =
            self.length.mode == LengthMode::Continue && self.request.response_format.is_none();
        if can_continue {
            if self.continuations >= self.length.max_continuations {
                return self.exhausted(answer);
            }
            self.continuations += 1;
            self.joined.content.push_str(&answer.content);
            self.joined.reasoning.push_str(&answer.reasoning);
            add_usage(&mut self.joined.usage, &answer.usage);
            let mut messages = self.original_messages.clone();
            messages.push(ChatMessage::new(
                Role::Assistant,
                self.joined.content.clone(),
            ));
            messages.push(ChatMessage::new(Role::User, CONTINUE_PROMPT));
            self.request.messages = messages;
            return self.send(0, None);
        }
        match self.length.next_budget(self.request.max_tokens) {
            Some(budget) => {
                self.length_retries += 1;
                let reason = format!(
                    "the answer was cut off at {} tokens; asking again with {budget}",
                    self.request.max_tokens
                );
                self.request.max_tokens = budget;
                self.send(0, Some(reason))
            }
            None => self.exhausted(answer),
        }
    }

    fn exhausted(&self, answer: ChatAnswer) -> Step {
        Step::Failed(LlmError::LengthExhausted {
            max_tokens: self.request.max_tokens,
            partial: format!("{}{}", self.joined.content, answer.content),
        })
    }

    fn outcome(&self, answer: ChatAnswer) -> ChatOutcome {
        let mut joined = self.joined.clone();
        joined.content.push_str(&answer.content);
        joined.reasoning.push_str(&answer.reasoning);
        add_usage(&mut joined.usage, &answer.usage);
        joined.finish_reason = answer.finish_reason;
        ChatOutcome {
            answer: joined,
            attempts: self.attempts,
            retries: self.retries,
            length_retries: self.length_retries,
            continuations: self.continuations,
            max_tokens: self.request.max_tokens,
            constraint: self.request.constraint,
            timings: Timings::default(),
        }
    }
}

fn add_usage(total: &mut TokenUsage, more: &TokenUsage) {
    fn add(a: Option<u32>, b: Option<u32>) -> Option<u32> {
        match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        }
    }
    total.prompt_tokens = add(total.prompt_tokens, more.prompt_tokens);
    total.completion_tokens = add(total.completion_tokens, more.completion_tokens);
    total.reasoning_tokens = add(total.reasoning_tokens, more.reasoning_tokens);
}

/// The circuit breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum BreakerState {
    /// Requests go through.
    Closed,
    /// Requests are refused until the given time (ms).
    Open {
        /// When a trial request is allowed.
        until_ms: f64,
    },
    /// The cool-down passed: requests go through; the next failure opens it again at once,
    /// the next success closes it.
    HalfOpen,
}

/// Leaves a failing server alone for a while instead of sending every move into it.
/// Times are the caller's milliseconds (e.g. `Date.now()`).
#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    threshold: u32,
    cooldown_ms: f64,
    failures: u32,
    state: BreakerState,
}

impl Default for CircuitBreaker {
    /// Opens after 5 failures in a row, for 30 s.
    fn default() -> Self {
        CircuitBreaker::new(5, 30_000.0)
    }
}

impl CircuitBreaker {
    /// Opens after `threshold` consecutive server failures, for `cooldown_ms`.
    pub fn new(threshold: u32, cooldown_ms: f64) -> CircuitBreaker {
        CircuitBreaker {
            threshold: threshold.max(1),
            cooldown_ms,
            failures: 0,
            state: BreakerState::Closed,
        }
    }

    /// The state at `now_ms`.
    pub fn state(&self, now_ms: f64) -> BreakerState {
        match self.state {
            BreakerState::Open { until_ms } if now_ms >= until_ms => BreakerState::HalfOpen,
            state => state,
        }
    }

    /// Whether a request may go out at `now_ms`.
    ///
    /// # Errors
    /// [`LlmError::BreakerOpen`] with the time left.
    pub fn allow(&mut self, now_ms: f64) -> Result<(), LlmError> {
        self.state = self.state(now_ms);
        match self.state {
            BreakerState::Open { until_ms } => Err(LlmError::BreakerOpen {
                retry_in_ms: (until_ms - now_ms).max(0.0).ceil() as u64,
            }),
            _ => Ok(()),
        }
    }

    /// The server answered.
    pub fn record_success(&mut self) {
        self.failures = 0;
        self.state = BreakerState::Closed;
    }

    /// A request ended with `error` at `now_ms`; only server failures count
    /// ([`LlmError::is_server_failure`]): a rejected request or a cancel says nothing about
    /// the server's health.
    pub fn record(&mut self, error: &LlmError, now_ms: f64) {
        if !error.is_server_failure() {
            return;
        }
        self.failures += 1;
        let half_open = self.state(now_ms) == BreakerState::HalfOpen;
        if half_open || self.failures >= self.threshold {
            self.state = BreakerState::Open {
                until_ms: now_ms + self.cooldown_ms,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProviderTemplate;

    fn request(max_tokens: u32) -> ChatRequest {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        profile.sampling.max_tokens = max_tokens;
        ChatRequest::for_move(&profile, "rules", "board", 9)
    }

    fn cut(content: &str) -> ChatAnswer {
        ChatAnswer {
            content: content.into(),
            finish_reason: Some(FinishReason::Length),
            usage: TokenUsage {
                completion_tokens: Some(10),
                ..TokenUsage::default()
            },
            ..ChatAnswer::default()
        }
    }

    fn stop(content: &str) -> ChatAnswer {
        ChatAnswer {
            finish_reason: Some(FinishReason::Stop),
            ..cut(content)
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            retries: 2,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
        }
    }

    #[test]
    fn a_cut_off_answer_never_loses_the_run() {
        // The budget grows ×2 to the cap and the final answer is used.
        let mut driver = ChatDriver::new(request(512), policy(), LengthPolicy::grow_from(512));
        let mut budgets = vec![driver.poll_request().max_tokens];
        loop {
            match driver.handle_answer(cut("ROW: 3 COL:")) {
                Step::Send { delay_ms, restart } => {
                    assert_eq!(delay_ms, 0);
                    assert!(restart.unwrap().contains("cut off"));
                    budgets.push(driver.poll_request().max_tokens);
                    if budgets.len() == 3 {
                        break;
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(budgets, vec![512, 1024, 2048]);
        let Step::Done(outcome) = driver.handle_answer(stop("ROW: 3 COL: 5 VALUE: 7")) else {
            panic!("a complete answer ends the exchange");
        };
        assert_eq!(outcome.answer.content, "ROW: 3 COL: 5 VALUE: 7");
        assert_eq!((outcome.attempts, outcome.length_retries), (3, 2));
        assert_eq!(outcome.max_tokens, 2048);
    }

    #[test]
    fn length_past_the_cap_is_a_recorded_error_with_the_partial_answer() {
        let length = LengthPolicy::grow_from(512);
        assert_eq!(length.cap, 4096);
        let mut driver = ChatDriver::new(request(512), policy(), length);
        let mut sends = 0;
        let error = loop {
            match driver.handle_answer(cut("thinking…")) {
                Step::Send { .. } => sends += 1,
                Step::Failed(e) => break e,
                Step::Done(_) => panic!("never done with a cut-off answer"),
            }
        };
        assert_eq!(sends, 3); // 1024, 2048, 4096
        assert_eq!(
            error,
            LlmError::LengthExhausted {
                max_tokens: 4096,
                partial: "thinking…".into()
            }
        );
    }

    #[test]
    fn continue_mode_sends_the_partial_back_and_joins_the_parts() {
        let length = LengthPolicy {
            mode: LengthMode::Continue,
            ..LengthPolicy::grow_from(64)
        };
        let mut driver = ChatDriver::new(request(64), policy(), length);
        assert_eq!(
            driver.handle_answer(cut("ROW: 3 ")),
            Step::Send {
                delay_ms: 0,
                restart: None
            }
        );
        let messages = &driver.poll_request().messages;
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[2], ChatMessage::new(Role::Assistant, "ROW: 3 "));
        assert_eq!(messages[3], ChatMessage::new(Role::User, CONTINUE_PROMPT));
        assert_eq!(driver.poll_request().max_tokens, 64);
        let _ = driver.handle_answer(cut("COL: 5 "));
        assert_eq!(driver.poll_request().messages[2].content, "ROW: 3 COL: 5 ");
        let Step::Done(outcome) = driver.handle_answer(stop("VALUE: 7")) else {
            panic!()
        };
        assert_eq!(outcome.answer.content, "ROW: 3 COL: 5 VALUE: 7");
        assert_eq!(outcome.answer.usage.completion_tokens, Some(30));
        assert_eq!(outcome.continuations, 2);
    }

    #[test]
    fn continue_mode_grows_instead_for_constrained_output() {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        profile.json_output = true;
        let request = ChatRequest::for_move(&profile, "s", "u", 9);
        let length = LengthPolicy {
            mode: LengthMode::Continue,
            ..LengthPolicy::grow_from(512)
        };
        let mut driver = ChatDriver::new(request, policy(), length);
        assert!(matches!(
            driver.handle_answer(cut("{\"row\":")),
            Step::Send {
                restart: Some(_),
                ..
            }
        ));
        assert_eq!(driver.poll_request().max_tokens, 1024);
        assert_eq!(driver.poll_request().messages.len(), 2);
        let Step::Done(outcome) = driver.handle_answer(stop("{\"row\":1}")) else {
            panic!()
        };
        assert_eq!(outcome.constraint, Constraint::MoveSchema);
        assert!(!outcome.assisted_decoding());
    }

    #[test]
    fn retries_only_retryable_errors_before_answer_bytes_with_growing_backoff() {
        let mut driver = ChatDriver::new(request(512), policy(), LengthPolicy::grow_from(512));
        let refused = LlmError::Network {
            detail: "refused".into(),
        };
        let Step::Send { delay_ms, .. } = driver.handle_error(refused.clone(), false, 0.0) else {
            panic!()
        };
        assert_eq!(delay_ms, 250);
        let Step::Send { delay_ms, .. } = driver.handle_error(refused.clone(), false, 0.999) else {
            panic!()
        };
        assert!((999..=1000).contains(&delay_ms), "{delay_ms}");
        assert_eq!(
            driver.handle_error(refused.clone(), false, 0.5),
            Step::Failed(refused.clone())
        );

        let mut driver = ChatDriver::new(request(512), policy(), LengthPolicy::grow_from(512));
        // Never after answer bytes arrived.
        assert_eq!(
            driver.handle_error(refused.clone(), true, 0.5),
            Step::Failed(refused)
        );
        // Never for a rejected request or a cancel.
        let bad = crate::llm::http_error(400, "{}", None);
        assert_eq!(
            driver.handle_error(bad.clone(), false, 0.5),
            Step::Failed(bad)
        );
        assert_eq!(
            driver.handle_error(LlmError::Cancelled, false, 0.5),
            Step::Failed(LlmError::Cancelled)
        );
        // 429 waits at least Retry-After.
        let busy = crate::llm::http_error(429, "", Some(5_000));
        assert!(matches!(
            driver.handle_error(busy, false, 0.0),
            Step::Send {
                delay_ms: 5_000,
                ..
            }
        ));
    }

    #[test]
    fn timeouts_are_retried_as_often_as_the_profile_says() {
        // A profile's `retries` is what the policy uses, and a timeout is worth retrying.
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        profile.retries = 3;
        let retry = RetryPolicy::from_profile(&profile);
        assert_eq!(retry.retries, 3);
        let request = ChatRequest::for_move(&profile, "s", "u", 9);
        let mut driver = ChatDriver::new(request, retry, LengthPolicy::grow_from(512));
        let timeout = LlmError::Timeout { after_ms: 60_000 };
        for _ in 0..3 {
            assert!(matches!(
                driver.handle_error(timeout.clone(), false, 0.5),
                Step::Send { .. }
            ));
        }
        assert_eq!(
            driver.handle_error(timeout.clone(), false, 0.5),
            Step::Failed(timeout)
        );
    }

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let p = policy();
        for retry in 0..40 {
            for r in [0.0, 0.3, 0.999, f64::NAN, 7.0] {
                let d = p.backoff_ms(retry, r);
                assert!((250..=8_000).contains(&d), "{retry} {r} {d}");
            }
        }
        assert!(p.backoff_ms(3, 0.0) < p.backoff_ms(3, 0.9));
        assert_eq!(p.backoff_ms(10, 0.0), 4_000);
    }

    #[test]
    fn breaker_opens_after_failures_half_opens_and_closes_on_success() {
        let mut breaker = CircuitBreaker::new(3, 1_000.0);
        let down = LlmError::Timeout { after_ms: 10 };
        let rejected = crate::llm::http_error(400, "", None);
        for _ in 0..5 {
            breaker.record(&rejected, 0.0);
        }
        assert_eq!(breaker.state(0.0), BreakerState::Closed);
        breaker.record(&down, 0.0);
        breaker.record(&down, 1.0);
        assert!(breaker.allow(2.0).is_ok());
        breaker.record(&down, 2.0);
        assert_eq!(
            breaker.allow(500.0),
            Err(LlmError::BreakerOpen { retry_in_ms: 502 })
        );
        assert!(breaker.allow(1_002.0).is_ok());
        assert_eq!(breaker.state(1_002.0), BreakerState::HalfOpen);
        // One failure in half-open opens it again at once.
        breaker.record(&down, 1_003.0);
        assert!(breaker.allow(1_500.0).is_err());
        assert!(breaker.allow(2_003.0).is_ok());
        breaker.record_success();
        assert_eq!(breaker.state(2_004.0), BreakerState::Closed);
        breaker.record(&down, 2_005.0);
        assert!(breaker.allow(2_006.0).is_ok());
    }
}
