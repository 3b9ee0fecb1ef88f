//! The statistics of experiments: confidence intervals, tests between arms, sample sizes.
//!
//! Pure and deterministic: every resampling method takes a seed and draws from the crate's
//! documented PRNG ([`Xoshiro256StarStar`]), so the same data give the same interval on every
//! platform. Intervals are 95 % unless a function says otherwise.

use serde::{Deserialize, Serialize};

use solver_core::rng::Xoshiro256StarStar;

/// z for a two-sided 95 % interval: the 97.5th percentile of the standard normal.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Resamples of the bootstrap intervals (enough for stable 2.5/97.5 percentiles).
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Relabellings of the permutation test.
pub const PERMUTATIONS: usize = 2000;

/// Significance level of the verdicts.
pub const ALPHA: f64 = 0.05;

/// A closed interval `[low, high]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies inside (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// `high - low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// A point estimate with its interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Its 95 % interval.
    pub ci: Interval,
}

/// The quantile function (inverse CDF) of the standard normal, for `0 < p < 1`.
///
/// Acklam's rational approximation (relative error < 1.2e-9), then one Halley step on
/// the complementary error function, which brings it to double precision. Returns
/// ±infinity at 0 and 1, NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let x = if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step with an accurate Φ (from erfc) takes the 1e-9 to double precision.
    let e = 0.5 * erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The complementary error function to about 1e-15 absolute: below 2.5 as `1 − erf` with
/// erf from its all-positive series `erf x = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))`
/// (no cancellation), above it from the continued fraction
/// `erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …))))` evaluated backwards.
fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    let two_over_sqrt_pi = 2.0 / std::f64::consts::PI.sqrt();
    if x < 2.5 {
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > sum * 1e-17 {
            n += 1.0;
            term *= 2.0 * x * x / (2.0 * n + 1.0);
            sum += term;
        }
        1.0 - two_over_sqrt_pi * (-x * x).exp() * sum
    } else {
        let mut k = x;
        for i in (1..=60).rev() {
            k = x + (f64::from(i) / 2.0) / k;
        }
        (-x * x).exp() / (std::f64::consts::PI.sqrt() * k)
    }
}

/// The Wilson score interval (95 %) for `successes` out of `n`, with the observed rate.
///
/// Unlike the Wald interval it stays inside [0, 1] and is not degenerate at 0/n or n/n,
/// which matters for the small run counts experiments have. `None` when `n` is 0 (no
/// data, no interval) or `successes > n`.
pub fn wilson(successes: u64, n: u64) -> Option<Estimate> {
    if n == 0 || successes > n {
        return None;
    }
    let (nf, p) = (n as f64, successes as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // The exact bounds at 0/n and n/n are 0 and 1; floating point can miss them by an ulp.
    let low = if successes == 0 { 0.0 } else { centre - half };
    let high = if successes == n { 1.0 } else { centre + half };
    Some(Estimate {
        value: p,
        ci: Interval { low, high },
    })
}

/// Newcombe's hybrid score interval (his method 10) for the difference `a − b` of two
/// independent proportions, built from the two Wilson intervals. `None` when either
/// sample is empty.
pub fn newcombe_difference(
    a_successes: u64,
    a_n: u64,
    b_successes: u64,
    b_n: u64,
) -> Option<Estimate> {
    let a = wilson(a_successes, a_n)?;
    let b = wilson(b_successes, b_n)?;
    let d = a.value - b.value;
    let low = d - ((a.value - a.ci.low).powi(2) + (b.ci.high - b.value).powi(2)).sqrt();
    let high = d + ((a.ci.high - a.value).powi(2) + (b.value - b.ci.low).powi(2)).sqrt();
    Some(Estimate {
        value: d,
        ci: Interval { low, high },
    })
}

/// Fisher's exact test, two-sided, on the 2×2 table `[[a, b], [c, d]]` (rows = arms,
/// columns = solved / not solved).
///
/// The two-sided p sums the probabilities of every table with the same margins that is no
/// more likely than the observed one, with the same relative tolerance (1e-7) R's
/// `fisher.test` uses so that ties in floating point count as ties.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let col1 = a + c;
    let n = a + b + c + d;
    if n == 0 {
        return 1.0;
    }
    let ln_fact = LnFactorial::new(n as usize);
    let row2 = n - row1;
    let col2 = n - col1;
    // ln P(x) for the table whose top-left cell is x.
    let ln_p = |x: u64| {
        ln_fact.get(row1) + ln_fact.get(row2) + ln_fact.get(col1) + ln_fact.get(col2)
            - ln_fact.get(n)
            - ln_fact.get(x)
            - ln_fact.get(row1 - x)
            - ln_fact.get(col1 - x)
            - ln_fact.get(row2 + x - col1)
    };
    let lo = col1.saturating_sub(row2);
    let hi = row1.min(col1);
    let observed = ln_p(a);
    let mut p = 0.0;
    for x in lo..=hi {
        let lp = ln_p(x);
        if lp <= observed + 1e-7_f64.ln_1p() {
            p += lp.exp();
        }
    }
    p.min(1.0)
}

/// `ln(k!)` for `k ≤ n`, summed once (exact enough for the table sizes of experiments and
/// needs no gamma function).
struct LnFactorial(Vec<f64>);

impl LnFactorial {
    fn new(n: usize) -> LnFactorial {
        let mut table = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        table.push(0.0);
        for k in 1..=n {
            acc += (k as f64).ln();
            table.push(acc);
        }
        LnFactorial(table)
    }

    fn get(&self, k: u64) -> f64 {
        self.0[k as usize]
    }
}

/// One session's moves: the unit that is resampled (moves within a session depend on each
/// other, so they are kept together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SessionMoves {
    /// Correct moves.
    pub correct: u64,
    /// Attempts of any outcome.
    pub attempts: u64,
}

/// Pooled per-move accuracy: all correct moves over all attempts. `None` without attempts.
pub fn pooled_accuracy(sessions: &[SessionMoves]) -> Option<f64> {
    let (c, n) = totals(sessions);
    (n > 0).then(|| c as f64 / n as f64)
}

fn totals(sessions: &[SessionMoves]) -> (u64, u64) {
    sessions
        .iter()
        .fold((0, 0), |(c, n), s| (c + s.correct, n + s.attempts))
}

/// Sessions that have at least one attempt (the others carry no move to measure).
fn with_moves(sessions: &[SessionMoves]) -> Vec<SessionMoves> {
    sessions
        .iter()
        .copied()
        .filter(|s| s.attempts > 0)
        .collect()
}

/// Draws one cluster bootstrap resample and returns its pooled accuracy. `sessions` must
/// be non-empty and every session must have attempts.
fn resample_accuracy(sessions: &[SessionMoves], rng: &mut Xoshiro256StarStar) -> f64 {
    let (mut c, mut n) = (0u64, 0u64);
    for _ in 0..sessions.len() {
        let s = sessions[rng.below(sessions.len() as u64) as usize];
        c += s.correct;
        n += s.attempts;
    }
    c as f64 / n as f64
}

/// The `q`-quantile of sorted values (type 7, linear interpolation, R's default).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let i = h.floor() as usize;
    let frac = h - i as f64;
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + frac * (next - sorted[i]),
        None => sorted[i],
    }
}

fn percentile_interval(mut values: Vec<f64>) -> Interval {
    values.sort_by(f64::total_cmp);
    Interval {
        low: quantile_sorted(&values, 0.025),
        high: quantile_sorted(&values, 0.975),
    }
}

/// Per-move accuracy with a 95 % percentile bootstrap interval that resamples whole
/// sessions ([`BOOTSTRAP_RESAMPLES`] resamples from `seed`). `None` when no session has an
/// attempt.
pub fn bootstrap_accuracy(sessions: &[SessionMoves], seed: u64) -> Option<Estimate> {
    let sessions = with_moves(sessions);
    let value = pooled_accuracy(&sessions)?;
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let draws = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| resample_accuracy(&sessions, &mut rng))
        .collect();
    Some(Estimate {
        value,
        ci: percentile_interval(draws),
    })
}

/// The difference of per-move accuracy `a − b` with a 95 % percentile bootstrap interval
/// (each arm's sessions resampled independently). `None` when either arm has no attempt.
pub fn bootstrap_accuracy_difference(
    a: &[SessionMoves],
    b: &[SessionMoves],
    seed: u64,
) -> Option<Estimate> {
    let (a, b) = (with_moves(a), with_moves(b));
    let value = pooled_accuracy(&a)? - pooled_accuracy(&b)?;
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let draws = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| resample_accuracy(&a, &mut rng) - resample_accuracy(&b, &mut rng))
        .collect();
    Some(Estimate {
        value,
        ci: percentile_interval(draws),
    })
}

/// Two-sided permutation test of "both arms have the same per-move accuracy": sessions are
/// relabelled at random ([`PERMUTATIONS`] times from `seed`) and the statistic is the
/// absolute difference of pooled accuracies. Returns `(1 + as-extreme) / (1 + permutations)`,
/// which is never 0 (a Monte-Carlo p-value cannot prove more than its resolution).
///
/// Symmetric by construction: the pool is put in a canonical order and the smaller arm is
/// always the first group, so swapping the arms gives exactly the same p. `None` when
/// either arm has no attempt.
pub fn permutation_test(a: &[SessionMoves], b: &[SessionMoves], seed: u64) -> Option<f64> {
    let (a, b) = (with_moves(a), with_moves(b));
    let observed = (pooled_accuracy(&a)? - pooled_accuracy(&b)?).abs();
    let first = a.len().min(b.len());
    let mut pool: Vec<SessionMoves> = a.iter().chain(&b).copied().collect();
    pool.sort();
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let mut extreme = 0usize;
    for _ in 0..PERMUTATIONS {
        rng.shuffle(&mut pool);
        let (x, y) = pool.split_at(first);
        let (xc, xn) = totals(x);
        let (yc, yn) = totals(y);
        let d = (xc as f64 / xn as f64 - yc as f64 / yn as f64).abs();
        // A tolerance so that the observed split itself (equal in exact arithmetic) counts.
        if d >= observed - 1e-12 {
            extreme += 1;
        }
    }
    Some((1 + extreme) as f64 / (1 + PERMUTATIONS) as f64)
}

/// Runs per arm for a two-sided test of two proportions `p1` vs `p2` at level `alpha` with
/// the given `power` (normal approximation without continuity correction, the formula R's
/// `power.prop.test` solves):
/// `n = ((z(1−α/2)·√(2·p̄·q̄) + z(power)·√(p1·q1 + p2·q2)) / (p1 − p2))²`, rounded up.
/// `None` when the proportions are equal or outside [0, 1].
pub fn sample_size_two_proportions(p1: f64, p2: f64, alpha: f64, power: f64) -> Option<u64> {
    let unit = |p: f64| (0.0..=1.0).contains(&p);
    let open_unit = |p: f64| 0.0 < p && p < 1.0;
    let usable = unit(p1) && unit(p2) && (p1 - p2).abs() >= 1e-12;
    if !(usable && open_unit(alpha) && open_unit(power)) {
        return None;
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let pbar = (p1 + p2) / 2.0;
    let num =
        za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    let n = (num / (p1 - p2)).powi(2);
    // Guard against 57.000000001 becoming 58.
    Some((n - 1e-9).ceil().max(1.0) as u64)
}

/// Runs per arm to detect a difference of `difference` (e.g. 0.2 for 20 points) from a
/// `baseline` rate with 80 % power at α = 0.05. The target rate is moved down instead of
/// up when `baseline + difference` would pass 1.
pub fn runs_needed(baseline: f64, difference: f64) -> Option<u64> {
    let target = if baseline + difference <= 1.0 {
        baseline + difference
    } else {
        baseline - difference
    };
    sample_size_two_proportions(baseline, target, ALPHA, 0.8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn normal_quantile_matches_tables() {
        // Standard normal table values (Abramowitz & Stegun, Table 26.5).
        assert!(close(normal_quantile(0.975), Z95, 1e-12));
        assert!(close(normal_quantile(0.8), 0.841_621_233_572_914, 1e-12));
        assert!(close(normal_quantile(0.5), 0.0, 1e-12));
        assert!(close(normal_quantile(0.01), -2.326_347_874_040_841, 1e-11));
        assert!(close(normal_quantile(0.995), 2.575_829_303_548_901, 1e-11));
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn wilson_matches_textbook_values() {
        // 8/10: [0.4902, 0.9433] (Wilson 1927; Newcombe 1998, Stat. Med. 17:857, method 3;
        // R `prop.test(8, 10, correct = FALSE)$conf.int`).
        let e = wilson(8, 10).unwrap();
        assert!(close(e.value, 0.8, 1e-12));
        assert!(close(e.ci.low, 0.4902, 5e-5), "{e:?}");
        assert!(close(e.ci.high, 0.9433, 5e-5), "{e:?}");
        // Edge cases: 0/10 → [0, 0.2775], 10/10 → [0.7225, 1] (same sources).
        let zero = wilson(0, 10).unwrap();
        assert_eq!(zero.ci.low, 0.0);
        assert!(close(zero.ci.high, 0.2775, 5e-5), "{zero:?}");
        let all = wilson(10, 10).unwrap();
        assert_eq!(all.ci.high, 1.0);
        assert!(close(all.ci.low, 0.7225, 5e-5), "{all:?}");
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn newcombe_matches_his_worked_example() {
        // Newcombe 1998, Stat. Med. 17:873, Table II, example (a): 56/70 − 48/80 = 0.2000,
        // method 10 interval 0.0524 to 0.3339.
        let e = newcombe_difference(56, 70, 48, 80).unwrap();
        assert!(close(e.value, 0.2, 1e-12));
        assert!(close(e.ci.low, 0.0524, 5e-5), "{e:?}");
        assert!(close(e.ci.high, 0.3339, 5e-5), "{e:?}");
        // Example (f) there: 0/10 − 0/20 = 0, interval −0.1611 to 0.2775.
        let z = newcombe_difference(0, 10, 0, 20).unwrap();
        assert!(close(z.ci.low, -0.1611, 5e-5), "{z:?}");
        assert!(close(z.ci.high, 0.2775, 5e-5), "{z:?}");
    }

    #[test]
    fn fisher_matches_r() {
        // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857 (Fisher's tea tasting).
        assert!(close(fisher_exact(3, 1, 1, 3), 0.485_714_3, 1e-6));
        // R: fisher.test(matrix(c(1, 11, 9, 3), 2))$p.value = 0.002759 (Wikipedia's
        // "Fisher's exact test" dieting example, table [[1, 9], [11, 3]]).
        assert!(close(fisher_exact(1, 9, 11, 3), 0.002_759_456, 1e-8));
        // R: fisher.test(matrix(c(10, 0, 0, 10), 2))$p.value = 1.082509e-05.
        assert!(close(fisher_exact(10, 0, 0, 10), 1.082_509e-5, 1e-10));
        // Identical arms: p = 1.
        assert!(close(fisher_exact(5, 5, 5, 5), 1.0, 1e-12));
        assert_eq!(fisher_exact(0, 0, 0, 0), 1.0);
    }

    #[test]
    fn sample_size_matches_power_prop_test() {
        // R's ?power.prop.test example: p1 = .50, p2 = .75, power = .90 "=> n = 76.7" → 77.
        assert_eq!(sample_size_two_proportions(0.5, 0.75, 0.05, 0.9), Some(77));
        // The same at 80 % power: n = 57.67 → 58.
        assert_eq!(sample_size_two_proportions(0.5, 0.75, 0.05, 0.8), Some(58));
        // R: power.prop.test(p1 = .2, p2 = .4, power = .8)$n = 81.22 → 82.
        assert_eq!(sample_size_two_proportions(0.2, 0.4, 0.05, 0.8), Some(82));
        assert_eq!(sample_size_two_proportions(0.3, 0.3, 0.05, 0.8), None);
        assert_eq!(
            runs_needed(0.9, 0.2),
            sample_size_two_proportions(0.9, 0.7, 0.05, 0.8)
        );
    }

    fn sessions(pairs: &[(u64, u64)]) -> Vec<SessionMoves> {
        pairs
            .iter()
            .map(|&(correct, attempts)| SessionMoves { correct, attempts })
            .collect()
    }

    #[test]
    fn bootstrap_is_seeded_and_clustered() {
        let s = sessions(&[(5, 10), (8, 10), (2, 10), (9, 10), (0, 0)]);
        let a = bootstrap_accuracy(&s, 7).unwrap();
        assert_eq!(a, bootstrap_accuracy(&s, 7).unwrap());
        assert!(close(a.value, 24.0 / 40.0, 1e-12));
        assert!(a.ci.contains(a.value));
        // Resampling sessions, not moves: with 4 sessions the interval is wide (a move-level
        // bootstrap of 40 moves would give about ±0.15; these sessions vary far more).
        assert!(a.ci.width() > 0.3, "{a:?}");
        // One session: every resample is that session.
        let one = bootstrap_accuracy(&sessions(&[(3, 4)]), 1).unwrap();
        assert_eq!(
            one.ci,
            Interval {
                low: 0.75,
                high: 0.75
            }
        );
        assert_eq!(bootstrap_accuracy(&sessions(&[(0, 0)]), 1), None);
    }

    #[test]
    fn permutation_test_finds_clear_differences_only() {
        let good = sessions(&[(9, 10), (10, 10), (9, 10), (10, 10), (9, 10), (10, 10)]);
        let bad = sessions(&[(1, 10), (0, 10), (2, 10), (1, 10), (0, 10), (1, 10)]);
        let p = permutation_test(&good, &bad, 3).unwrap();
        // Exact p for 6 vs 6 fully separated = 2 / C(12, 6) = 0.0022; Monte Carlo with the
        // +1 rule lands near it.
        assert!(p < 0.01, "{p}");
        let same = permutation_test(&good, &good, 3).unwrap();
        assert!(same > 0.9, "{same}");
        let d = bootstrap_accuracy_difference(&good, &bad, 3).unwrap();
        assert!(d.ci.low > 0.5 && d.ci.contains(d.value));
    }

    fn arb_sessions() -> impl Strategy<Value = Vec<SessionMoves>> {
        prop::collection::vec((1u64..40).prop_flat_map(|n| (0..=n, Just(n))), 1..12)
            .prop_map(|v| sessions(&v))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn wilson_contains_estimate_and_narrows(k in 0u64..50, n in 1u64..50) {
            let k = k.min(n);
            let e = wilson(k, n).unwrap();
            prop_assert!(e.ci.contains(e.value));
            prop_assert!(e.ci.low >= 0.0 && e.ci.high <= 1.0);
            // Same rate, four times the data: a narrower interval.
            let bigger = wilson(4 * k, 4 * n).unwrap();
            prop_assert!(bigger.ci.width() < e.ci.width());
        }

        #[test]
        fn newcombe_contains_difference(a in 0u64..30, an in 1u64..30, b in 0u64..30, bn in 1u64..30) {
            let e = newcombe_difference(a.min(an), an, b.min(bn), bn).unwrap();
            prop_assert!(e.ci.contains(e.value));
            prop_assert!(e.ci.low >= -1.0 - 1e-12 && e.ci.high <= 1.0 + 1e-12);
        }

        #[test]
        fn fisher_p_is_a_probability_and_symmetric(a in 0u64..15, b in 0u64..15, c in 0u64..15, d in 0u64..15) {
            let p = fisher_exact(a, b, c, d);
            prop_assert!((0.0..=1.0).contains(&p));
            prop_assert!((p - fisher_exact(c, d, a, b)).abs() < 1e-12);
            prop_assert!((p - fisher_exact(b, a, d, c)).abs() < 1e-12);
        }

        #[test]
        fn bootstrap_contains_estimate(s in arb_sessions(), seed in any::<u64>()) {
            let e = bootstrap_accuracy(&s, seed).unwrap();
            prop_assert!(e.ci.contains(e.value), "{:?}", e);
            prop_assert!(e.ci.low >= 0.0 && e.ci.high <= 1.0);
        }

        #[test]
        fn bootstrap_narrows_with_more_sessions(s in arb_sessions(), seed in any::<u64>()) {
            let small = bootstrap_accuracy(&s, seed).unwrap();
            // The same sessions nine times over: the interval should be about a third as
            // wide (Monte Carlo noise allowed for).
            let many: Vec<SessionMoves> = s.iter().cycle().take(9 * s.len()).copied().collect();
            let big = bootstrap_accuracy(&many, seed).unwrap();
            prop_assert!((big.value - small.value).abs() < 1e-12);
            prop_assert!(big.ci.width() <= small.ci.width() * 0.6 + 1e-9, "{:?} vs {:?}", big, small);
        }

        #[test]
        fn permutation_p_in_range_and_symmetric(a in arb_sessions(), b in arb_sessions(), seed in any::<u64>()) {
            let p = permutation_test(&a, &b, seed).unwrap();
            prop_assert!(p > 0.0 && p <= 1.0);
            prop_assert_eq!(p, permutation_test(&b, &a, seed).unwrap());
        }
    }
}
