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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// The exact McNemar test for paired yes/no outcomes: `b` pairs where only the first member
/// succeeded, `c` where only the second did (the concordant pairs carry no information about
/// a difference). Under "no difference" each discordant pair goes either way with
/// probability ½, so `min(b, c)` is Binomial(b + c, ½); the two-sided p is twice its lower
/// tail, capped at 1. 1 when there is no discordant pair.
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let ln_fact = LnFactorial::new(n as usize);
    let ln_half_n = n as f64 * 0.5f64.ln();
    let tail: f64 = (0..=b.min(c))
        .map(|k| (ln_fact.get(n) - ln_fact.get(k) - ln_fact.get(n - k) + ln_half_n).exp())
        .sum();
    (2.0 * tail).min(1.0)
}

/// One puzzle played by both arms of a comparison: each arm's moves (or solved runs) on it,
/// summed over its repeats (a puzzle is the unit the paired methods resample, so its runs stay together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PuzzlePair {
    /// The arm under test.
    pub arm: SessionMoves,
    /// The control arm.
    pub control: SessionMoves,
}

/// Pairs where both arms made at least one attempt (a side without moves has no accuracy).
fn pairs_with_moves(pairs: &[PuzzlePair]) -> Vec<PuzzlePair> {
    pairs
        .iter()
        .copied()
        .filter(|p| p.arm.attempts > 0 && p.control.attempts > 0)
        .collect()
}

/// Pooled accuracy of the arm minus that of the control over `pairs` (every pair has
/// attempts on both sides, so neither denominator is 0 for a non-empty slice).
fn paired_difference<'a>(pairs: impl Iterator<Item = &'a PuzzlePair>) -> f64 {
    let (mut ac, mut an, mut cc, mut cn) = (0u64, 0u64, 0u64, 0u64);
    for p in pairs {
        ac += p.arm.correct;
        an += p.arm.attempts;
        cc += p.control.correct;
        cn += p.control.attempts;
    }
    ac as f64 / an as f64 - cc as f64 / cn as f64
}

/// The difference of pooled shares arm − control over puzzles both arms played — per-move
/// accuracy (correct over attempts), or solve rate (solved runs over runs, a run counted as
/// an "attempt") — with a 95 % percentile bootstrap interval that resamples whole puzzles ([`BOOTSTRAP_RESAMPLES`]
/// resamples from `seed`): both arms' moves on a puzzle are drawn together, so what the
/// puzzles share (their difficulty) cancels out of every resample. `None` without a pair in
/// which both arms made an attempt.
pub fn paired_bootstrap_difference(pairs: &[PuzzlePair], seed: u64) -> Option<Estimate> {
    let pairs = pairs_with_moves(pairs);
    if pairs.is_empty() {
        return None;
    }
    let value = paired_difference(pairs.iter());
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let n = pairs.len() as u64;
    let mut draw = Vec::with_capacity(pairs.len());
    let draws = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            draw.clear();
            draw.extend((0..n).map(|_| pairs[rng.below(n) as usize]));
            paired_difference(draw.iter())
        })
        .collect();
    Some(Estimate {
        value,
        ci: percentile_interval(draws),
    })
}

/// Two-sided paired permutation test of "both arms have the same per-move accuracy": within
/// each puzzle the two arms' labels are swapped or not, and the statistic is the absolute
/// difference of pooled accuracies. Exact (all 2ⁿ swaps) when 2ⁿ ≤ [`PERMUTATIONS`],
/// otherwise [`PERMUTATIONS`] random swaps from `seed` with the `(1 + as-extreme) / (1 +
/// permutations)` rule. Swapping the arms gives the same p. `None` without a pair in which
/// both arms made an attempt.
pub fn paired_permutation_test(pairs: &[PuzzlePair], seed: u64) -> Option<f64> {
    let pairs = pairs_with_moves(pairs);
    if pairs.is_empty() {
        return None;
    }
    let observed = paired_difference(pairs.iter()).abs();
    let swapped = |flip: &dyn Fn(usize) -> bool| {
        let relabelled: Vec<PuzzlePair> = pairs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if flip(i) {
                    PuzzlePair {
                        arm: p.control,
                        control: p.arm,
                    }
                } else {
                    *p
                }
            })
            .collect();
        // A tolerance so that relabellings equal in exact arithmetic count as extreme.
        paired_difference(relabelled.iter()).abs() >= observed - 1e-12
    };
    let n = pairs.len();
    if n < usize::BITS as usize && (1usize << n) <= PERMUTATIONS {
        let all = 1usize << n;
        let extreme = (0..all)
            .filter(|mask| swapped(&|i| mask >> i & 1 == 1))
            .count();
        return Some(extreme as f64 / all as f64);
    }
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let mut extreme = 0usize;
    for _ in 0..PERMUTATIONS {
        let flips: Vec<bool> = (0..n).map(|_| rng.below(2) == 1).collect();
        if swapped(&|i| flips[i]) {
            extreme += 1;
        }
    }
    Some((1 + extreme) as f64 / (1 + PERMUTATIONS) as f64)
}

/// How the significance level of a sequential experiment is shared among its looks (the
/// checkpoints and the final analysis), declared in the design before the run.
///
/// Each look gets the share of α its rule assigns to it, and tests there against that share
/// alone. By the union bound, the chance that any look makes a false call is then at most
/// the sum of the shares, which is α: honest whatever the correlation between looks (and
/// slightly conservative, since looks at growing data are positively correlated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlphaSpending {
    /// The same share at every look: α / looks.
    #[default]
    Bonferroni,
    /// Pocock-type spending: α·ln(1 + (e − 1)·t) spent by information fraction t; early
    /// looks get a fair share, so an early stop is likelier but the final look has less.
    Pocock,
    /// O'Brien–Fleming-type spending: 2·(1 − Φ(z₁₋α/₂ / √t)); early looks get almost
    /// nothing, so the final look keeps nearly all of α.
    OBrienFleming,
}

impl AlphaSpending {
    /// Every rule, in the order a form lists them.
    pub const ALL: [AlphaSpending; 3] = [
        AlphaSpending::Bonferroni,
        AlphaSpending::Pocock,
        AlphaSpending::OBrienFleming,
    ];

    /// The rule's form value.
    pub fn key(self) -> &'static str {
        match self {
            AlphaSpending::Bonferroni => "bonferroni",
            AlphaSpending::Pocock => "pocock",
            AlphaSpending::OBrienFleming => "obrien-fleming",
        }
    }

    /// The rule a form value names.
    pub fn from_key(key: &str) -> Option<AlphaSpending> {
        AlphaSpending::ALL.into_iter().find(|s| s.key() == key)
    }

    /// What people read.
    pub fn name(self) -> &'static str {
        match self {
            AlphaSpending::Bonferroni => "Bonferroni",
            AlphaSpending::Pocock => "Pocock-type spending",
            AlphaSpending::OBrienFleming => "O'Brien-Fleming-type spending",
        }
    }

    /// The α spent by look `look` (0-based) of `looks`, at information fraction `t`
    /// (0..=1), of a total `alpha`: Bonferroni by look count, the others by fraction.
    fn spent_by(self, look: usize, looks: usize, t: f64, alpha: f64) -> f64 {
        let t = t.clamp(0.0, 1.0);
        match self {
            AlphaSpending::Bonferroni => alpha * (look + 1) as f64 / looks as f64,
            AlphaSpending::Pocock => alpha * (1.0 + (std::f64::consts::E - 1.0) * t).ln(),
            AlphaSpending::OBrienFleming if t == 0.0 => 0.0,
            AlphaSpending::OBrienFleming => {
                let z = normal_quantile(1.0 - alpha / 2.0);
                erfc(z / (std::f64::consts::SQRT_2 * t.sqrt()))
            }
        }
    }

    /// The level of each look, given each look's information fraction (increasing, the
    /// last normally 1): the α spent since the previous look — for Bonferroni
    /// `alpha / looks` each. The shares sum to at most `alpha`.
    pub fn look_alphas(self, fractions: &[f64], alpha: f64) -> Vec<f64> {
        let mut before = 0.0;
        fractions
            .iter()
            .enumerate()
            .map(|(look, &t)| {
                let spent = self
                    .spent_by(look, fractions.len(), t, alpha)
                    .min(alpha)
                    .max(before);
                let share = spent - before;
                before = spent;
                share
            })
            .collect()
    }
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

    #[test]
    fn mcnemar_exact_matches_hand_computed_binomial_tails() {
        // b = 1, c = 9: 10 discordant pairs, P(X ≤ 1) for X ~ Bin(10, ½) is
        // (C(10,0) + C(10,1)) / 2¹⁰ = 11/1024; two-sided: 22/1024 = 0.021484375.
        assert!(close(mcnemar_exact(1, 9), 0.021_484_375, 1e-15));
        assert!(close(mcnemar_exact(9, 1), 0.021_484_375, 1e-15));
        // b = 3, c = 3: P(X ≤ 3) for Bin(6, ½) = (1 + 6 + 15 + 20)/64 = 42/64; doubled it
        // passes 1, so p = 1.
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        // b = 0, c = 5: 2 · 1/32 = 0.0625 (five discordant pairs can never reach 0.05).
        assert!(close(mcnemar_exact(0, 5), 0.0625, 1e-15));
        // b = 0, c = 6: 2 · 1/64 = 0.03125.
        assert!(close(mcnemar_exact(0, 6), 0.031_25, 1e-15));
        // b = 2, c = 8: 2 · (1 + 10 + 45)/1024 = 112/1024 = 0.109375.
        assert!(close(mcnemar_exact(2, 8), 0.109_375, 1e-15));
        // No discordant pair: nothing to tell the arms apart.
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // Large tables stay finite: b = 0, c = 2000 is 2 · 2⁻²⁰⁰⁰, below f64's range.
        assert_eq!(mcnemar_exact(0, 2000), 0.0);
        assert!(close(mcnemar_exact(1000, 1000), 1.0, 1e-12));
    }

    fn pair(arm: (u64, u64), control: (u64, u64)) -> PuzzlePair {
        PuzzlePair {
            arm: SessionMoves {
                correct: arm.0,
                attempts: arm.1,
            },
            control: SessionMoves {
                correct: control.0,
                attempts: control.1,
            },
        }
    }

    #[test]
    fn paired_bootstrap_is_fixed_for_a_fixed_seed_and_cancels_puzzle_difficulty() {
        // Puzzles of very different difficulty; the arm is always 10 points better on each.
        let pairs: Vec<PuzzlePair> = [(9, 8), (5, 4), (2, 1), (7, 6), (4, 3), (10, 9)]
            .iter()
            .map(|&(a, c)| pair((a, 10), (c, 10)))
            .collect();
        let e = paired_bootstrap_difference(&pairs, 42).unwrap();
        assert!(close(e.value, 0.1, 1e-12));
        // Every resample has the arm exactly 10 points up (equal attempts everywhere), so
        // the interval is the point: the puzzles' spread does not widen it.
        assert!(
            close(e.ci.low, 0.1, 1e-12) && close(e.ci.high, 0.1, 1e-12),
            "{e:?}"
        );
        // The unpaired bootstrap over the same sessions mixes difficulty into the interval.
        let (a, c): (Vec<_>, Vec<_>) = pairs.iter().map(|p| (p.arm, p.control)).unzip();
        let unpaired = bootstrap_accuracy_difference(&a, &c, 42).unwrap();
        assert!(unpaired.ci.low < 0.0, "{unpaired:?}");
        // Uneven differences: the same seed gives the same interval, run after run, and a
        // different seed a (slightly) different one.
        let mixed = vec![
            pair((9, 10), (5, 10)),
            pair((3, 10), (4, 10)),
            pair((6, 12), (2, 8)),
            pair((8, 10), (8, 10)),
            pair((0, 0), (3, 10)),
        ];
        let one = paired_bootstrap_difference(&mixed, 7).unwrap();
        assert_eq!(one, paired_bootstrap_difference(&mixed, 7).unwrap());
        // The pair without arm moves is left out: (9+3+6+8)/42 − (5+4+2+8)/38.
        assert!(close(one.value, 26.0 / 42.0 - 19.0 / 38.0, 1e-12));
        assert!(
            one.ci.contains(one.value) && one.ci.width() > 0.05,
            "{one:?}"
        );
        // Pinned for seed 7: each bound is the pooled difference of one 4-puzzle resample,
        // e.g. the low end −0.05 = (3+3+8+8)/40 − (4+4+8+8)/40 (the second and fourth
        // puzzles drawn twice each).
        assert!(close(one.ci.low, -0.05, 1e-12), "{one:?}");
        assert!(close(one.ci.high, 0.3, 1e-12), "{one:?}");
        assert_eq!(
            paired_bootstrap_difference(&[pair((0, 0), (1, 2))], 1),
            None
        );
    }

    #[test]
    fn paired_permutation_is_exact_for_few_puzzles() {
        // Four puzzles, the arm all right and the control all wrong on each: of the 2⁴
        // relabellings only "none swapped" and "all swapped" reach |difference| = 1, so
        // p = 2/16 = 0.125 exactly.
        let split: Vec<PuzzlePair> = (0..4).map(|_| pair((5, 5), (0, 5))).collect();
        assert_eq!(paired_permutation_test(&split, 1), Some(0.125));
        // Identical arms: every relabelling is as extreme (0 ≥ 0): p = 1.
        let same: Vec<PuzzlePair> = (0..5).map(|i| pair((i, 6), (i, 6))).collect();
        assert_eq!(paired_permutation_test(&same, 1), Some(1.0));
        // Twelve separated puzzles go to Monte Carlo (2¹² > 2000 relabellings): the exact p
        // would be 2/4096; the +1 rule keeps it at or above 1/2001.
        let many: Vec<PuzzlePair> = (0..12).map(|_| pair((5, 5), (0, 5))).collect();
        let p = paired_permutation_test(&many, 3).unwrap();
        assert!((1.0 / 2001.0..0.01).contains(&p), "{p}");
        assert_eq!(paired_permutation_test(&[], 3), None);
    }

    #[test]
    fn alpha_spending_shares_match_their_formulas() {
        let halves = [0.5, 1.0];
        // Bonferroni: α / looks at each.
        assert_eq!(
            AlphaSpending::Bonferroni.look_alphas(&halves, 0.05),
            vec![0.025, 0.025]
        );
        // Three looks, uneven fractions: still a third each (it spends by looks, not data).
        let thirds = AlphaSpending::Bonferroni.look_alphas(&[0.1, 0.2, 1.0], 0.06);
        assert!(thirds.iter().all(|&a| close(a, 0.02, 1e-15)), "{thirds:?}");
        // A look at no data spends nothing under the spending rules.
        assert_eq!(
            AlphaSpending::OBrienFleming.look_alphas(&[0.0], 0.05),
            vec![0.0]
        );
        assert_eq!(AlphaSpending::Pocock.look_alphas(&[0.0], 0.05), vec![0.0]);
        // Pocock-type at t = ½: 0.05 · ln(1 + (e − 1)/2) = 0.05 · ln(1.859141) = 0.0310057;
        // the final look gets the rest of 0.05.
        let pocock = AlphaSpending::Pocock.look_alphas(&halves, 0.05);
        assert!(close(pocock[0], 0.031_005_725, 1e-8), "{pocock:?}");
        assert!(close(pocock[0] + pocock[1], 0.05, 1e-12));
        // O'Brien–Fleming-type at t = ½: 2·(1 − Φ(1.959964 · √2)) = 2·(1 − Φ(2.771808))
        // = 0.0055746; the final look keeps 0.0444254.
        let obf = AlphaSpending::OBrienFleming.look_alphas(&halves, 0.05);
        assert!(close(obf[0], 0.005_574_597, 1e-8), "{obf:?}");
        assert!(close(obf[0] + obf[1], 0.05, 1e-12));
        for s in AlphaSpending::ALL {
            assert_eq!(AlphaSpending::from_key(s.key()), Some(s));
        }
        assert_eq!(AlphaSpending::from_key("none"), None);
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
        fn mcnemar_is_a_symmetric_probability_that_falls_as_pairs_pile_up(b in 0u64..40, c in 0u64..40) {
            let p = mcnemar_exact(b, c);
            prop_assert!((0.0..=1.0).contains(&p));
            prop_assert_eq!(p, mcnemar_exact(c, b));
            // One more discordant pair on the side already ahead is stronger evidence.
            if c > b {
                prop_assert!(mcnemar_exact(b, c + 1) <= p + 1e-15);
            }
        }

        #[test]
        fn paired_methods_agree_with_themselves_when_the_arms_swap(
            raw in prop::collection::vec(((1u64..20).prop_flat_map(|n| (0..=n, Just(n))), (1u64..20).prop_flat_map(|n| (0..=n, Just(n)))), 1..15),
            seed in any::<u64>(),
        ) {
            let pairs: Vec<PuzzlePair> = raw.iter().map(|&(a, c)| pair(a, c)).collect();
            let swapped: Vec<PuzzlePair> = pairs.iter().map(|p| PuzzlePair { arm: p.control, control: p.arm }).collect();
            let p = paired_permutation_test(&pairs, seed).unwrap();
            prop_assert!(p > 0.0 && p <= 1.0);
            prop_assert_eq!(p, paired_permutation_test(&swapped, seed).unwrap());
            let e = paired_bootstrap_difference(&pairs, seed).unwrap();
            prop_assert!(e.ci.contains(e.value), "{:?}", e);
            let back = paired_bootstrap_difference(&swapped, seed).unwrap();
            prop_assert!((e.value + back.value).abs() < 1e-12);
            prop_assert!((e.ci.low + back.ci.high).abs() < 1e-9 && (e.ci.high + back.ci.low).abs() < 1e-9);
        }

        #[test]
        fn spending_never_exceeds_alpha(cuts in prop::collection::btree_set(1u32..100, 0..6)) {
            let mut fractions: Vec<f64> = cuts.iter().map(|&c| f64::from(c) / 100.0).collect();
            fractions.push(1.0);
            for rule in AlphaSpending::ALL {
                let shares = rule.look_alphas(&fractions, 0.05);
                prop_assert_eq!(shares.len(), fractions.len());
                prop_assert!(shares.iter().all(|&a| a >= 0.0));
                prop_assert!(shares.iter().sum::<f64>() <= 0.05 + 1e-12);
            }
        }

        #[test]
        fn permutation_p_in_range_and_symmetric(a in arb_sessions(), b in arb_sessions(), seed in any::<u64>()) {
            let p = permutation_test(&a, &b, seed).unwrap();
            prop_assert!(p > 0.0 && p <= 1.0);
            prop_assert_eq!(p, permutation_test(&b, &a, seed).unwrap());
        }
    }
}
