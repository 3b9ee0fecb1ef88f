//! Dreaming: consolidating a profile's experiences into a [`LearningUnit`].
//!
//! Five phases, pure and deterministic given the same inputs and the same LLM answers:
//! 1. **capture** — the experiences play stored, with their ids;
//! 2. **triage** ([`triage`](mod@triage)) — banned repeats, low importance and duplicates out,
//!    outcome split;
//! 3. **compression** ([`cluster`](mod@cluster)) — correct moves clustered by leader clustering
//!    (`leader` v1); with the LLM, one request first asks which clusters describe the same idea
//!    and a usable answer merges them (`leader+llm-merge` v1) — the algorithm used is recorded
//!    in the unit; rejected moves grouped by mistake kind; valid-but-wrong moves taken one by
//!    one with the solution's value;
//! 4. **abstraction** — item texts: derived from the data ([`derive`](mod@derive)) and, when
//!    [`DreamOptions::use_llm`] is set, rewritten by the language model from
//!    [`LlmRequest`]s the caller sends ([`llm`]); an unusable answer keeps the derived text
//!    and is reported;
//! 5. **verification** ([`verify`]) — every checkable claim checked against the engine; what
//!    fails is dropped and reported.
//!
//! The driver is sans-I/O: [`Dream::new`] runs phases 1–3 (with LLM clustering, phase 3 ends
//! when the cluster request is answered), [`Dream::poll_request`] / [`Dream::handle_answer`] (or
//! [`Dream::handle_error`]) run phase 4, [`Dream::finish`] runs phase 5.

pub mod cluster;
pub mod derive;
pub mod evolve;
pub mod features;
pub mod llm;
pub mod triage;
pub mod verify;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use self::features::Outcome;
use self::llm::{LlmRequest, MoveFacts};
use self::triage::Triaged;
use crate::play::{Experience, Move};
use crate::unit::{
    ledger, normalize_text, AbstractionLevel, Algorithm, AntiPattern, Correction, Dropped, FewShot,
    ItemKind, ItemLedger, LearningUnit, MistakeKind, MoveExample, Origin, Pattern, Strategy,
    UnitOp, VerificationReport, DEFAULT_UNIT_TOKEN_BUDGET,
};
use solver_core::format::parse_line;
use solver_core::grid::Grid;

pub use cluster::{
    algorithm, merge_algorithm, Cluster, ALGORITHM_NAME, ALGORITHM_VERSION, MERGE_ALGORITHM_NAME,
    MERGE_ALGORITHM_VERSION,
};

/// Settings of one dream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DreamOptions {
    /// Id of the unit to create.
    pub unit_id: String,
    /// Its name.
    pub name: String,
    /// The profile dreaming.
    pub profile_id: String,
    /// The time now, ms since the epoch (the lab has no clock).
    pub now_ms: f64,
    /// Ask the language model to write item texts (otherwise fully offline).
    pub use_llm: bool,
    /// With `use_llm`: first ask the model which leader clusters describe the same idea and
    /// merge them (`leader+llm-merge` v1). Default true, so it follows `use_llm`.
    #[serde(default = "yes")]
    pub llm_clustering: bool,
    /// Puzzle id → solution (one-line form). Puzzles missing here are solved from the board.
    pub solutions: BTreeMap<String, String>,
    /// Triage drops experiences below this importance (default 0.1: banned-repeat level).
    pub min_importance: f64,
    /// At most this many experiences go on after triage (default 5,000).
    pub max_experiences: usize,
    /// Leader clustering radius (default 0.25).
    pub cluster_radius: f64,
    /// At most this many clusters (default 12).
    pub max_clusters: usize,
    /// A cluster or mistake group needs this many members to become an item (default 2).
    pub min_support: usize,
    /// Strategies kept, best supported first (default 8).
    pub max_strategies: usize,
    /// Anti-patterns kept (default 5).
    pub max_anti_patterns: usize,
    /// Corrections kept, most important first (default 10).
    pub max_corrections: usize,
    /// Few-shot examples kept (default 5).
    pub max_few_shots: usize,
    /// Example moves shown per LLM request (default 4).
    pub examples_per_request: usize,
    /// `max_tokens` of each LLM request (default 256).
    pub max_tokens: u32,
    /// The unit to evolve (the profile's active unit), if any: the dream makes its next
    /// version ([`evolve`](mod@evolve)); without one, a first version.
    #[serde(default)]
    pub parent: Option<LearningUnit>,
    /// The ledger of the parent's items (`unit::ledger`) over the profile's history, so the
    /// dream judges them as the Units screen shows them; `None`: computed from the dream's own
    /// experiences.
    #[serde(default)]
    pub parent_ledger: Option<Vec<ItemLedger>>,
    /// The unit's token budget: items are added only while the unit fits (default
    /// [`DEFAULT_UNIT_TOKEN_BUDGET`]).
    #[serde(default = "default_unit_token_budget")]
    pub token_budget: usize,
}

fn default_unit_token_budget() -> usize {
    DEFAULT_UNIT_TOKEN_BUDGET
}

impl DreamOptions {
    /// Defaults (see each field), offline.
    pub fn new(unit_id: &str, name: &str, profile_id: &str, now_ms: f64) -> DreamOptions {
        DreamOptions {
            unit_id: unit_id.into(),
            name: name.into(),
            profile_id: profile_id.into(),
            now_ms,
            use_llm: false,
            llm_clustering: true,
            solutions: BTreeMap::new(),
            min_importance: 0.1,
            max_experiences: 5_000,
            cluster_radius: 0.25,
            max_clusters: 12,
            min_support: 2,
            max_strategies: 8,
            max_anti_patterns: 5,
            max_corrections: 10,
            max_few_shots: 5,
            examples_per_request: 4,
            max_tokens: 256,
            parent: None,
            parent_ledger: None,
            token_budget: DEFAULT_UNIT_TOKEN_BUDGET,
        }
    }
}

fn yes() -> bool {
    true
}

/// The phase a dream is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading experiences.
    Capture,
    /// Filtering, splitting, deduping.
    Triage,
    /// Clustering.
    Compression,
    /// Writing item texts (LLM requests outstanding).
    Abstraction,
    /// Checking claims.
    Verification,
    /// Finished.
    Done,
}

impl Phase {
    /// The stable name of the phase (`capture`, `triage`, `compression`, `abstraction`,
    /// `verification`, `done`), its serialized form.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Capture => "capture",
            Phase::Triage => "triage",
            Phase::Compression => "compression",
            Phase::Abstraction => "abstraction",
            Phase::Verification => "verification",
            Phase::Done => "done",
        }
    }
}

/// Where a dream is: phase and done/total of its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Current phase.
    pub phase: Phase,
    /// Steps done in it.
    pub done: usize,
    /// Steps in it.
    pub total: usize,
}

/// One cluster as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// Board pattern.
    pub pattern: Pattern,
    /// Grid size.
    pub size: usize,
    /// Members.
    pub members: usize,
    /// Mean empty share.
    pub empty_ratio: f64,
    /// Id of the leader experience.
    pub leader_id: String,
}

/// What a dream did, phase by phase.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DreamReport {
    /// Experiences read.
    pub captured: usize,
    /// Banned repeats dropped in triage.
    pub banned_repeats: usize,
    /// Dropped for low importance.
    pub below_importance: usize,
    /// Dropped as duplicates.
    pub duplicates: usize,
    /// Dropped by the experience cap.
    pub over_cap: usize,
    /// Kept after triage, per outcome: correct, invalid, valid-but-wrong, unparseable.
    pub kept: [usize; 4],
    /// Clusters of correct moves.
    pub clusters: Vec<ClusterSummary>,
    /// LLM requests made (the cluster request included).
    pub llm_requests: usize,
    /// LLM answers used: for an item text, or the cluster grouping applied.
    pub llm_answers_used: usize,
    /// Verification: claims checked and passed.
    pub checked: usize,
    /// Claims that passed.
    pub passed: usize,
    /// Everything dropped, with reasons (unusable answers, failed checks, missing solutions).
    pub dropped: Vec<Dropped>,
    /// Every experience the dream has consumed (mark these consolidated).
    pub consolidated_ids: Vec<String>,
    /// The unit the dream started from, if any.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// How the new version was made: one operation per item of the parent and per item found.
    #[serde(default)]
    pub operations: Vec<UnitOp>,
    /// The parent's items that never helped (by [`DreamOptions::parent_ledger`], else the
    /// dream's experiences): never injected, or injected but never in a correct move.
    #[serde(default)]
    pub never_helped: Vec<ItemLedger>,
}

/// The result of a dream.
#[derive(Clone, Debug, PartialEq)]
pub struct DreamOutcome {
    /// The new unit.
    pub unit: LearningUnit,
    /// The report.
    pub report: DreamReport,
}

/// Which item an LLM request writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Strategy(usize),
    AntiPattern(usize),
    Correction(usize),
}

/// Facts kept beside a strategy for verification.
#[derive(Clone, Debug)]
struct StrategySource {
    derived_text: String,
    derived_when: String,
    moves: Vec<Move>,
    boards: Vec<(String, String)>,
}

/// Compression waiting for the model's answer to the cluster request.
#[derive(Debug)]
struct PendingClusters {
    request: LlmRequest,
    kept: Vec<Triaged>,
    clusters: Vec<Cluster>,
}

/// A dream in progress (module docs).
#[derive(Debug)]
pub struct Dream {
    options: DreamOptions,
    algorithm: Algorithm,
    pending: Option<PendingClusters>,
    cluster_requests: usize,
    report: DreamReport,
    sizes: Vec<usize>,
    strategies: Vec<Strategy>,
    strategy_sources: Vec<StrategySource>,
    anti_patterns: Vec<AntiPattern>,
    anti_derived: Vec<String>,
    corrections: Vec<Correction>,
    correction_derived: Vec<String>,
    correction_puzzles: Vec<String>,
    few_shots: Vec<FewShot>,
    few_shot_puzzles: Vec<String>,
    solutions: BTreeMap<String, Option<Grid>>,
    requests: Vec<(LlmRequest, Target)>,
    next: usize,
    parent_ledger: Vec<ItemLedger>,
}

fn facts<'a>(t: &'a Triaged) -> Option<MoveFacts<'a>> {
    let mv = *t.experience.attempt.mv()?;
    let f = t.features.as_ref()?;
    let grid = parse_line(&t.experience.attempt.board_before).ok()?;
    Some(MoveFacts {
        mv,
        size: f.size,
        empty: grid.empty_count(),
        filled: f.filled,
        candidates: grid.candidates(mv.row, mv.col).iter().collect(),
        reasoning: &t.experience.attempt.reasoning,
    })
}

fn mistake_description(kind: MistakeKind) -> &'static str {
    match kind {
        MistakeKind::RowConflict => "the value was already in the cell's row",
        MistakeKind::ColumnConflict => "the value was already in the cell's column",
        MistakeKind::BoxConflict => "the value was already in the cell's box",
        MistakeKind::FilledCell => "the cell was not empty",
        MistakeKind::Format => "no move could be read from the answer",
    }
}

impl Dream {
    /// Runs capture, triage and compression over `experiences` (id, experience), and prepares
    /// the LLM requests when `options.use_llm` is set.
    pub fn new(experiences: Vec<(String, Experience)>, options: DreamOptions) -> Dream {
        // Sorted, so the unit does not depend on the order experiences were read in.
        let mut consolidated_ids: Vec<String> =
            experiences.iter().map(|(id, _)| id.clone()).collect();
        consolidated_ids.sort();
        consolidated_ids.dedup();
        // Capture: how the parent's items fared in these moves, before triage drops any.
        let parent_ledger = match (&options.parent, &options.parent_ledger) {
            (None, _) => Vec::new(),
            (Some(_), Some(given)) => given.clone(),
            (Some(p), None) => ledger(p, experiences.iter().map(|(_, e)| e)),
        };
        let mut report = DreamReport {
            consolidated_ids,
            parent_id: options.parent.as_ref().map(|p| p.id.clone()),
            never_helped: parent_ledger
                .iter()
                .filter(|l| l.never_helped())
                .cloned()
                .collect(),
            ..DreamReport::default()
        };
        let (kept, counts) =
            triage::triage(experiences, options.min_importance, options.max_experiences);
        report.captured = counts.captured;
        report.banned_repeats = counts.banned_repeats;
        report.below_importance = counts.below_importance;
        report.duplicates = counts.duplicates;
        report.over_cap = counts.over_cap;
        for t in &kept {
            let slot = match t.outcome {
                Outcome::Correct => 0,
                Outcome::Invalid(_) => 1,
                Outcome::ValidButWrong => 2,
                Outcome::Unparseable => 3,
            };
            report.kept[slot] += 1;
        }
        let sizes: BTreeSet<usize> = kept.iter().map(|t| t.experience.size).collect();
        let mut dream = Dream {
            options,
            algorithm: cluster::algorithm(),
            pending: None,
            cluster_requests: 0,
            report,
            sizes: sizes.into_iter().collect(),
            strategies: Vec::new(),
            strategy_sources: Vec::new(),
            anti_patterns: Vec::new(),
            anti_derived: Vec::new(),
            corrections: Vec::new(),
            correction_derived: Vec::new(),
            correction_puzzles: Vec::new(),
            few_shots: Vec::new(),
            few_shot_puzzles: Vec::new(),
            solutions: BTreeMap::new(),
            requests: Vec::new(),
            next: 0,
            parent_ledger,
        };
        let clusters = cluster::cluster(
            &kept,
            dream.options.cluster_radius,
            dream.options.max_clusters,
        );
        if dream.options.use_llm && dream.options.llm_clustering && clusters.len() >= 2 {
            // Items and their requests wait for the grouping (`handle_answer` / `handle_error` / `finish`).
            let request = dream.cluster_request(&kept, &clusters);
            dream.cluster_requests = 1;
            dream.pending = Some(PendingClusters {
                request,
                kept,
                clusters,
            });
        } else {
            dream.compress(&kept, &clusters);
        }
        dream
    }

    /// The cluster request: each cluster with its derived description and two example moves.
    fn cluster_request(&self, kept: &[Triaged], clusters: &[Cluster]) -> LlmRequest {
        let described: Vec<(String, Vec<(Move, &str)>)> = clusters
            .iter()
            .map(|c| {
                let (when, _) = derive::strategy_text(c.pattern, c.size, c.empty_ratio);
                let examples = c
                    .members
                    .iter()
                    .filter_map(|&m| {
                        let a = &kept[m].experience.attempt;
                        Some((*a.mv()?, a.reasoning.as_str()))
                    })
                    .fold(Vec::new(), |mut seen: Vec<(Move, &str)>, e| {
                        // Duplicate attempts (one move from two sessions) are shown once.
                        if seen.len() < 2 && !seen.iter().any(|s| s.0 == e.0) {
                            seen.push(e);
                        }
                        seen
                    });
                (when, examples)
            })
            .collect();
        let facts: Vec<llm::ClusterFacts<'_>> = clusters
            .iter()
            .zip(&described)
            .map(|(c, (when, examples))| llm::ClusterFacts {
                pattern: c.pattern.name(),
                members: c.members.len(),
                description: when,
                examples: examples.clone(),
            })
            .collect();
        llm::cluster_request(&facts, self.options.max_tokens)
    }

    /// Applies the model's answer to the cluster request (`Err`: the request failed, with
    /// the reason), then builds the items and their requests from the resulting clusters.
    fn resolve_clusters(&mut self, pending: PendingClusters, answer: Result<&str, &str>) {
        let PendingClusters {
            request,
            kept,
            clusters,
        } = pending;
        let grouping = match answer {
            Ok(text) => llm::read_grouping(text, clusters.len())
                .and_then(|groups| {
                    // Merged clusters keep one grid size: a strategy is checked on its boards.
                    match groups
                        .iter()
                        .find(|g| g.iter().any(|&i| clusters[i].size != clusters[g[0]].size))
                    {
                        Some(g) => Err(format!(
                            "a group mixes grid sizes: {:?}",
                            g.iter().map(|i| i + 1).collect::<Vec<_>>()
                        )),
                        None => Ok(groups),
                    }
                })
                .map_err(|why| {
                    format!("LLM unusable grouping ({why}); the leader clusters are kept")
                }),
            Err(reason) => Err(format!(
                "LLM request failed ({reason}); the leader clusters are kept"
            )),
        };
        let clusters = match grouping {
            Ok(groups) => {
                self.report.llm_answers_used += 1;
                self.algorithm = cluster::merge_algorithm();
                cluster::merge(&clusters, &groups)
            }
            Err(reason) => {
                self.report.dropped.push(Dropped {
                    item: ItemKind::Strategy,
                    text: request.purpose,
                    reason,
                });
                clusters
            }
        };
        self.compress(&kept, &clusters);
    }

    /// The solution of a puzzle: the options' lookup, else the unique solution of `board`.
    fn solution(&mut self, puzzle_id: &str, board: &str) -> Option<Grid> {
        if let Some(s) = self.solutions.get(puzzle_id) {
            return s.clone();
        }
        let found = match self.options.solutions.get(puzzle_id) {
            Some(line) => parse_line(line).ok().filter(|g| g.is_solved()),
            None => parse_line(board)
                .ok()
                .and_then(|b| solver_core::solve::solve_unique(&b).ok())
                .map(|s| s.grid),
        };
        self.solutions.insert(puzzle_id.to_string(), found.clone());
        found
    }

    /// Builds items (and their LLM requests) from `clusters` of correct moves and from the
    /// rejected and valid-but-wrong moves of `kept`.
    fn compress(&mut self, kept: &[Triaged], clusters: &[Cluster]) {
        let per_request = self.options.examples_per_request.max(1);
        let max_tokens = self.options.max_tokens;
        // Strategies and few-shots from clusters of correct moves.
        for c in clusters {
            self.report.clusters.push(ClusterSummary {
                pattern: c.pattern,
                size: c.size,
                members: c.members.len(),
                empty_ratio: c.empty_ratio,
                leader_id: kept[c.members[0]].id.clone(),
            });
        }
        let mut order: Vec<usize> = (0..clusters.len()).collect();
        order.sort_by(|&a, &b| {
            clusters[b]
                .members
                .len()
                .cmp(&clusters[a].members.len())
                .then(a.cmp(&b))
        });
        for &k in &order {
            let c = &clusters[k];
            if c.members.len() < self.options.min_support {
                continue;
            }
            if self.strategies.len() >= self.options.max_strategies {
                // No LLM request for a strategy that the cap would drop anyway.
                break;
            }
            let (when, text) = derive::strategy_text(c.pattern, c.size, c.empty_ratio);
            let mut source_ids = Vec::new();
            for &m in &c.members {
                source_ids.push(kept[m].id.clone());
                source_ids.extend(kept[m].duplicates.iter().cloned());
            }
            let sample: Vec<&Triaged> = c.members.iter().take(5).map(|&m| &kept[m]).collect();
            let index = self.strategies.len();
            self.strategies.push(Strategy {
                id: String::new(),
                text: text.clone(),
                when: when.clone(),
                pattern: c.pattern,
                level: 1,
                empty_ratio: c.empty_ratio.clamp(0.0, 1.0),
                support: source_ids.len(),
                source_ids,
                origin: Origin::Derived,
            });
            self.strategy_sources.push(StrategySource {
                derived_text: text,
                derived_when: when,
                moves: sample
                    .iter()
                    .filter_map(|t| t.experience.attempt.mv().copied())
                    .collect(),
                boards: sample
                    .iter()
                    .map(|t| {
                        (
                            t.experience.attempt.board_before.clone(),
                            t.experience.context.puzzle_id.clone(),
                        )
                    })
                    .collect(),
            });
            if self.options.use_llm {
                let examples: Vec<MoveFacts<'_>> = sample
                    .iter()
                    .take(per_request)
                    .filter_map(|t| facts(t))
                    .collect();
                self.requests.push((
                    llm::strategy_request(k, &examples, max_tokens),
                    Target::Strategy(index),
                ));
            }
            // A few-shot: the most important member whose move is a single (its reasoning can
            // be stated from the board and checked).
            if self.few_shots.len() < self.options.max_few_shots
                && matches!(c.pattern, Pattern::NakedSingle | Pattern::HiddenSingle)
            {
                let leader = &kept[c.members[0]];
                if let (Some(mv), Ok(grid)) = (
                    leader.experience.attempt.mv(),
                    parse_line(&leader.experience.attempt.board_before),
                ) {
                    let mut ids = vec![leader.id.clone()];
                    ids.extend(leader.duplicates.iter().cloned());
                    self.few_shots.push(FewShot {
                        id: String::new(),
                        board: leader.experience.attempt.board_before.clone(),
                        mv: *mv,
                        reasoning: derive::few_shot_reasoning(&grid, mv, c.pattern),
                        pattern: c.pattern,
                        source_ids: ids,
                    });
                    self.few_shot_puzzles
                        .push(leader.experience.context.puzzle_id.clone());
                }
            }
        }
        // Anti-patterns: one per mistake kind with enough members, most frequent first.
        let mut groups: BTreeMap<MistakeKind, Vec<&Triaged>> = BTreeMap::new();
        for t in kept {
            let kind = match t.outcome {
                Outcome::Invalid(k) => k,
                Outcome::Unparseable => MistakeKind::Format,
                _ => continue,
            };
            groups.entry(kind).or_default().push(t);
        }
        let mut groups: Vec<(MistakeKind, Vec<&Triaged>)> = groups.into_iter().collect();
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        for (kind, members) in groups.into_iter().take(self.options.max_anti_patterns) {
            if members.len() < self.options.min_support {
                continue;
            }
            let mut source_ids = Vec::new();
            for t in &members {
                source_ids.push(t.id.clone());
                source_ids.extend(t.duplicates.iter().cloned());
            }
            let examples: Vec<MoveExample> = if kind == MistakeKind::Format {
                Vec::new()
            } else {
                members
                    .iter()
                    .filter_map(|t| {
                        Some(MoveExample {
                            board: t.experience.attempt.board_before.clone(),
                            mv: *t.experience.attempt.mv()?,
                        })
                    })
                    .take(3)
                    .collect()
            };
            let text = derive::anti_pattern_text(kind);
            let index = self.anti_patterns.len();
            if self.options.use_llm {
                let shown: Vec<(Move, String)> = members
                    .iter()
                    .filter_map(|t| {
                        let mv = t.experience.attempt.mv()?;
                        Some((*mv, t.experience.attempt.judgement.detail(Some(mv))))
                    })
                    .take(per_request)
                    .collect();
                self.requests.push((
                    llm::anti_pattern_request(mistake_description(kind), &shown, max_tokens),
                    Target::AntiPattern(index),
                ));
            }
            self.anti_patterns.push(AntiPattern {
                id: String::new(),
                text: text.clone(),
                kind,
                examples,
                frequency: source_ids.len(),
                source_ids,
                origin: Origin::Derived,
            });
            self.anti_derived.push(text);
        }
        // Corrections: the most important valid-but-wrong moves, with the solution's value.
        for t in kept.iter().filter(|t| t.outcome == Outcome::ValidButWrong) {
            if self.corrections.len() >= self.options.max_corrections {
                break;
            }
            let Some(mv) = t.experience.attempt.mv().copied() else {
                continue;
            };
            let board = t.experience.attempt.board_before.clone();
            let puzzle = t.experience.context.puzzle_id.clone();
            let truth = self
                .solution(&puzzle, &board)
                .and_then(|s| s.get(mv.row, mv.col));
            let Some(true_value) = truth else {
                self.report.dropped.push(Dropped {
                    item: ItemKind::Correction,
                    text: format!("{mv} on puzzle {puzzle}"),
                    reason: "no solution known for its puzzle".into(),
                });
                continue;
            };
            let text = derive::correction_text(&board, &mv);
            let index = self.corrections.len();
            if self.options.use_llm {
                if let Some(f) = facts(t) {
                    self.requests.push((
                        llm::correction_request(&f, true_value, max_tokens),
                        Target::Correction(index),
                    ));
                }
            }
            let mut ids = vec![t.id.clone()];
            ids.extend(t.duplicates.iter().cloned());
            self.corrections.push(Correction {
                id: String::new(),
                text: text.clone(),
                board,
                wrong: mv,
                true_value,
                source_ids: ids,
                origin: Origin::Derived,
            });
            self.correction_derived.push(text);
            self.correction_puzzles.push(puzzle);
        }
        self.report.llm_requests = self.requests.len() + self.cluster_requests;
    }

    /// Where the dream is.
    pub fn progress(&self) -> Progress {
        if self.pending.is_some() {
            Progress {
                phase: Phase::Compression,
                done: 0,
                total: 1,
            }
        } else if self.next < self.requests.len() {
            Progress {
                phase: Phase::Abstraction,
                done: self.next,
                total: self.requests.len(),
            }
        } else {
            Progress {
                phase: Phase::Verification,
                done: 0,
                total: self.strategies.len()
                    + self.anti_patterns.len()
                    + self.corrections.len()
                    + self.few_shots.len(),
            }
        }
    }

    /// The next thing to do: the LLM request to send, if any are left.
    pub fn poll_request(&self) -> Option<&LlmRequest> {
        if let Some(p) = &self.pending {
            return Some(&p.request);
        }
        self.requests.get(self.next).map(|(r, _)| r)
    }

    /// Feeds the answer to [`Dream::poll_request`] back. An unusable answer keeps the
    /// derived text and is reported as dropped; an unusable cluster grouping keeps the leader clusters and
    /// is reported. Does nothing when no request is outstanding.
    pub fn handle_answer(&mut self, text: &str) {
        if let Some(p) = self.pending.take() {
            self.resolve_clusters(p, Ok(text));
            return;
        }
        let Some((request, target)) = self.requests.get(self.next).cloned() else {
            return;
        };
        self.next += 1;
        let (keys, item): (&[&str], ItemKind) = match target {
            Target::Strategy(_) => (&["strategy"], ItemKind::Strategy),
            Target::AntiPattern(_) => (&["mistake", "avoid"], ItemKind::AntiPattern),
            Target::Correction(_) => (&["flaw", "principle"], ItemKind::Correction),
        };
        let read = match llm::read_answer(text, keys).and_then(|t| {
            if llm::echoes(&t, &request.user, 40) {
                Err(format!(
                    "unusable answer (copies the prompt): {}",
                    t.chars().take(80).collect::<String>()
                ))
            } else {
                Ok(t)
            }
        }) {
            Ok(t) => t,
            Err(reason) => {
                self.report.dropped.push(Dropped {
                    item,
                    text: request.purpose,
                    reason: format!("LLM {reason}; the derived text is kept"),
                });
                return;
            }
        };
        self.report.llm_answers_used += 1;
        match target {
            Target::Strategy(i) => {
                let s = &mut self.strategies[i];
                s.text = read;
                if let Ok(when) = llm::read_answer(text, &["when"]) {
                    if when != s.text {
                        s.when = when.trim_end_matches('.').to_string();
                    }
                }
                s.origin = Origin::Llm;
            }
            Target::AntiPattern(i) => {
                self.anti_patterns[i].text = read;
                self.anti_patterns[i].origin = Origin::Llm;
            }
            Target::Correction(i) => {
                self.corrections[i].text = read;
                self.corrections[i].origin = Origin::Llm;
            }
        }
    }

    /// Feeds a failed request back (network, timeout, cancelled …): the derived text is
    /// kept. A failed cluster request keeps the leader clusters.
    pub fn handle_error(&mut self, reason: &str) {
        if let Some(p) = self.pending.take() {
            self.resolve_clusters(p, Err(reason));
            return;
        }
        if let Some((request, target)) = self.requests.get(self.next) {
            let item = match target {
                Target::Strategy(_) => ItemKind::Strategy,
                Target::AntiPattern(_) => ItemKind::AntiPattern,
                Target::Correction(_) => ItemKind::Correction,
            };
            self.report.dropped.push(Dropped {
                item,
                text: request.purpose.clone(),
                reason: format!("LLM request failed ({reason}); the derived text is kept"),
            });
            self.next += 1;
        }
    }

    /// Runs verification and returns the unit and report. Requests not answered keep their
    /// derived texts; an unanswered cluster request keeps the leader clusters.
    pub fn finish(mut self) -> DreamOutcome {
        if let Some(p) = self.pending.take() {
            let PendingClusters { kept, clusters, .. } = p;
            self.compress(&kept, &clusters);
        }
        let mut v = VerificationReport::default();
        let note = |v: &mut VerificationReport,
                    r: Result<(), String>,
                    item: ItemKind,
                    text: &str|
         -> bool {
            v.checked += 1;
            match r {
                Ok(()) => {
                    v.passed += 1;
                    true
                }
                Err(reason) => {
                    v.dropped.push(Dropped {
                        item,
                        text: text.to_string(),
                        reason,
                    });
                    false
                }
            }
        };
        // Few-shots.
        let shots = std::mem::take(&mut self.few_shots);
        let puzzles = std::mem::take(&mut self.few_shot_puzzles);
        for (f, p) in shots.into_iter().zip(puzzles) {
            let sol = self.solution(&p, &f.board);
            let r = verify::few_shot(&f, sol.as_ref());
            if note(
                &mut v,
                r,
                ItemKind::FewShot,
                &format!("{} ({})", f.mv, f.reasoning),
            ) {
                self.few_shots.push(f);
            }
        }
        // Corrections.
        let corrections = std::mem::take(&mut self.corrections);
        let derived = std::mem::take(&mut self.correction_derived);
        let puzzles = std::mem::take(&mut self.correction_puzzles);
        for ((mut c, d), p) in corrections.into_iter().zip(derived).zip(puzzles) {
            let sol = self.solution(&p, &c.board);
            let r = verify::correction(&c, sol.as_ref());
            if !note(&mut v, r, ItemKind::Correction, &c.text) {
                continue;
            }
            if c.origin == Origin::Llm {
                let sol = sol.expect("verified corrections have a solution");
                let board = parse_line(&c.board).expect("verified boards parse");
                let known = [c.wrong, Move::new(c.wrong.row, c.wrong.col, c.true_value)];
                let r = verify::claims(&c.text, board.size(), &known, &[(board, &sol)]).map(|_| ());
                if !note(&mut v, r, ItemKind::Correction, &c.text) {
                    c.text = d;
                    c.origin = Origin::Derived;
                }
            }
            self.corrections.push(c);
        }
        // Anti-patterns and their examples.
        let antis = std::mem::take(&mut self.anti_patterns);
        let derived = std::mem::take(&mut self.anti_derived);
        for (mut a, d) in antis.into_iter().zip(derived) {
            let kind = a.kind;
            let examples = std::mem::take(&mut a.examples);
            for e in examples {
                let r = verify::example(&e, kind);
                if note(
                    &mut v,
                    r,
                    ItemKind::AntiPatternExample,
                    &format!("{} ({kind:?})", e.mv),
                ) {
                    a.examples.push(e);
                }
            }
            if kind != MistakeKind::Format && a.examples.is_empty() {
                v.dropped.push(Dropped {
                    item: ItemKind::AntiPattern,
                    text: a.text.clone(),
                    reason: "none of its examples is really invalid".into(),
                });
                continue;
            }
            if a.origin == Origin::Llm {
                let size = self.sizes.last().copied().unwrap_or(9);
                let known: Vec<Move> = a.examples.iter().map(|e| e.mv).collect();
                let r = verify::claims(&a.text, size, &known, &[]).map(|_| ());
                if !note(&mut v, r, ItemKind::AntiPattern, &a.text) {
                    a.text = d;
                    a.origin = Origin::Derived;
                }
            }
            self.anti_patterns.push(a);
        }
        // Strategies: LLM texts naming cells are checked; then dedupe by text and cap.
        let strategies = std::mem::take(&mut self.strategies);
        let sources = std::mem::take(&mut self.strategy_sources);
        let mut by_text: BTreeMap<String, usize> = BTreeMap::new();
        for (mut s, src) in strategies.into_iter().zip(sources) {
            if s.origin == Origin::Llm {
                let mut boards = Vec::new();
                for (line, p) in &src.boards {
                    if let (Ok(b), Some(sol)) = (parse_line(line), self.solution(p, line)) {
                        boards.push((b, sol));
                    }
                }
                let pairs: Vec<(Grid, &Grid)> =
                    boards.iter().map(|(b, s)| (b.clone(), s)).collect();
                let size = pairs.first().map_or(9, |(b, _)| b.size());
                let r = verify::claims(&format!("{} {}", s.when, s.text), size, &src.moves, &pairs)
                    .map(|_| ());
                if !note(&mut v, r, ItemKind::Strategy, &s.text) {
                    s.text = src.derived_text;
                    s.when = src.derived_when;
                    s.origin = Origin::Derived;
                }
            }
            let key = normalize_text(&format!("{} {}", s.when, s.text));
            match by_text.get(&key) {
                Some(&i) => {
                    let kept: &mut Strategy = &mut self.strategies[i];
                    let total = kept.support + s.support;
                    kept.empty_ratio = (kept.empty_ratio * kept.support as f64
                        + s.empty_ratio * s.support as f64)
                        / total.max(1) as f64;
                    kept.support = total;
                    kept.source_ids.extend(s.source_ids);
                }
                None => {
                    by_text.insert(key, self.strategies.len());
                    self.strategies.push(s);
                }
            }
        }
        self.strategies.truncate(self.options.max_strategies);
        let levels = abstraction_levels(&self.strategies, &self.anti_patterns, &self.few_shots);
        self.report.checked = v.checked;
        self.report.passed = v.passed;
        self.report.dropped.extend(v.dropped.iter().cloned());
        let o = &self.options;
        let unit = LearningUnit {
            id: o.unit_id.clone(),
            name: o.name.clone(),
            profile_id: o.profile_id.clone(),
            algorithm: self.algorithm.clone(),
            created_at: o.now_ms,
            updated_at: o.now_ms,
            sizes: self.sizes,
            source_experience_ids: self.report.consolidated_ids.clone(),
            strategies: self.strategies,
            anti_patterns: self.anti_patterns,
            corrections: self.corrections,
            few_shots: self.few_shots,
            abstraction_levels: levels,
            verification: v,
            merged_from: Vec::new(),
            lineage: Default::default(),
        };
        // The new version: the parent's items kept, merged or retired, the new ones added.
        let evolved = evolve::evolve(o.parent.as_ref(), unit, &self.parent_ledger, o.token_budget);
        self.report.checked += evolved.verification.checked;
        self.report.passed += evolved.verification.passed;
        self.report
            .dropped
            .extend(evolved.verification.dropped.iter().cloned());
        self.report.dropped.extend(evolved.dropped);
        self.report.operations = evolved.operations;
        DreamOutcome {
            unit: evolved.unit,
            report: self.report,
        }
    }
}

/// The hierarchy from verified items: 0 instances (few-shots), 1 techniques (strategies),
/// 2 categories (patterns and mistake kinds seen), 3 the principle they share. Empty levels
/// are left out.
fn abstraction_levels(
    strategies: &[Strategy],
    anti_patterns: &[AntiPattern],
    few_shots: &[FewShot],
) -> Vec<AbstractionLevel> {
    let mut levels = Vec::new();
    let mut push = |level: u8, name: &str, items: Vec<String>| {
        if !items.is_empty() {
            levels.push(AbstractionLevel {
                level,
                name: name.into(),
                items,
            });
        }
    };
    push(
        0,
        "instance",
        few_shots.iter().map(crate::unit::few_shot_line).collect(),
    );
    push(
        1,
        "technique",
        strategies.iter().map(crate::unit::strategy_line).collect(),
    );
    let patterns: BTreeSet<Pattern> = strategies.iter().map(|s| s.pattern).collect();
    let mut categories: Vec<String> = patterns
        .iter()
        .map(|p| format!("find a {}", p.name()))
        .collect();
    let kinds: BTreeSet<MistakeKind> = anti_patterns.iter().map(|a| a.kind).collect();
    categories.extend(
        kinds
            .iter()
            .map(|k| format!("avoid: {}", mistake_description(*k))),
    );
    push(2, "category", categories);
    if !strategies.is_empty() {
        push(
            3,
            "principle",
            vec!["Place a value only when the row, column and box constraints force it; a value that merely fits is a guess.".into()],
        );
    }
    levels
}

/// Runs a whole dream offline (no LLM): `Dream::new` then `finish`.
pub fn dream_offline(
    experiences: Vec<(String, Experience)>,
    mut options: DreamOptions,
) -> DreamOutcome {
    options.use_llm = false;
    Dream::new(experiences, options).finish()
}

#[cfg(test)]
mod tests {
    use super::Phase;

    #[test]
    fn phase_names_are_the_serialized_names() {
        for phase in [
            Phase::Capture,
            Phase::Triage,
            Phase::Compression,
            Phase::Abstraction,
            Phase::Verification,
            Phase::Done,
        ] {
            assert_eq!(
                serde_json::to_value(phase).unwrap(),
                serde_json::Value::String(phase.name().into())
            );
        }
    }
}
