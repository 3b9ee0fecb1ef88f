//! What an experiment is: its arms, its puzzles, how many runs, and the checks that a design
//! can be run at all.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use solver_core::format::parse_line;
use solver_core::generate::GenerateOptions;
use solver_core::grid::Shape;
use solver_core::human::Band;

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

/// One configuration under test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arm {
    /// Unique within the experiment; used in results and exports.
    pub id: String,
    /// What people see.
    pub label: String,
    /// The `Profile` (model and sampling settings) that plays.
    pub profile_id: String,
    /// The learning unit in the prompt.
    pub unit: UnitChoice,
    /// Whether similar past experiences are searched and shown.
    pub memory: bool,
    /// Prompt mode (e.g. `standard`, `compact`).
    pub prompt_mode: String,
    /// Whether decoding is constrained to the move grammar.
    pub assisted_decoding: bool,
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
    /// Puzzles given in one-line form (e.g. read from a file).
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
    /// `9x9-easy-s42` for generated puzzles, `line-3` for the third given line (1-based).
    pub id: String,
    /// How to get it.
    pub source: PuzzleSource,
}

impl PuzzleSet {
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
                    id: format!("line-{}", i + 1),
                    source: PuzzleSource::Line {
                        line: line.trim().to_string(),
                    },
                })
                .collect(),
        }
    }
}

/// How runs are ordered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// A/B/X: every arm plays every puzzle `runs_per_arm` times; runs are interleaved
    /// (puzzle by puzzle, arm by arm) so partial results stay balanced between arms.
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
}

/// Settings of the "learning curve" preset ([`Experiment::learning_curve`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningCurve {
    /// The `Profile` that plays (and whose experiences are dreamt).
    pub profile_id: String,
    /// Prompt mode of every phase.
    pub prompt_mode: String,
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
}

impl LearningCurve {
    /// `puzzles_per_phase` puzzles of `size`, any band, seeds from 1, one dream, standard
    /// prompts.
    pub fn new(profile_id: &str, size: usize, puzzles_per_phase: usize) -> LearningCurve {
        LearningCurve {
            profile_id: profile_id.to_string(),
            prompt_mode: "standard".to_string(),
            size,
            band: None,
            first_seed: 1,
            puzzles_per_phase,
            dreams: 1,
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
    /// `runs_per_arm` or `concurrency` is 0.
    ZeroCount(&'static str),
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
                 (use the learning-curve schedule and put a playing arm first)"
            ),
            DesignError::NoPuzzles => f.write_str("the puzzle set is empty"),
            DesignError::UnsupportedSize(s) => {
                write!(f, "size {s} is not supported (4, 6, 9, 12, 16 or 25)")
            }
            DesignError::BadLine(n, why) => write!(f, "puzzle line {n}: {why}"),
            DesignError::ZeroCount(what) => write!(f, "{what} must be at least 1"),
            DesignError::NotEnoughPuzzles { needed, available } => write!(
                f,
                "the learning curve needs {needed} different puzzles but the set has {available}"
            ),
        }
    }
}

impl std::error::Error for DesignError {}

impl Experiment {
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
        for (i, arm) in self.arms.iter().enumerate() {
            if arm.id.trim().is_empty() || arm.profile_id.trim().is_empty() {
                return Err(DesignError::IncompleteArm(i));
            }
            if !ids.insert(arm.id.as_str()) {
                return Err(DesignError::DuplicateArm(arm.id.clone()));
            }
            let waits = arm.unit == UnitChoice::NewestAfterDream;
            let learning = matches!(self.schedule, Schedule::LearningCurve { .. });
            if waits && (i == 0 || !learning) {
                return Err(DesignError::DreamWithoutPlay(arm.id.clone()));
            }
        }
        if self.runs_per_arm == 0 {
            return Err(DesignError::ZeroCount("runs per arm"));
        }
        if self.concurrency == 0 {
            return Err(DesignError::ZeroCount("concurrency"));
        }
        match &self.puzzles {
            PuzzleSet::Generated { sizes, .. } => {
                if let Some(&s) = sizes.iter().find(|&&s| Shape::new(s).is_err()) {
                    return Err(DesignError::UnsupportedSize(s));
                }
            }
            PuzzleSet::Lines { lines } => {
                for (i, line) in lines.iter().enumerate() {
                    parse_line(line).map_err(|e| DesignError::BadLine(i + 1, e.to_string()))?;
                }
            }
        }
        let available = self.puzzles.puzzles().len();
        if available == 0 {
            return Err(DesignError::NoPuzzles);
        }
        if let Schedule::LearningCurve { puzzles_per_phase } = self.schedule {
            if puzzles_per_phase == 0 {
                return Err(DesignError::ZeroCount("puzzles per phase"));
            }
            let needed = puzzles_per_phase * self.arms.len();
            if needed > available {
                return Err(DesignError::NotEnoughPuzzles { needed, available });
            }
        }
        Ok(())
    }

    /// The "learning curve" preset: play `puzzles_per_phase` generated puzzles with no unit,
    /// dream, play as many new puzzles with the new unit, and so on for `dreams` dreams
    /// (see [`LearningCurve`]).
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
            prompt_mode: prompt_mode.clone(),
            assisted_decoding: false,
        };
        let phases = dreams + 1;
        Experiment {
            id: id.to_string(),
            name: name.to_string(),
            arms: (0..phases).map(arm).collect(),
            puzzles: PuzzleSet::Generated {
                sizes: vec![size],
                bands: vec![band],
                seeds: (0..(phases * puzzles_per_phase) as u64)
                    .map(|k| first_seed.wrapping_add(k))
                    .collect(),
            },
            runs_per_arm: 1,
            concurrency: 1,
            schedule: Schedule::LearningCurve { puzzles_per_phase },
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
            prompt_mode: "standard".to_string(),
            assisted_decoding: false,
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
            created_at_ms: 1_700_000_000_000,
        }
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
    fn learning_curve_preset_is_valid_and_uses_new_puzzles() {
        let options = LearningCurve {
            first_seed: 100,
            dreams: 2,
            ..LearningCurve::new("local", 9, 3)
        };
        let e = Experiment::learning_curve("lc", "Curve", &options, 5);
        assert_eq!(e.validate(), Ok(()));
        assert_eq!(e.arms.len(), 3);
        assert_eq!(e.arms[2].unit, UnitChoice::NewestAfterDream);
        assert_eq!(e.puzzles.puzzles().len(), 9);
        let mut short = e.clone();
        short.schedule = Schedule::LearningCurve {
            puzzles_per_phase: 4,
        };
        assert_eq!(
            short.validate(),
            Err(DesignError::NotEnoughPuzzles {
                needed: 12,
                available: 9
            })
        );
    }
}
