//! Retry policy, backoff schedule and the per-provider circuit breaker: pure decisions.
//!
//! The Worker retries only before the first byte of an answer reaches the client (the whole
//! upstream exchange up to its response headers is retried, never a started stream), on
//! connect errors, timeouts, 429 and 5xx. A provider whose calls keep failing is skipped for a
//! cool-down (circuit open), after which one trial call is let through (half-open).

/// What one upstream attempt came to, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// 2xx response headers arrived.
    Success,
    /// `fetch` failed: refused, reset, DNS, TLS.
    ConnectError,
    /// No response headers within the timeout.
    Timeout,
    /// A non-2xx status.
    Status(u16),
}

impl Attempt {
    /// Worth another try (on this or another provider)?
    pub fn is_retryable(self) -> bool {
        match self {
            Attempt::Success => false,
            Attempt::ConnectError | Attempt::Timeout => true,
            Attempt::Status(s) => s == 429 || s == 408 || (500..=599).contains(&s),
        }
    }

    /// Does it count against the provider's health? (A 4xx other than 429/408 is the
    /// client's fault, not the provider's.)
    pub fn is_provider_failure(self) -> bool {
        self.is_retryable()
    }
}

/// How many times to retry and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// Base delay of the exponential schedule.
    pub base_ms: u64,
    /// Cap on one delay.
    pub max_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_ms: 100,
            max_ms: 2_000,
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (1-based), "full jitter": a uniform pick in
    /// `[0, min(max, base·2^(retry-1))]`, with `rand01` in `[0, 1)`. A `Retry-After` from the
    /// upstream (seconds) is honoured when it is shorter than `max_ms`, else the retry is given up
    /// (`None`): waiting longer than that is better left to the client.
    pub fn delay_ms(&self, retry: u32, rand01: f64, retry_after_s: Option<u64>) -> Option<u64> {
        if retry == 0 || retry > self.max_retries {
            return None;
        }
        if let Some(s) = retry_after_s {
            let ms = s.saturating_mul(1000);
            return (ms <= self.max_ms).then_some(ms);
        }
        let exp = self
            .base_ms
            .saturating_mul(1u64 << (retry - 1).min(30))
            .min(self.max_ms);
        let r = rand01.clamp(0.0, 1.0);
        Some(((exp as f64) * r).floor() as u64)
    }

    /// The upper bound of the delay before retry number `retry` (for documentation and tests).
    pub fn ceiling_ms(&self, retry: u32) -> u64 {
        self.base_ms
            .saturating_mul(1u64 << retry.saturating_sub(1).min(30))
            .min(self.max_ms)
    }
}

/// Parse `Retry-After` in seconds (the HTTP-date form is not used by model APIs).
pub fn parse_retry_after(v: Option<&str>) -> Option<u64> {
    v?.trim().parse::<u64>().ok()
}

/// Circuit breaker settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failures that open the circuit.
    pub failure_threshold: u32,
    /// How long the circuit stays open before a trial call.
    pub open_ms: u64,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        BreakerPolicy {
            failure_threshold: 5,
            open_ms: 30_000,
        }
    }
}

/// A provider's circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaker {
    /// Calls go through; `failures` consecutive failures so far.
    Closed { failures: u32 },
    /// Calls are refused until `until_ms`.
    Open { until_ms: u64 },
    /// One trial call is in flight since `since_ms`; others are refused until it reports (or,
    /// if it never does, until another cool-down has passed).
    HalfOpen { since_ms: u64 },
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker::Closed { failures: 0 }
    }
}

impl Breaker {
    /// May a call start now? Moves Open → HalfOpen when the cool-down is over (that caller is
    /// the trial).
    pub fn try_acquire(&mut self, now_ms: u64, policy: &BreakerPolicy) -> bool {
        let trial = match *self {
            Breaker::Closed { .. } => return true,
            Breaker::Open { until_ms } => now_ms >= until_ms,
            Breaker::HalfOpen { since_ms } => now_ms >= since_ms + policy.open_ms,
        };
        if trial {
            *self = Breaker::HalfOpen { since_ms: now_ms };
        }
        trial
    }

    /// Report the outcome of a call that [`Breaker::try_acquire`] let through.
    pub fn record(&mut self, outcome: Attempt, now_ms: u64, policy: &BreakerPolicy) {
        if !outcome.is_provider_failure() {
            *self = Breaker::Closed { failures: 0 };
            return;
        }
        *self = match *self {
            Breaker::Closed { failures } if failures + 1 < policy.failure_threshold => {
                Breaker::Closed {
                    failures: failures + 1,
                }
            }
            _ => Breaker::Open {
                until_ms: now_ms + policy.open_ms,
            },
        };
    }

    pub fn is_open(&self, now_ms: u64) -> bool {
        match *self {
            Breaker::Open { until_ms } => now_ms < until_ms,
            Breaker::HalfOpen { .. } => true,
            Breaker::Closed { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_retried() {
        assert!(Attempt::ConnectError.is_retryable());
        assert!(Attempt::Timeout.is_retryable());
        for s in [429, 408, 500, 502, 503, 504, 599] {
            assert!(Attempt::Status(s).is_retryable(), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 413, 422] {
            assert!(!Attempt::Status(s).is_retryable(), "{s}");
        }
        assert!(!Attempt::Success.is_retryable());
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let p = RetryPolicy {
            max_retries: 6,
            base_ms: 100,
            max_ms: 1_000,
        };
        assert_eq!(p.ceiling_ms(1), 100);
        assert_eq!(p.ceiling_ms(2), 200);
        assert_eq!(p.ceiling_ms(3), 400);
        assert_eq!(p.ceiling_ms(4), 800);
        assert_eq!(p.ceiling_ms(5), 1_000);
        for retry in 1..=6 {
            assert_eq!(p.delay_ms(retry, 0.0, None), Some(0));
            let hi = p.delay_ms(retry, 0.999_999, None).unwrap();
            assert!(hi <= p.ceiling_ms(retry) && hi + 2 >= p.ceiling_ms(retry));
            assert_eq!(p.delay_ms(retry, 0.5, None), Some(p.ceiling_ms(retry) / 2));
        }
        assert_eq!(p.delay_ms(7, 0.5, None), None, "retries exhausted");
        assert_eq!(p.delay_ms(0, 0.5, None), None);
        // Retry-After within the cap is honoured; beyond it the retry is left to the client.
        assert_eq!(p.delay_ms(1, 0.5, Some(1)), Some(1_000));
        assert_eq!(p.delay_ms(1, 0.5, Some(2)), None);
        assert_eq!(
            RetryPolicy {
                max_retries: 0,
                ..p
            }
            .delay_ms(1, 0.5, None),
            None
        );
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after(Some(" 3 ")), Some(3));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn breaker_opens_after_threshold_then_half_opens() {
        let pol = BreakerPolicy {
            failure_threshold: 3,
            open_ms: 1_000,
        };
        let mut b = Breaker::default();
        for _ in 0..2 {
            assert!(b.try_acquire(0, &pol));
            b.record(Attempt::Status(503), 0, &pol);
        }
        assert_eq!(b, Breaker::Closed { failures: 2 });
        // A client error does not count, and a success resets.
        b.record(Attempt::Status(400), 0, &pol);
        assert_eq!(b, Breaker::Closed { failures: 0 });
        for _ in 0..3 {
            assert!(b.try_acquire(10, &pol));
            b.record(Attempt::ConnectError, 10, &pol);
        }
        assert_eq!(b, Breaker::Open { until_ms: 1_010 });
        assert!(b.is_open(500));
        assert!(!b.try_acquire(500, &pol));
        // Cool-down over: one trial goes through, others wait.
        assert!(b.try_acquire(1_010, &pol));
        assert_eq!(b, Breaker::HalfOpen { since_ms: 1_010 });
        assert!(!b.try_acquire(1_011, &pol));
        // A trial that never reports does not block the provider forever.
        let mut stuck = b;
        assert!(stuck.try_acquire(2_010, &pol));
        // The trial fails: open again.
        b.record(Attempt::Timeout, 1_020, &pol);
        assert_eq!(b, Breaker::Open { until_ms: 2_020 });
        // Next trial succeeds: closed.
        assert!(b.try_acquire(2_020, &pol));
        b.record(Attempt::Success, 2_030, &pol);
        assert_eq!(b, Breaker::Closed { failures: 0 });
        assert!(!b.is_open(2_030));
    }
}
