//! What an experiment is: its arms, its puzzles, how many runs, and the checks that a design
//! can be run at all.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::stats::AlphaSpending;
use crate::play::{PromptMode, ReadyPuzzle};
use solver_core::format::{parse_line, ParseError};
use solver_core::generate::{generate, GenerateError, GenerateOptions};
use solver_core::grid::Shape;
use solver_core::human::Band;
use solver_core::library::puzzle_key;
use solver_core::solve::solve;

/// Which learning unit an arm plays with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum UnitChoice {
    /// No unit: the baseline.
    None,
    /// A unit that exists already, by id.
    Fixed(String),
    /// The unit made by the dream that runs right before this arm's phase (learning
    /// curves). The id is only known once that dream has finished.
    NewestAfterDream,
}

impl UnitChoice {
    /// A form's value for this choice: `none`, `after-dream`, or the unit's id.
    pub fn key(&self) -> &str {
        match self {
            UnitChoice::None => "none",
            UnitChoice::NewestAfterDream => "after-dream",
            UnitChoice::Fixed(id) => id,
        }
    }

    /// The choice a form's value names ([`UnitChoice::key`]); any other value is a unit id.
    pub fn from_key(key: &str) -> UnitChoice {
        match key {
            "none" => UnitChoice::None,
            "after-dream" => UnitChoice::NewestAfterDream,
            id => UnitChoice::Fixed(id.to_string()),
        }
    }
}

/// One configuration under test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ArmWire", into = "ArmWire")]
pub struct Arm {
    /// Unique within the experiment; used in results and exports.
    pub id: String,
    /// What people see.
    pub label: String,
    /// The `Profile` (model and sampling settings) that plays.
    pub profile_id: String,
    /// The learning unit in the prompt.
    pub unit: UnitChoice,
    /// Whether its plays use the profile's active unit when `unit` names none.
    pub memory: bool,
    /// How its plays ask for moves (standard, or assisted decoding).
    pub prompt_mode: PromptMode,
}

impl Arm {
    /// Arm number `index` (0-based) of a comparison: id `arm-{index + 1}`, the label given
    /// (blank: `Arm {index + 1}`), standard prompts.
    pub fn numbered(
        index: usize,
        label: &str,
        profile_id: &str,
        unit: UnitChoice,
        memory: bool,
    ) -> Arm {
        let label = label.trim();
        Arm {
            id: format!("arm-{}", index + 1),
            label: if label.is_empty() {
                format!("Arm {}", index + 1)
            } else {
                label.to_string()
            },
            profile_id: profile_id.to_string(),
            unit,
            memory,
            prompt_mode: PromptMode::Standard,
        }
    }
}

/// The stored form of [`Arm`]: the prompt mode as its name plus the assisted-decoding flag,
/// the fields stored experiments have always had.
#[derive(Serialize, Deserialize)]
struct ArmWire {
    id: String,
    label: String,
    profile_id: String,
    unit: UnitChoice,
    memory: bool,
    prompt_mode: String,
    assisted_decoding: bool,
}

impl From<ArmWire> for Arm {
    fn from(w: ArmWire) -> Arm {
        Arm {
            id: w.id,
            label: w.label,
            profile_id: w.profile_id,
            unit: w.unit,
            memory: w.memory,
            prompt_mode: PromptMode::from_stored(&w.prompt_mode, w.assisted_decoding),
        }
    }
}

impl From<Arm> for ArmWire {
    fn from(a: Arm) -> ArmWire {
        ArmWire {
            id: a.id,
            label: a.label,
            profile_id: a.profile_id,
            unit: a.unit,
            memory: a.memory,
            prompt_mode: a.prompt_mode.name().to_string(),
            assisted_decoding: a.prompt_mode.assisted_decoding(),
        }
    }
}

/// Where the puzzles come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PuzzleSet {
    /// Generated: every size × band × seed, in that nesting order.
    Generated {
        /// Grid sizes (4, 6, 9, 12, 16, 25).
        sizes: Vec<usize>,
        /// Difficulty bands; `None` means any difficulty.
        bands: Vec<Option<Band>>,
        /// Generator seeds.
        seeds: Vec<u64>,
    },
    /// Puzzles given in one-line form (e.g. drawn from the puzzle library or read from a
    /// file). Each is planned under its library key, so the same givens get the same id in
    /// every experiment and never overwrite a different stored puzzle.
    Lines {
        /// One puzzle per entry.
        lines: Vec<String>,
    },
}

/// Where one planned puzzle comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PuzzleSource {
    /// Generate it with these options.
    Generate(GenerateOptions),
    /// These givens, in one-line form (the caller solves them).
    Line {
        /// The givens.
        line: String,
    },
}

/// One puzzle of a set, with a stable id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPuzzle {
    /// `9x9-easy-s42` for generated puzzles; for given lines the library key of the givens
    /// (`4x4-lib-…`), or `line-3` for a third line that does not parse.
    pub id: String,
    /// How to get it.
    pub source: PuzzleSource,
}

/// Why a planned puzzle could not be made ready to play; the message names the puzzle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaterialiseError {
    /// The generator refused its options.
    Generate {
        /// The planned puzzle's id.
        id: String,
        /// Why.
        error: GenerateError,
    },
    /// Its line does not parse.
    Parse {
        /// The planned puzzle's id.
        id: String,
        /// Why.
        error: ParseError,
    },
    /// Its givens have no solution.
    NoSolution {
        /// The planned puzzle's id.
        id: String,
    },
}

impl fmt::Display for MaterialiseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaterialiseError::Generate { id, error } => {
                write!(f, "could not generate {id}: {error}")
            }
            MaterialiseError::Parse { id, error } => write!(f, "{id}: {error}"),
            MaterialiseError::NoSolution { id } => write!(f, "{id} has no solution"),
        }
    }
}

impl std::error::Error for MaterialiseError {}

impl PlannedPuzzle {
    /// The puzzle ready to play, under the plan's id: generated from its options, or its
    /// line parsed and solved (its first solution).
    ///
    /// # Errors
    /// Options the generator refuses, a line that does not parse, givens without a solution.
    pub fn materialise(&self) -> Result<ReadyPuzzle, MaterialiseError> {
        let id = || self.id.clone();
        match &self.source {
            PuzzleSource::Generate(options) => {
                let p = generate(options)
                    .map_err(|error| MaterialiseError::Generate { id: id(), error })?;
                Ok(ReadyPuzzle {
                    id: id(),
                    seed: Some(options.seed),
                    givens: p.givens,
                    solution: p.solution,
                })
            }
            PuzzleSource::Line { line } => {
                let givens = parse_line(line)
                    .map_err(|error| MaterialiseError::Parse { id: id(), error })?;
                let solution = solve(&givens)
                    .into_solution()
                    .ok_or_else(|| MaterialiseError::NoSolution { id: id() })?
                    .grid;
                Ok(ReadyPuzzle {
                    id: id(),
                    seed: None,
                    givens,
                    solution,
                })
            }
        }
    }
}

impl PuzzleSet {
    /// Every seed from `first` to `last` (either order) of one size and band.
    pub fn seed_range(size: usize, band: Option<Band>, first: u64, last: u64) -> PuzzleSet {
        let (from, to) = (first.min(last), first.max(last));
        PuzzleSet::Generated {
            sizes: vec![size],
            bands: vec![band],
            seeds: (from..=to).collect(),
        }
    }

    /// The puzzles in a fixed order.
    pub fn puzzles(&self) -> Vec<PlannedPuzzle> {
        match self {
            PuzzleSet::Generated {
                sizes,
                bands,
                seeds,
            } => {
                let mut out = Vec::with_capacity(sizes.len() * bands.len() * seeds.len());
                for &size in sizes {
                    for &band in bands {
                        for &seed in seeds {
                            let band_name = band.map_or("any", Band::name);
                            out.push(PlannedPuzzle {
                                id: format!("{size}x{size}-{band_name}-s{seed}"),
                                source: PuzzleSource::Generate(GenerateOptions {
                                    band,
                                    ..GenerateOptions::new(size, seed)
                                }),
                            });
                        }
                    }
                }
                out
            }
            PuzzleSet::Lines { lines } => lines
                .iter()
                .enumerate()
                .map(|(i, line)| PlannedPuzzle {
                    id: parse_line(line.trim())
                        .map_or_else(|_| format!("line-{}", i + 1), |g| puzzle_key(&g)),
                    source: PuzzleSource::Line {
                        line: line.trim().to_string(),
                    },
                })
                .collect(),
        }
    }
}

/// How runs are ordered, and whether the arms play the same puzzles.
///
/// Pairing: in [`Schedule::Interleaved`] and [`Schedule::HeldOut`] every arm plays every test
/// puzzle (the same seeds or lines, the same repeats), so results compare the arms puzzle by
/// puzzle with paired tests; [`Schedule::LearningCurve`] gives each phase new puzzles, so its
/// arms can only be compared unpaired (see [`Experiment::arms_share_puzzles`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// A/B/X: every arm plays every puzzle `runs_per_arm` times; runs are interleaved
    /// (repeat by repeat, puzzle by puzzle, arm by arm) so partial results stay balanced
    /// between arms. One "round" is one puzzle's repeat played by every arm.
    #[default]
    Interleaved,
    /// Learning curve: the arms are phases played one after another, each on its own
    /// `puzzles_per_phase` new puzzles (taken from the set in order). Before an arm whose
    /// unit is [`UnitChoice::NewestAfterDream`], the experiences so far are dreamt into a
    /// unit.
    LearningCurve {
        /// Puzzles each phase plays.
        puzzles_per_phase: usize,
    },
    /// Held out: dream on training puzzles, evaluate on different test puzzles. The arms are
    /// phases played one after another, and every arm plays every test puzzle
    /// ([`Experiment::puzzles`], `runs_per_arm` times) so the arms are paired. Before an arm
    /// whose unit is [`UnitChoice::NewestAfterDream`], the phase before it also plays
    /// `puzzles_per_dream` new training puzzles (with that phase's unit), and only the
    /// training sessions so far are dreamt: no test puzzle ever reaches a dream. Training
    /// and test puzzles are disjoint by id (checked by [`Experiment::validate`]).
    HeldOut {
        /// The puzzles played to learn from, in order.
        training: PuzzleSet,
        /// Training puzzles played before each dream.
        puzzles_per_dream: usize,
    },
}

/// Early stopping, declared in the design before the run: looks at the results after these
/// numbers of rounds (a round is one puzzle's repeat played by every arm), each look testing
/// at its own share of α so that all looks together keep α (see [`AlphaSpending`]). The run
/// ends at the first look where every arm differs significantly from the control; otherwise
/// it plays on to the final look (all rounds). Only for [`Schedule::Interleaved`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Rounds finished at each interim look, increasing, each below the total.
    pub checkpoints: Vec<usize>,
    /// How α is shared among the looks.
    pub spending: AlphaSpending,
}

impl EarlyStopping {
    /// Interim looks after every `every` rounds of `total` (none at or after the end).
    pub fn every(every: usize, total: usize, spending: AlphaSpending) -> EarlyStopping {
        let every = every.max(1);
        EarlyStopping {
            checkpoints: (1..)
                .map(|k| k * every)
                .take_while(|&n| n < total)
                .collect(),
            spending,
        }
    }

    /// Every look's rounds (the checkpoints, then `total` for the final look) with the α it
    /// tests at, out of `alpha` for all looks.
    pub fn looks(&self, total: usize, alpha: f64) -> Vec<(usize, f64)> {
        let mut rounds = self.checkpoints.clone();
        rounds.push(total);
        let fractions: Vec<f64> = rounds
            .iter()
            .map(|&n| n as f64 / total.max(1) as f64)
            .collect();
        rounds
            .into_iter()
            .zip(self.spending.look_alphas(&fractions, alpha))
            .collect()
    }
}

/// Settings of the "learning curve" preset ([`Experiment::learning_curve`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningCurve {
    /// The `Profile` that plays (and whose experiences are dreamt).
    pub profile_id: String,
    /// Prompt mode of every phase.
    pub prompt_mode: PromptMode,
    /// Grid size of the generated puzzles.
    pub size: usize,
    /// Difficulty band; `None` for any.
    pub band: Option<Band>,
    /// Seeds `first_seed, first_seed + 1, …` give each phase different puzzles.
    pub first_seed: u64,
    /// Puzzles played per phase (N).
    pub puzzles_per_phase: usize,
    /// Dreams, each followed by a phase with the new unit.
    pub dreams: usize,
    /// Held out (the default): every phase is evaluated on the same `test_puzzles` test
    /// puzzles and dreams see only separate training puzzles ([`Schedule::HeldOut`]);
    /// otherwise each phase plays, and is dreamt over, its own new puzzles
    /// ([`Schedule::LearningCurve`]).
    #[serde(default = "held_out_default")]
    pub held_out: bool,
    /// Test puzzles of a held-out curve (0: as many as `puzzles_per_phase`).
    #[serde(default)]
    pub test_puzzles: usize,
}

fn held_out_default() -> bool {
    true
}

impl LearningCurve {
    /// `puzzles_per_phase` puzzles of `size`, any band, seeds from 1, one dream, standard
    /// prompts, held out with as many test puzzles.
    pub fn new(profile_id: &str, size: usize, puzzles_per_phase: usize) -> LearningCurve {
        LearningCurve {
            profile_id: profile_id.to_string(),
            prompt_mode: PromptMode::Standard,
            size,
            band: None,
            first_seed: 1,
            puzzles_per_phase,
            dreams: 1,
            held_out: true,
            test_puzzles: puzzles_per_phase,
        }
    }
}

/// An experiment design.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experiment {
    /// Unique id.
    pub id: String,
    /// What people see.
    pub name: String,
    /// The arms; the first is the control every other arm is compared with.
    pub arms: Vec<Arm>,
    /// The puzzles.
    pub puzzles: PuzzleSet,
    /// How often each arm plays each of its puzzles.
    pub runs_per_arm: usize,
    /// At most this many runs at once.
    pub concurrency: usize,
    /// How runs are ordered.
    #[serde(default)]
    pub schedule: Schedule,
    /// Early stopping at pre-declared checkpoints (none: one analysis at the end).
    #[serde(default)]
    pub early_stopping: Option<EarlyStopping>,
    /// An ablation design's leave-one-out arms ([`super::ablation`]); `None` for others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ablation: Option<super::ablation::Ablation>,
    /// Creation time, milliseconds since the Unix epoch (supplied by the caller: the engine
    /// has no clock).
    pub created_at_ms: u64,
}

/// Why a design cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DesignError {
    /// The id or name is blank.
    MissingName,
    /// No arms.
    NoArms,
    /// Two arms share this id.
    DuplicateArm(String),
    /// An arm has a blank id or profile; the arm's index (0-based).
    IncompleteArm(usize),
    /// An arm waits for a dream but nothing is played before it (it is first, or the
    /// schedule is interleaved and there is no "before").
    DreamWithoutPlay(String),
    /// The puzzle set has no puzzle.
    NoPuzzles,
    /// A size the generator does not know.
    UnsupportedSize(usize),
    /// A given line is not a puzzle: its 1-based number and why.
    BadLine(usize, String),
    /// A given line repeats an earlier one: both 1-based numbers (later, earlier).
    RepeatedLine(usize, usize),
    /// `runs_per_arm` or `concurrency` is 0.
    ZeroCount(&'static str),
    /// A held-out design's training and test sets share this puzzle.
    TrainingOverlapsTest(String),
    /// A held-out design needs this many training puzzles but its training set has fewer.
    NotEnoughTraining {
        /// Dreams × training puzzles per dream.
        needed: usize,
        /// In the training set.
        available: usize,
    },
    /// Early stopping is declared for a schedule other than interleaved arms.
    EarlyStoppingNeedsInterleaved,
    /// The checkpoints are not increasing, start at 0, or reach the total rounds.
    BadCheckpoints {
        /// Rounds in the plan.
        total: usize,
    },
    /// Early stopping compares arms: it needs at least two.
    EarlyStoppingNeedsTwoArms,
    /// A learning curve needs this many puzzles but the set has fewer.
    NotEnoughPuzzles {
        /// Arms × puzzles per phase.
        needed: usize,
        /// In the set.
        available: usize,
    },
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesignError::MissingName => f.write_str("the experiment needs an id and a name"),
            DesignError::NoArms => f.write_str("the experiment needs at least one arm"),
            DesignError::DuplicateArm(id) => write!(f, "two arms have the id \"{id}\""),
            DesignError::IncompleteArm(i) => {
                write!(f, "arm {} needs an id and a profile", i + 1)
            }
            DesignError::DreamWithoutPlay(id) => write!(
                f,
                "arm \"{id}\" uses the unit of a dream, but no phase is played before it \
                 (use a learning-curve or held-out design and put a playing arm first)"
            ),
            DesignError::NoPuzzles => f.write_str("the puzzle set is empty"),
            DesignError::UnsupportedSize(s) => {
                write!(f, "size {s} is not supported (4, 6, 9, 12, 16 or 25)")
            }
            DesignError::BadLine(n, why) => write!(f, "puzzle line {n}: {why}"),
            DesignError::RepeatedLine(n, first) => write!(
                f,
                "puzzle line {n} repeats line {first}: each puzzle may be in the set once"
            ),
            DesignError::ZeroCount(what) => write!(f, "{what} must be at least 1"),
            DesignError::TrainingOverlapsTest(id) => write!(
                f,
                "puzzle {id} is in both the training and the test set: held-out test puzzles \
                 must never be dreamt over"
            ),
            DesignError::NotEnoughTraining { needed, available } => write!(
                f,
                "the dreams need {needed} training puzzles but the training set has {available}"
            ),
            DesignError::EarlyStoppingNeedsInterleaved => f.write_str(
                "early stopping needs arms that play the same puzzles side by side \
                 (the A/B/X design)",
            ),
            DesignError::BadCheckpoints { total } => write!(
                f,
                "checkpoints must increase, start above 0 and stay below the {total} rounds \
                 of the plan"
            ),
            DesignError::EarlyStoppingNeedsTwoArms => {
                f.write_str("early stopping compares arms: the design needs at least two")
            }
            DesignError::NotEnoughPuzzles { needed, available } => write!(
                f,
                "the learning curve needs {needed} different puzzles but the set has {available}"
            ),
        }
    }
}

impl std::error::Error for DesignError {}

/// Checks one puzzle set: supported sizes, lines that parse, no line twice.
fn check_set(set: &PuzzleSet) -> Result<(), DesignError> {
    match set {
        PuzzleSet::Generated { sizes, .. } => {
            if let Some(&s) = sizes.iter().find(|&&s| Shape::new(s).is_err()) {
                return Err(DesignError::UnsupportedSize(s));
            }
        }
        PuzzleSet::Lines { lines } => {
            let mut seen = std::collections::BTreeMap::new();
            for (i, line) in lines.iter().enumerate() {
                let givens = parse_line(line.trim())
                    .map_err(|e| DesignError::BadLine(i + 1, e.to_string()))?;
                if let Some(first) = seen.insert(givens.to_line(), i + 1) {
                    return Err(DesignError::RepeatedLine(i + 1, first));
                }
            }
        }
    }
    Ok(())
}

impl Experiment {
    /// Whether every arm plays the same puzzles (the same ids, the same repeats), so the
    /// arms can be compared puzzle by puzzle: interleaved and held-out designs do, learning
    /// curves (a phase's own new puzzles) do not.
    pub fn arms_share_puzzles(&self) -> bool {
        !matches!(self.schedule, Schedule::LearningCurve { .. })
    }

    /// Rounds of an interleaved plan: each puzzle's repeats, each played by every arm.
    pub fn rounds(&self) -> usize {
        self.puzzles.puzzles().len() * self.runs_per_arm
    }

    /// Arms after which a dream is due (their unit is the next dream's).
    fn waiting_arms(&self) -> usize {
        self.arms
            .iter()
            .filter(|a| a.unit == UnitChoice::NewestAfterDream)
            .count()
    }

    /// The design as a file: the JSON the headless runner's `--design` reads back as the
    /// same experiment (pretty-printed, so a person can edit seeds or arms before a run).
    pub fn design_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an experiment design always serialises")
    }

    /// Reads [`Experiment::design_json`] back and checks it can run.
    ///
    /// # Errors
    /// Not the JSON of a design (the serde message), or a design that cannot run; the message
    /// reads after "the design … is".
    pub fn from_design_json(text: &str) -> Result<Experiment, String> {
        let design: Experiment = serde_json::from_str(text).map_err(|e| {
            format!(
                "not an experiment design: {e} (the JSON of an Experiment: id, name, arms, \
                 puzzles, runs_per_arm, concurrency, schedule, created_at_ms and, optionally, \
                 early_stopping)"
            )
        })?;
        design
            .validate()
            .map_err(|e| format!("not runnable: {e}"))?;
        Ok(design)
    }

    /// Checks that the design can run; the first problem found is returned.
    ///
    /// # Errors
    /// See [`DesignError`].
    pub fn validate(&self) -> Result<(), DesignError> {
        if self.id.trim().is_empty() || self.name.trim().is_empty() {
            return Err(DesignError::MissingName);
        }
        if self.arms.is_empty() {
            return Err(DesignError::NoArms);
        }
        let mut ids = BTreeSet::new();
        let phased = !matches!(self.schedule, Schedule::Interleaved);
        for (i, arm) in self.arms.iter().enumerate() {
            if arm.id.trim().is_empty() || arm.profile_id.trim().is_empty() {
                return Err(DesignError::IncompleteArm(i));
            }
            if !ids.insert(arm.id.as_str()) {
                return Err(DesignError::DuplicateArm(arm.id.clone()));
            }
            let waits = arm.unit == UnitChoice::NewestAfterDream;
            if waits && (i == 0 || !phased) {
                return Err(DesignError::DreamWithoutPlay(arm.id.clone()));
            }
        }
        if self.runs_per_arm == 0 {
            return Err(DesignError::ZeroCount("runs per arm"));
        }
        if self.concurrency == 0 {
            return Err(DesignError::ZeroCount("concurrency"));
        }
        check_set(&self.puzzles)?;
        let test = self.puzzles.puzzles();
        let available = test.len();
        if available == 0 {
            return Err(DesignError::NoPuzzles);
        }
        match &self.schedule {
            Schedule::Interleaved => {}
            Schedule::LearningCurve { puzzles_per_phase } => {
                if *puzzles_per_phase == 0 {
                    return Err(DesignError::ZeroCount("puzzles per phase"));
                }
                let needed = puzzles_per_phase * self.arms.len();
                if needed > available {
                    return Err(DesignError::NotEnoughPuzzles { needed, available });
                }
            }
            Schedule::HeldOut {
                training,
                puzzles_per_dream,
            } => {
                if *puzzles_per_dream == 0 {
                    return Err(DesignError::ZeroCount("training puzzles per dream"));
                }
                check_set(training)?;
                let training = training.puzzles();
                let test_ids: BTreeSet<&str> = test.iter().map(|p| p.id.as_str()).collect();
                if let Some(shared) = training.iter().find(|p| test_ids.contains(p.id.as_str())) {
                    return Err(DesignError::TrainingOverlapsTest(shared.id.clone()));
                }
                let needed = puzzles_per_dream * self.waiting_arms();
                if needed > training.len() {
                    return Err(DesignError::NotEnoughTraining {
                        needed,
                        available: training.len(),
                    });
                }
            }
        }
        if let Some(stopping) = &self.early_stopping {
            if self.schedule != Schedule::Interleaved {
                return Err(DesignError::EarlyStoppingNeedsInterleaved);
            }
            if self.arms.len() < 2 {
                return Err(DesignError::EarlyStoppingNeedsTwoArms);
            }
            let total = self.rounds();
            let increasing = stopping.checkpoints.windows(2).all(|w| w[0] < w[1]);
            let inside = stopping.checkpoints.iter().all(|&n| 0 < n && n < total);
            if !(increasing && inside) {
                return Err(DesignError::BadCheckpoints { total });
            }
        }
        Ok(())
    }

    /// The "learning curve" preset: play with no unit, dream, play with the new unit, and
    /// so on for `dreams` dreams (see [`LearningCurve`]). Held out by default: every phase
    /// is evaluated on the same test puzzles (seeds `first_seed ..`), and before each dream
    /// `puzzles_per_phase` training puzzles (the seeds after the test ones) are played and
    /// dreamt over. Otherwise each phase plays `puzzles_per_phase` new puzzles, which the
    /// next dream sees.
    pub fn learning_curve(
        id: &str,
        name: &str,
        options: &LearningCurve,
        created_at_ms: u64,
    ) -> Experiment {
        let LearningCurve {
            profile_id,
            prompt_mode,
            size,
            band,
            first_seed,
            puzzles_per_phase,
            dreams,
            held_out,
            test_puzzles,
        } = options.clone();
        let arm = |i: usize| Arm {
            id: if i == 0 {
                "before".to_string()
            } else {
                format!("after-dream-{i}")
            },
            label: if i == 0 {
                "Before dreaming".to_string()
            } else {
                format!("After dream {i}")
            },
            profile_id: profile_id.clone(),
            unit: if i == 0 {
                UnitChoice::None
            } else {
                UnitChoice::NewestAfterDream
            },
            memory: false,
            prompt_mode,
        };
        let phases = dreams + 1;
        let seeds = |from: u64, count: usize| PuzzleSet::Generated {
            sizes: vec![size],
            bands: vec![band],
            seeds: (0..count as u64).map(|k| from.wrapping_add(k)).collect(),
        };
        let (puzzles, schedule) = if held_out {
            let tests = if test_puzzles == 0 {
                puzzles_per_phase
            } else {
                test_puzzles
            };
            (
                seeds(first_seed, tests),
                Schedule::HeldOut {
                    // The seeds right after the test ones: the same size and band, so
                    // different seeds mean different puzzle ids.
                    training: seeds(
                        first_seed.wrapping_add(tests as u64),
                        dreams * puzzles_per_phase,
                    ),
                    puzzles_per_dream: puzzles_per_phase,
                },
            )
        } else {
            (
                seeds(first_seed, phases * puzzles_per_phase),
                Schedule::LearningCurve { puzzles_per_phase },
            )
        };
        Experiment {
            id: id.to_string(),
            name: name.to_string(),
            arms: (0..phases).map(arm).collect(),
            puzzles,
            runs_per_arm: 1,
            concurrency: 1,
            schedule,
            early_stopping: None,
            ablation: None,
            created_at_ms,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn arm(id: &str, unit: UnitChoice) -> Arm {
        Arm {
            id: id.to_string(),
            label: format!("Arm {id}"),
            profile_id: "local".to_string(),
            unit,
            memory: false,
            prompt_mode: PromptMode::Standard,
        }
    }

    pub(crate) fn ab(runs: usize, seeds: Vec<u64>) -> Experiment {
        Experiment {
            id: "exp-1".to_string(),
            name: "A/B".to_string(),
            arms: vec![
                arm("a", UnitChoice::None),
                arm("b", UnitChoice::Fixed("unit-1".to_string())),
            ],
            puzzles: PuzzleSet::Generated {
                sizes: vec![4],
                bands: vec![None],
                seeds,
            },
            runs_per_arm: runs,
            concurrency: 2,
            schedule: Schedule::Interleaved,
            early_stopping: None,
            ablation: None,
            created_at_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn given_lines_are_planned_under_their_library_key_not_their_position() {
        // Regression: lines were planned as `line-1`, `line-2`…, so two experiments over
        // different lines stored different puzzles under one id, the later overwriting the
        // earlier one's record.
        let first = PuzzleSet::Lines {
            lines: vec!["1..4.41.2.4..3.1".into()],
        };
        let second = PuzzleSet::Lines {
            lines: vec!["12.4....2.4....1".into()],
        };
        let (a, b) = (first.puzzles(), second.puzzles());
        assert_ne!(a[0].id, b[0].id);
        assert_eq!(
            a[0].id,
            puzzle_key(&parse_line("1..4.41.2.4..3.1").unwrap())
        );
        assert_eq!(a[0].materialise().unwrap().id, a[0].id);
        let unparsable = PuzzleSet::Lines {
            lines: vec!["1234341221434321".into(), "12x".into()],
        };
        assert_eq!(unparsable.puzzles()[1].id, "line-2");
    }

    #[test]
    fn planned_puzzles_materialise_under_their_plan_id() {
        let set = PuzzleSet::seed_range(4, None, 3, 2);
        let planned = set.puzzles();
        assert_eq!(planned.len(), 2);
        let ready = planned[0].materialise().unwrap();
        assert_eq!(ready.id, "4x4-any-s2");
        assert_eq!(ready.seed, Some(2));
        assert!(ready.givens.agrees_with(&ready.solution));
        let line = PlannedPuzzle {
            id: "line-1".into(),
            source: PuzzleSource::Line {
                line: "1..4.41.2.4..3.1".into(),
            },
        };
        let ready = line.materialise().unwrap();
        assert_eq!((ready.id.as_str(), ready.seed), ("line-1", None));
        assert_eq!(ready.solution.to_line(), "1234341221434321");
        let bad = PlannedPuzzle {
            id: "line-2".into(),
            source: PuzzleSource::Line { line: "12x".into() },
        };
        assert!(bad
            .materialise()
            .unwrap_err()
            .to_string()
            .starts_with("line-2: "));
        let stuck = PlannedPuzzle {
            id: "line-3".into(),
            source: PuzzleSource::Line {
                line: "11..............".into(),
            },
        };
        assert_eq!(
            stuck.materialise().unwrap_err().to_string(),
            "line-3 has no solution"
        );
        let huge = PlannedPuzzle {
            id: "5x5".into(),
            source: PuzzleSource::Generate(GenerateOptions::new(5, 1)),
        };
        assert!(huge
            .materialise()
            .unwrap_err()
            .to_string()
            .starts_with("could not generate 5x5: "));
    }

    #[test]
    fn unit_choices_have_form_keys() {
        for choice in [
            UnitChoice::None,
            UnitChoice::NewestAfterDream,
            UnitChoice::Fixed("unit-1".into()),
        ] {
            assert_eq!(UnitChoice::from_key(choice.key()), choice);
        }
    }

    #[test]
    fn numbered_arms_get_an_id_and_a_label() {
        let a = Arm::numbered(0, "  ", "p", UnitChoice::None, true);
        assert_eq!((a.id.as_str(), a.label.as_str()), ("arm-1", "Arm 1"));
        let b = Arm::numbered(1, " memory on ", "p", UnitChoice::None, true);
        assert_eq!((b.id.as_str(), b.label.as_str()), ("arm-2", "memory on"));
        assert_eq!(b.prompt_mode, PromptMode::Standard);
    }

    #[test]
    fn arms_keep_their_stored_fields() {
        let mut a = arm("a", UnitChoice::None);
        a.prompt_mode = PromptMode::Assisted;
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["prompt_mode"], "assisted");
        assert_eq!(json["assisted_decoding"], true);
        assert_eq!(serde_json::from_value::<Arm>(json).unwrap(), a);
        // Stored before the mode was one field: `standard` with the flag set.
        let old = serde_json::json!({"id": "b", "label": "B", "profile_id": "p",
            "unit": {"kind": "none"}, "memory": false,
            "prompt_mode": "standard", "assisted_decoding": true});
        assert_eq!(
            serde_json::from_value::<Arm>(old).unwrap().prompt_mode,
            PromptMode::Assisted
        );
    }

    #[test]
    fn generated_set_names_every_puzzle() {
        let set = PuzzleSet::Generated {
            sizes: vec![4, 9],
            bands: vec![None, Some(Band::Easy)],
            seeds: vec![1, 2],
        };
        let ids: Vec<String> = set.puzzles().into_iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 8);
        assert_eq!(ids[0], "4x4-any-s1");
        assert_eq!(ids[3], "4x4-easy-s2");
        assert_eq!(ids[7], "9x9-easy-s2");
        let p = &set.puzzles()[3];
        assert_eq!(
            p.source,
            PuzzleSource::Generate(GenerateOptions {
                band: Some(Band::Easy),
                ..GenerateOptions::new(4, 2)
            })
        );
    }

    #[test]
    fn validation_names_the_problem() {
        assert_eq!(ab(1, vec![1]).validate(), Ok(()));
        let mut e = ab(1, vec![1]);
        e.arms[1].id = "a".to_string();
        assert_eq!(
            e.validate(),
            Err(DesignError::DuplicateArm("a".to_string()))
        );
        let mut e = ab(0, vec![1]);
        assert_eq!(e.validate(), Err(DesignError::ZeroCount("runs per arm")));
        e.runs_per_arm = 1;
        e.puzzles = PuzzleSet::Generated {
            sizes: vec![7],
            bands: vec![None],
            seeds: vec![1],
        };
        assert_eq!(e.validate(), Err(DesignError::UnsupportedSize(7)));
        e.puzzles = PuzzleSet::Lines {
            lines: vec!["1234341221434321".to_string(), "12x".to_string()],
        };
        let err = e.validate().unwrap_err();
        assert!(matches!(err, DesignError::BadLine(2, _)), "{err:?}");
        assert!(err.to_string().starts_with("puzzle line 2:"));
        e.puzzles = PuzzleSet::Lines { lines: vec![] };
        assert_eq!(e.validate(), Err(DesignError::NoPuzzles));
        // The same givens twice would count one puzzle twice in every paired comparison.
        e.puzzles = PuzzleSet::Lines {
            lines: vec![
                "1..4.41.2.4..3.1".to_string(),
                "1234341221434321".to_string(),
                "1..4.41.2.4..3.1 ".to_string(),
            ],
        };
        assert_eq!(e.validate(), Err(DesignError::RepeatedLine(3, 1)));
        assert_eq!(
            DesignError::RepeatedLine(3, 1).to_string(),
            "puzzle line 3 repeats line 1: each puzzle may be in the set once"
        );
        let mut e = ab(1, vec![1]);
        e.arms[1].unit = UnitChoice::NewestAfterDream;
        assert_eq!(
            e.validate(),
            Err(DesignError::DreamWithoutPlay("b".to_string()))
        );
        let mut e = ab(1, vec![1]);
        e.arms[0].profile_id = " ".to_string();
        assert_eq!(e.validate(), Err(DesignError::IncompleteArm(0)));
    }

    #[test]
    fn learning_curve_preset_is_held_out_by_default_with_disjoint_training_puzzles() {
        let options = LearningCurve {
            first_seed: 100,
            dreams: 2,
            test_puzzles: 4,
            ..LearningCurve::new("local", 9, 3)
        };
        assert!(options.held_out);
        let e = Experiment::learning_curve("lc", "Curve", &options, 5);
        assert_eq!(e.validate(), Ok(()));
        assert!(e.arms_share_puzzles());
        assert_eq!(e.arms.len(), 3);
        assert_eq!(e.arms[2].unit, UnitChoice::NewestAfterDream);
        let test: Vec<String> = e.puzzles.puzzles().into_iter().map(|p| p.id).collect();
        assert_eq!(
            test,
            [
                "9x9-any-s100",
                "9x9-any-s101",
                "9x9-any-s102",
                "9x9-any-s103"
            ]
        );
        let Schedule::HeldOut {
            training,
            puzzles_per_dream,
        } = &e.schedule
        else {
            panic!("{:?}", e.schedule);
        };
        assert_eq!(*puzzles_per_dream, 3);
        let training: Vec<String> = training.puzzles().into_iter().map(|p| p.id).collect();
        assert_eq!(
            training.len(),
            6,
            "three training puzzles before each of two dreams"
        );
        assert_eq!(training[0], "9x9-any-s104");
        assert!(training.iter().all(|id| !test.contains(id)));
        // Too few training puzzles for the dreams.
        let mut short = e.clone();
        short.schedule = Schedule::HeldOut {
            training: PuzzleSet::seed_range(9, None, 200, 204),
            puzzles_per_dream: 3,
        };
        assert_eq!(
            short.validate(),
            Err(DesignError::NotEnoughTraining {
                needed: 6,
                available: 5
            })
        );
    }

    #[test]
    fn held_out_training_and_test_sets_must_be_disjoint() {
        let mut e = Experiment::learning_curve("lc", "Curve", &LearningCurve::new("p", 4, 2), 0);
        // The test seeds are 1 and 2; training seeds 2 and 3 share 4x4-any-s2.
        e.schedule = Schedule::HeldOut {
            training: PuzzleSet::seed_range(4, None, 2, 3),
            puzzles_per_dream: 2,
        };
        let err = e.validate().unwrap_err();
        assert_eq!(err, DesignError::TrainingOverlapsTest("4x4-any-s2".into()));
        assert!(err.to_string().contains("never be dreamt over"), "{err}");
        // The same givens as a line in both sets: the same library key, also refused.
        let line = "1..4.41.2.4..3.1".to_string();
        e.puzzles = PuzzleSet::Lines {
            lines: vec![line.clone()],
        };
        e.schedule = Schedule::HeldOut {
            training: PuzzleSet::Lines {
                lines: vec!["12.4....2.4....1".into(), format!(" {line}")],
            },
            puzzles_per_dream: 2,
        };
        assert!(matches!(
            e.validate(),
            Err(DesignError::TrainingOverlapsTest(_))
        ));
        // A different band at the same seed is a different puzzle with a different id.
        e.puzzles = PuzzleSet::seed_range(4, None, 1, 2);
        e.schedule = Schedule::HeldOut {
            training: PuzzleSet::seed_range(4, Some(Band::Easy), 1, 2),
            puzzles_per_dream: 2,
        };
        assert_eq!(e.validate(), Ok(()));
        // The unpaired curve is still there when asked for.
        let old = LearningCurve {
            held_out: false,
            ..LearningCurve::new("p", 4, 2)
        };
        let curve = Experiment::learning_curve("lc", "Curve", &old, 0);
        assert_eq!(
            curve.schedule,
            Schedule::LearningCurve {
                puzzles_per_phase: 2
            }
        );
        assert!(!curve.arms_share_puzzles());
        assert_eq!(curve.puzzles.puzzles().len(), 4);
        let mut short = curve.clone();
        short.schedule = Schedule::LearningCurve {
            puzzles_per_phase: 3,
        };
        assert_eq!(
            short.validate(),
            Err(DesignError::NotEnoughPuzzles {
                needed: 6,
                available: 4
            })
        );
    }

    #[test]
    fn a_design_file_reads_back_as_the_same_experiment_and_bad_ones_say_why() {
        let mut design = ab(3, vec![1, 2]);
        design.early_stopping = Some(EarlyStopping::every(1, 2, AlphaSpending::Pocock));
        let text = design.design_json();
        assert_eq!(Experiment::from_design_json(&text).unwrap(), design);
        let e = Experiment::from_design_json("{\"id\": 1}").unwrap_err();
        assert!(e.contains("not an experiment design"), "{e}");
        let mut empty = design.clone();
        empty.arms.clear();
        let e = Experiment::from_design_json(&empty.design_json()).unwrap_err();
        assert!(e.contains("not runnable"), "{e}");
    }

    #[test]
    fn early_stopping_is_checked_before_the_run() {
        let mut e = ab(1, (1..=10).collect());
        assert_eq!(e.rounds(), 10);
        e.early_stopping = Some(EarlyStopping::every(4, 10, AlphaSpending::Pocock));
        assert_eq!(e.early_stopping.as_ref().unwrap().checkpoints, vec![4, 8]);
        assert_eq!(e.validate(), Ok(()));
        let looks = e.early_stopping.as_ref().unwrap().looks(10, 0.05);
        assert_eq!(
            looks.iter().map(|l| l.0).collect::<Vec<_>>(),
            vec![4, 8, 10]
        );
        assert!((looks.iter().map(|l| l.1).sum::<f64>() - 0.05).abs() < 1e-12);
        for bad in [vec![0, 4], vec![4, 4], vec![6, 3], vec![10]] {
            e.early_stopping.as_mut().unwrap().checkpoints = bad;
            assert_eq!(e.validate(), Err(DesignError::BadCheckpoints { total: 10 }));
        }
        assert_eq!(
            DesignError::BadCheckpoints { total: 10 }.to_string(),
            "checkpoints must increase, start above 0 and stay below the 10 rounds of the plan"
        );
        assert!(DesignError::EarlyStoppingNeedsInterleaved
            .to_string()
            .contains("the A/B/X design"));
        assert!(DesignError::EarlyStoppingNeedsTwoArms
            .to_string()
            .contains("at least two"));
        assert_eq!(
            DesignError::NotEnoughTraining {
                needed: 6,
                available: 5
            }
            .to_string(),
            "the dreams need 6 training puzzles but the training set has 5"
        );
        // A look every 10 of 10 rounds: no interim look, one analysis at the end.
        assert!(EarlyStopping::every(10, 10, AlphaSpending::Bonferroni)
            .checkpoints
            .is_empty());
        e.early_stopping.as_mut().unwrap().checkpoints = vec![5];
        let mut one = e.clone();
        one.arms.truncate(1);
        assert_eq!(one.validate(), Err(DesignError::EarlyStoppingNeedsTwoArms));
        let mut curve =
            Experiment::learning_curve("lc", "Curve", &LearningCurve::new("p", 4, 2), 0);
        curve.early_stopping = e.early_stopping.clone();
        assert_eq!(
            curve.validate(),
            Err(DesignError::EarlyStoppingNeedsInterleaved)
        );
        // Stored designs from before early stopping read as "none".
        let mut v = serde_json::to_value(ab(1, vec![1])).unwrap();
        v.as_object_mut().unwrap().remove("early_stopping");
        let back: Experiment = serde_json::from_value(v).unwrap();
        assert_eq!(back.early_stopping, None);
        // Stored preset options from before held-out designs read as held out.
        let mut v = serde_json::to_value(LearningCurve::new("p", 4, 2)).unwrap();
        v.as_object_mut().unwrap().remove("held_out");
        v.as_object_mut().unwrap().remove("test_puzzles");
        let back: LearningCurve = serde_json::from_value(v).unwrap();
        assert!(back.held_out);
        assert_eq!(back.test_puzzles, 0);
        assert_eq!(
            Experiment::learning_curve("lc", "Curve", &back, 0)
                .puzzles
                .puzzles()
                .len(),
            2,
            "0 test puzzles means as many as per phase"
        );
    }
}
