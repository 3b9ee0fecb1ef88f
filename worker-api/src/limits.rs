//! Rate limits, daily token budgets and usage counters: the pure state machine.
//!
//! The Worker keeps one [`LimiterState`] per key (`ip:<address>` or `token:<label>`) inside a
//! Durable Object (`runtime` / `limiter`), so every request for a key is counted in one place,
//! also in local `wrangler dev`. The Durable Object only stores the state and calls [`apply`];
//! every decision is made here and tested natively.
//!
//! The rate limit is a sliding-window counter (two fixed windows, the previous one weighted by
//! how much of it still overlaps the sliding window), as Cloudflare's own limiter does: O(1)
//! state, no burst of 2× at a window edge.

use serde::{Deserialize, Serialize};

use crate::errors::{ApiError, ErrorCode};

/// Milliseconds in a UTC day.
pub const DAY_MS: u64 = 86_400_000;

/// A sliding-window request counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Start of the current fixed window (a multiple of the window length).
    pub start_ms: u64,
    /// Requests admitted in the current fixed window.
    pub count: u64,
    /// Requests admitted in the previous fixed window.
    pub prev: u64,
}

impl Window {
    fn roll(&mut self, now_ms: u64, window_ms: u64) {
        let start = now_ms - now_ms % window_ms;
        if start == self.start_ms {
            return;
        }
        self.prev = if start == self.start_ms + window_ms {
            self.count
        } else {
            0
        };
        self.count = 0;
        self.start_ms = start;
    }

    /// The sliding-window estimate of requests in the last `window_ms`, in thousandths.
    fn estimate_milli(&self, now_ms: u64, window_ms: u64) -> u64 {
        let into = now_ms - self.start_ms;
        let prev_weight_milli = 1000 - (into * 1000 / window_ms);
        self.prev * prev_weight_milli + self.count * 1000
    }

    /// Admit one request if the limit allows; otherwise say how many seconds to wait.
    pub fn admit(&mut self, now_ms: u64, limit: u64, window_ms: u64) -> Result<u64, u64> {
        let window_ms = window_ms.max(1);
        self.roll(now_ms, window_ms);
        let est = self.estimate_milli(now_ms, window_ms);
        if est + 1000 <= limit * 1000 {
            self.count += 1;
            let left = (limit * 1000 - est - 1000) / 1000;
            Ok(left)
        } else {
            Err(retry_after_secs(self, now_ms, limit, window_ms))
        }
    }
}

/// Seconds until the sliding estimate has room for one more request (at least 1).
fn retry_after_secs(w: &Window, now_ms: u64, limit: u64, window_ms: u64) -> u64 {
    // The current window's count alone fills the limit: wait for the next window, then for the
    // weight of this one (now `prev`) to drop enough.
    let mut t = now_ms;
    let step = (window_ms / 20).max(1);
    let mut probe = w.clone();
    for _ in 0..60 {
        t += step;
        probe.roll(t, window_ms);
        if probe.estimate_milli(t, window_ms) + 1000 <= limit * 1000 {
            break;
        }
    }
    (t - now_ms).div_ceil(1000).max(1)
}

/// Tokens used today against a daily budget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayBudget {
    /// Days since the Unix epoch (UTC).
    pub day: u64,
    pub used: u64,
}

impl DayBudget {
    fn roll(&mut self, now_ms: u64) {
        let day = now_ms / DAY_MS;
        if day != self.day {
            self.day = day;
            self.used = 0;
        }
    }

    /// Reserve `amount` tokens; refused (with seconds until UTC midnight) if it would exceed
    /// the budget.
    pub fn reserve(&mut self, now_ms: u64, budget: u64, amount: u64) -> Result<(), u64> {
        self.roll(now_ms);
        if self.used.saturating_add(amount) > budget {
            return Err(((self.day + 1) * DAY_MS - now_ms).div_ceil(1000).max(1));
        }
        self.used += amount;
        Ok(())
    }

    /// Replace a reservation by what was actually used.
    pub fn settle(&mut self, now_ms: u64, reserved: u64, actual: u64) {
        let day = now_ms / DAY_MS;
        if day != self.day {
            // The reservation belonged to yesterday; charge today what was used.
            self.roll(now_ms);
            self.used = self.used.saturating_add(actual);
        } else {
            self.used = self.used.saturating_sub(reserved).saturating_add(actual);
        }
    }
}

/// Counters the operator reads through `GET /v1/usage`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Requests admitted.
    pub requests: u64,
    /// Requests refused by the rate limit.
    pub rate_limited: u64,
    /// Requests refused by the daily budget.
    pub budget_refused: u64,
    /// Tokens reported by upstreams (non-streamed answers, or streamed ones with a usage chunk).
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Time of the last admitted request (ms since the epoch).
    pub last_request_ms: u64,
}

/// Everything a limiter key remembers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimiterState {
    pub window: Window,
    pub day: DayBudget,
    pub usage: Usage,
}

/// A command sent to the limiter of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LimitOp {
    /// Count one request against `limit` per `window_ms` (0 = no rate limit) and reserve
    /// `reserve` tokens against `budget` (if any). First count `credited` requests the isolate
    /// already admitted on [`Credit`] and has not reported yet, so they are counted before this
    /// one is decided.
    Admit {
        limit: u64,
        window_ms: u64,
        budget: Option<u64>,
        reserve: u64,
        #[serde(default)]
        credited: u64,
    },
    /// Count `n` requests an isolate already admitted on [`Credit`] (a batch, sent a moment
    /// after the first of them; they are counted even past the limit: they were served), and
    /// record the tokens of finished requests that reserved nothing (no budget).
    Count {
        n: u64,
        limit: u64,
        window_ms: u64,
        #[serde(default)]
        prompt_tokens: u64,
        #[serde(default)]
        completion_tokens: u64,
    },
    /// Record a finished request's usage; replace the reservation by the actual total.
    Settle {
        reserved: u64,
        prompt_tokens: u64,
        completion_tokens: u64,
    },
    /// Read the counters.
    Read,
}

/// The limiter's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum LimitReply {
    Allowed { remaining: u64 },
    RateLimited { retry_after_s: u64 },
    BudgetExhausted { retry_after_s: u64 },
    Recorded,
    Usage { usage: Usage, day_tokens: u64 },
}

/// Count requests admitted on credit: they were served, so they count whatever the limit.
fn count_credited(state: &mut LimiterState, n: u64, window_ms: u64, now_ms: u64) {
    if n == 0 {
        return;
    }
    state.window.roll(now_ms, window_ms.max(1));
    state.window.count += n;
    state.usage.requests += n;
    state.usage.last_request_ms = now_ms;
}

/// Apply one command to a key's state at time `now_ms`.
pub fn apply(state: &mut LimiterState, op: &LimitOp, now_ms: u64) -> LimitReply {
    match *op {
        LimitOp::Count {
            n,
            limit,
            window_ms,
            prompt_tokens,
            completion_tokens,
        } => {
            count_credited(state, n, window_ms, now_ms);
            if prompt_tokens + completion_tokens > 0 {
                state.usage.prompt_tokens += prompt_tokens;
                state.usage.completion_tokens += completion_tokens;
                state
                    .day
                    .settle(now_ms, 0, prompt_tokens + completion_tokens);
            }
            if limit == 0 {
                return LimitReply::Allowed {
                    remaining: u64::MAX,
                };
            }
            let window_ms = window_ms.max(1);
            let est = state.window.estimate_milli(now_ms, window_ms);
            match (limit * 1000).checked_sub(est) {
                Some(room) => LimitReply::Allowed {
                    remaining: room / 1000,
                },
                None => LimitReply::RateLimited {
                    retry_after_s: retry_after_secs(&state.window, now_ms, limit, window_ms),
                },
            }
        }
        LimitOp::Admit {
            limit,
            window_ms,
            budget,
            reserve,
            credited,
        } => {
            count_credited(state, credited, window_ms, now_ms);
            let mut remaining = u64::MAX;
            if limit > 0 {
                // Check without counting first, so a budget refusal does not eat rate.
                let mut probe = state.window.clone();
                match probe.admit(now_ms, limit, window_ms) {
                    Ok(left) => remaining = left,
                    Err(retry_after_s) => {
                        state.window = probe;
                        state.usage.rate_limited += 1;
                        return LimitReply::RateLimited { retry_after_s };
                    }
                }
                if let Some(b) = budget {
                    if let Err(retry_after_s) = state.day.reserve(now_ms, b, reserve) {
                        state.usage.budget_refused += 1;
                        return LimitReply::BudgetExhausted { retry_after_s };
                    }
                }
                state.window = probe;
            } else if let Some(b) = budget {
                if let Err(retry_after_s) = state.day.reserve(now_ms, b, reserve) {
                    state.usage.budget_refused += 1;
                    return LimitReply::BudgetExhausted { retry_after_s };
                }
            }
            if budget.is_none() {
                // Track the day's tokens even without a budget, for the usage report.
                state.day.roll(now_ms);
                state.day.used = state.day.used.saturating_add(reserve);
            }
            state.usage.requests += 1;
            state.usage.last_request_ms = now_ms;
            LimitReply::Allowed { remaining }
        }
        LimitOp::Settle {
            reserved,
            prompt_tokens,
            completion_tokens,
        } => {
            state.usage.prompt_tokens += prompt_tokens;
            state.usage.completion_tokens += completion_tokens;
            state
                .day
                .settle(now_ms, reserved, prompt_tokens + completion_tokens);
            LimitReply::Recorded
        }
        LimitOp::Read => {
            let mut day = state.day.clone();
            day.roll(now_ms);
            LimitReply::Usage {
                usage: state.usage.clone(),
                day_tokens: day.used,
            }
        }
    }
}

/// Requests an isolate may admit for one key without waiting for the limiter, learnt from the
/// limiter's answers. Most requests are far below their limits, and waiting for the Durable
/// Object on each one was most of the edge API's added latency. A request admitted on credit
/// still sends its `Admit` to the limiter (in the background), so counting stays exact; only
/// the decision is taken early.
///
/// Safety: after each answer the credit is half of the remaining count the limiter reported,
/// minus every `Admit` this isolate has sent and not yet seen answered (they may be applied
/// after the reported count, so they are assumed to take slots). With answers in send order
/// (one isolate talking to one Durable Object), one isolate therefore never admits past the
/// limit. Several isolates can, by at most the sum of their credits, which halves at every
/// answer and is zero near the limit (the same trade as Cloudflare's rate-limiting binding,
/// which is also local and eventually consistent). Daily token budgets never use credit:
/// every reservation waits for the limiter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credit {
    /// Requests that may still be admitted without waiting.
    pub left: u64,
    /// Requests admitted on credit whose count the limiter has not confirmed yet (reported or
    /// not).
    pub in_flight: u64,
    /// Of those, the ones not reported to the limiter yet (they go with the next `Admit`, or in
    /// a `Count` batch).
    pub unsent: u64,
    /// `Admit`s sent for requests that wait for the answer, not answered yet.
    pub waiting: u64,
    /// Tokens (prompt, completion) of finished requests without a budget, not reported yet
    /// (they go with the next `Count` batch).
    pub unsent_tokens: (u64, u64),
}

/// What [`Credit::begin`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// Admitted on credit. `flush`: this is the first unreported one, so the caller schedules a
    /// `Count` batch for the key.
    Credit { flush: bool },
    /// Wait for the limiter; send `credited` unreported requests with the `Admit`.
    Wait { credited: u64 },
}

impl Credit {
    /// Register a request: admitted on credit if `may_use_credit` and there is credit left,
    /// otherwise it waits for the limiter's answer.
    pub fn begin(&mut self, may_use_credit: bool) -> Begin {
        if may_use_credit && self.left > 0 {
            self.left -= 1;
            Begin::Credit {
                flush: self.count_only(),
            }
        } else {
            self.waiting += 1;
            Begin::Wait {
                credited: self.take_unsent(),
            }
        }
    }

    /// Register a request that nothing can refuse (no limit, no budget): only counted. Returns
    /// whether a `Count` batch must be scheduled.
    pub fn count_only(&mut self) -> bool {
        let flush = !self.has_unsent();
        self.in_flight += 1;
        self.unsent += 1;
        flush
    }

    /// Record a finished request's tokens for the next batch (requests without a budget: their
    /// count changes no decision, so it need not be reported at once). Returns whether a
    /// `Count` batch must be scheduled.
    pub fn add_tokens(&mut self, prompt: u64, completion: u64) -> bool {
        let flush = !self.has_unsent();
        self.unsent_tokens.0 += prompt;
        self.unsent_tokens.1 += completion;
        flush
    }

    /// Is anything waiting to be reported (a batch is then scheduled)?
    pub fn has_unsent(&self) -> bool {
        self.unsent > 0 || self.unsent_tokens != (0, 0)
    }

    /// Everything unreported, for a `Count` batch: (requests, tokens).
    pub fn take_batch(&mut self) -> (u64, (u64, u64)) {
        (self.take_unsent(), std::mem::take(&mut self.unsent_tokens))
    }

    /// The unreported requests, now being reported.
    pub fn take_unsent(&mut self) -> u64 {
        std::mem::take(&mut self.unsent)
    }

    /// Learn from the limiter's answer (`None`: it could not be asked) to an `Admit`
    /// (`waited`) or a `Count`, which carried `credited` requests admitted on credit.
    pub fn observe(&mut self, reply: Option<&LimitReply>, waited: bool, credited: u64) {
        if waited {
            self.waiting = self.waiting.saturating_sub(1);
        }
        self.in_flight = self.in_flight.saturating_sub(credited);
        self.left = match reply {
            Some(LimitReply::Allowed { remaining }) => {
                remaining.saturating_sub(self.in_flight + self.waiting) / 2
            }
            _ => 0,
        };
    }
}

/// May this `Admit` be decided on credit? Only a pure rate-limit check (no budget to reserve).
/// Without a limit and a budget nothing can refuse it, so it never needs to wait.
pub fn credit_applies(limit: u64, budget: Option<u64>) -> CreditUse {
    match (limit, budget) {
        (_, Some(_)) => CreditUse::Never,
        (0, None) => CreditUse::Always,
        _ => CreditUse::IfAvailable,
    }
}

/// How an `Admit` may use [`Credit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditUse {
    /// It reserves budget: always wait for the limiter.
    Never,
    /// Nothing can refuse it (only counting): never wait.
    Always,
    /// A rate limit: admit on credit when there is some.
    IfAvailable,
}

/// A client IP fit for a limiter key: `CF-Connecting-IP` (set by Cloudflare, and by workerd
/// locally), trimmed and bounded; `unknown` if absent or malformed.
pub fn ip_key(cf_connecting_ip: Option<&str>) -> String {
    let ip = cf_connecting_ip.map(str::trim).unwrap_or("");
    let ok = (2..=45).contains(&ip.len())
        && ip
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
    format!("ip:{}", if ok { ip } else { "unknown" })
}

/// Limiter key of a token label.
pub fn token_key(label: &str) -> String {
    format!("token:{label}")
}

/// Turn a limiter's answer to `Admit` into the client's error, if it is a refusal. `who` says
/// which limit (for example "this token" or "your IP address").
pub fn check_admitted(reply: &LimitReply, who: &str) -> Result<(), ApiError> {
    match reply {
        LimitReply::RateLimited { retry_after_s } => Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("Too many requests from {who}. Wait {retry_after_s} s (see Retry-After) and retry."),
        )
        .with_header("retry-after", retry_after_s.to_string())),
        LimitReply::BudgetExhausted { retry_after_s } => Err(ApiError::new(
            ErrorCode::BudgetExhausted,
            format!("The daily token budget of {who} is used up; it resets at 00:00 UTC (in {retry_after_s} s). Ask the operator for a larger budget."),
        )
        .with_header("retry-after", retry_after_s.to_string())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    #[test]
    fn credit_never_admits_past_the_limit_in_one_isolate() {
        // One isolate and its limiter: requests arrive, batches of credited requests are
        // flushed, the limiter applies messages in send order and answers come back in that
        // order, each step chosen pseudo-randomly (bursts of concurrent waiting requests
        // included). Every request served is counted, every waiting request is decided against
        // all earlier ones, and exactly `limit` requests are served.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for limit in [1, 2, 3, 5, 40, 100, 1000] {
            for _ in 0..20 {
                let mut st = LimiterState::default();
                let mut credit = Credit::default();
                // (waited, credited) per message: not applied yet, then answered.
                let mut sent = std::collections::VecDeque::new();
                let mut answered = std::collections::VecDeque::new();
                let (mut arrivals, mut served) = (limit * 3, 0);
                while arrivals > 0 || credit.unsent > 0 || !sent.is_empty() || !answered.is_empty()
                {
                    match rand(4) {
                        0 if arrivals > 0 => {
                            arrivals -= 1;
                            match credit.begin(true) {
                                Begin::Credit { .. } => served += 1,
                                Begin::Wait { credited } => sent.push_back((true, credited)),
                            }
                        }
                        1 if credit.unsent > 0 => sent.push_back((false, credit.take_unsent())),
                        2 if !sent.is_empty() => {
                            let (waited, credited) = sent.pop_front().unwrap();
                            let op = if waited {
                                LimitOp::Admit {
                                    limit,
                                    window_ms: MIN,
                                    budget: None,
                                    reserve: 0,
                                    credited,
                                }
                            } else {
                                LimitOp::Count {
                                    n: credited,
                                    limit,
                                    window_ms: MIN,
                                    prompt_tokens: 0,
                                    completion_tokens: 0,
                                }
                            };
                            answered.push_back((waited, credited, apply(&mut st, &op, 1000)));
                        }
                        3 if !answered.is_empty() => {
                            let (waited, credited, reply) = answered.pop_front().unwrap();
                            let allowed = matches!(reply, LimitReply::Allowed { .. });
                            served += u64::from(waited && allowed);
                            credit.observe(Some(&reply), waited, credited);
                        }
                        _ => {}
                    }
                }
                assert_eq!(served, limit, "limit {limit}: served past the limit");
                assert_eq!(
                    st.window.count, limit,
                    "limit {limit}: every served one counted"
                );
                assert_eq!(st.usage.requests, limit);
                assert_eq!((credit.in_flight, credit.waiting), (0, 0));
            }
        }
    }

    #[test]
    fn credit_halves_and_counts_unreported_and_unanswered_requests() {
        let mut c = Credit::default();
        assert_eq!(c.begin(true), Begin::Wait { credited: 0 }, "no credit yet");
        c.observe(Some(&LimitReply::Allowed { remaining: 21 }), true, 0);
        assert_eq!(c.left, 10);
        assert_eq!(c.begin(true), Begin::Credit { flush: true });
        assert_eq!(c.begin(true), Begin::Credit { flush: false });
        // A budget reservation always waits, and reports the two credited ones first.
        assert_eq!(c.begin(false), Begin::Wait { credited: 2 });
        assert_eq!((c.left, c.in_flight, c.unsent, c.waiting), (8, 2, 0, 1));
        c.observe(Some(&LimitReply::Allowed { remaining: 12 }), true, 2);
        assert_eq!(c.left, 6);
        assert_eq!(c.begin(true), Begin::Credit { flush: true });
        // An answer that cannot include the unreported one: it is subtracted.
        assert_eq!(c.begin(false), Begin::Wait { credited: 1 });
        assert_eq!(c.begin(false), Begin::Wait { credited: 0 });
        c.observe(Some(&LimitReply::Allowed { remaining: 9 }), true, 1);
        assert_eq!((c.left, c.in_flight, c.waiting), (4, 0, 1));
        c.observe(Some(&LimitReply::RateLimited { retry_after_s: 3 }), true, 0);
        assert_eq!(c.left, 0);
        assert_eq!(c.begin(true), Begin::Wait { credited: 0 });
        c.observe(Some(&LimitReply::Allowed { remaining: 1 }), true, 0);
        assert_eq!(c.left, 0, "the last slot always waits for the limiter");
        assert!(c.count_only());
        assert!(!c.count_only());
        assert_eq!(c.take_unsent(), 2);
        c.observe(None, false, 2);
        assert_eq!((c.left, c.in_flight, c.unsent, c.waiting), (0, 0, 0, 0));
        let mut st = LimiterState::default();
        let count = |n| LimitOp::Count {
            n,
            limit: 3,
            window_ms: MIN,
            prompt_tokens: 0,
            completion_tokens: 0,
        };
        assert_eq!(
            apply(&mut st, &count(2), 5),
            LimitReply::Allowed { remaining: 1 }
        );
        assert!(matches!(
            apply(&mut st, &count(2), 5),
            LimitReply::RateLimited { .. }
        ));
        assert_eq!(
            (st.window.count, st.usage.requests),
            (4, 4),
            "served ones count"
        );
        // Tokens of budget-less requests arrive in batches too.
        let mut c = Credit::default();
        assert!(
            c.add_tokens(3, 4),
            "the first unreported item schedules a batch"
        );
        assert!(!c.count_only(), "one batch is enough");
        assert!(!c.add_tokens(1, 1));
        assert_eq!(c.take_batch(), (1, (4, 5)));
        assert!(!c.has_unsent());
        let tokens = LimitOp::Count {
            n: 0,
            limit: 3,
            window_ms: MIN,
            prompt_tokens: 4,
            completion_tokens: 5,
        };
        apply(&mut st, &tokens, 5);
        assert_eq!((st.usage.prompt_tokens, st.usage.completion_tokens), (4, 5));
        assert_eq!(st.day.used, 9);
        assert_eq!(credit_applies(10, Some(5)), CreditUse::Never);
        assert_eq!(credit_applies(0, Some(5)), CreditUse::Never);
        assert_eq!(credit_applies(0, None), CreditUse::Always);
        assert_eq!(credit_applies(10, None), CreditUse::IfAvailable);
    }

    fn admit(s: &mut LimiterState, now: u64, limit: u64) -> LimitReply {
        apply(
            s,
            &LimitOp::Admit {
                limit,
                window_ms: MIN,
                budget: None,
                reserve: 0,
                credited: 0,
            },
            now,
        )
    }

    #[test]
    fn window_admits_up_to_the_limit_then_refuses() {
        let mut s = LimiterState::default();
        let t0 = 10 * MIN;
        for i in 0..5 {
            assert_eq!(
                admit(&mut s, t0 + i, 5),
                LimitReply::Allowed { remaining: 4 - i }
            );
        }
        match admit(&mut s, t0 + 10, 5) {
            LimitReply::RateLimited { retry_after_s } => {
                assert!((1..=120).contains(&retry_after_s), "{retry_after_s}")
            }
            r => panic!("{r:?}"),
        }
        assert_eq!(s.usage.requests, 5);
        assert_eq!(s.usage.rate_limited, 1);
    }

    #[test]
    fn sliding_window_weights_the_previous_window() {
        let mut s = LimiterState::default();
        let t0 = 10 * MIN;
        for _ in 0..10 {
            assert!(matches!(admit(&mut s, t0, 10), LimitReply::Allowed { .. }));
        }
        // A quarter into the next window, 75% of the previous 10 still count: 2 more fit.
        let t1 = t0 + MIN + MIN / 4;
        assert!(matches!(admit(&mut s, t1, 10), LimitReply::Allowed { .. }));
        assert!(matches!(admit(&mut s, t1, 10), LimitReply::Allowed { .. }));
        assert!(matches!(
            admit(&mut s, t1, 10),
            LimitReply::RateLimited { .. }
        ));
        // Two windows later everything is forgotten.
        for _ in 0..10 {
            assert!(matches!(
                admit(&mut s, t0 + 3 * MIN, 10),
                LimitReply::Allowed { .. }
            ));
        }
    }

    #[test]
    fn zero_limit_means_unlimited() {
        let mut s = LimiterState::default();
        for i in 0..1000 {
            assert!(matches!(admit(&mut s, i, 0), LimitReply::Allowed { .. }));
        }
    }

    #[test]
    fn budget_reserves_settles_and_resets_at_midnight() {
        let mut s = LimiterState::default();
        let t = 100 * DAY_MS + 1000;
        let op = |reserve| LimitOp::Admit {
            limit: 100,
            window_ms: MIN,
            budget: Some(1000),
            reserve,
            credited: 0,
        };
        assert!(matches!(
            apply(&mut s, &op(600), t),
            LimitReply::Allowed { .. }
        ));
        // 600 reserved: another 600 does not fit…
        match apply(&mut s, &op(600), t) {
            LimitReply::BudgetExhausted { retry_after_s } => {
                assert_eq!(retry_after_s, (DAY_MS - 1000) / 1000)
            }
            r => panic!("{r:?}"),
        }
        // …the refusal did not use up rate.
        assert_eq!(s.window.count, 1);
        // The first request actually used 100 tokens: now 600 fits.
        apply(
            &mut s,
            &LimitOp::Settle {
                reserved: 600,
                prompt_tokens: 40,
                completion_tokens: 60,
            },
            t,
        );
        assert_eq!(s.day.used, 100);
        assert!(matches!(
            apply(&mut s, &op(600), t),
            LimitReply::Allowed { .. }
        ));
        assert_eq!(
            apply(&mut s, &LimitOp::Read, t),
            LimitReply::Usage {
                usage: Usage {
                    requests: 2,
                    rate_limited: 0,
                    budget_refused: 1,
                    prompt_tokens: 40,
                    completion_tokens: 60,
                    last_request_ms: t,
                },
                day_tokens: 700
            }
        );
        // Next day: the budget is fresh.
        assert!(matches!(
            apply(&mut s, &op(1000), t + DAY_MS),
            LimitReply::Allowed { .. }
        ));
    }

    #[test]
    fn ops_round_trip_as_json() {
        let op = LimitOp::Admit {
            limit: 3,
            window_ms: 1000,
            budget: Some(5),
            reserve: 2,
            credited: 0,
        };
        let j = serde_json::to_string(&op).unwrap();
        assert!(j.contains("\"op\":\"admit\""), "{j}");
        assert_eq!(serde_json::from_str::<LimitOp>(&j).unwrap(), op);
        let r = LimitReply::RateLimited { retry_after_s: 3 };
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<LimitReply>(&j).unwrap(), r);
    }

    #[test]
    fn keys() {
        assert_eq!(ip_key(Some(" 127.0.0.1 ")), "ip:127.0.0.1");
        assert_eq!(ip_key(Some("::1")), "ip:::1");
        assert_eq!(ip_key(Some("evil/../x")), "ip:unknown");
        assert_eq!(ip_key(None), "ip:unknown");
        assert_eq!(token_key("app"), "token:app");
    }

    #[test]
    fn refusals_become_429_with_retry_after() {
        let e = check_admitted(&LimitReply::RateLimited { retry_after_s: 7 }, "this token")
            .unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::RateLimited, 429));
        assert_eq!(e.headers, vec![("retry-after", "7".to_string())]);
        assert!(e.message.contains("this token"));
        let e = check_admitted(&LimitReply::BudgetExhausted { retry_after_s: 9 }, "t").unwrap_err();
        assert_eq!((e.code.as_str(), e.status), ("daily_budget_exhausted", 429));
        assert!(check_admitted(&LimitReply::Allowed { remaining: 1 }, "t").is_ok());
    }
}
