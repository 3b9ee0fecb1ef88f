//! The ablation preset: a unit against itself without each of its items (leave-one-out), and
//! the items ranked by what leaving them out cost.
//!
//! Arm 1 (the control) plays with the whole unit; arm `k + 2` with the unit minus item `k`
//! (a *variant*: a unit of its own, never the profile's active unit); the last arm plays with
//! no unit, so the whole unit's lift is measured in the same run. Every arm plays the same
//! puzzles, so the comparisons are paired. An item's lift is the control minus its variant:
//! positive when the unit does better with the item than without it.

use serde::{Deserialize, Serialize};

use super::design::{Arm, Experiment, PuzzleSet, Schedule, UnitChoice};
use super::plan::ExperimentState;
use super::results::ExperimentResults;
use super::stats::{Estimate, Interval};
use crate::unit::{LearningUnit, Lineage};

/// Most items one ablation leaves out (arms = items + 2): beyond that an experiment grows
/// past what a person waits for, and the α split over its comparisons leaves no power.
pub const MAX_ABLATED_ITEMS: usize = 12;

/// What an ablation design leaves out, arm by arm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ablation {
    /// The unit ablated (the control arm's).
    pub unit_id: String,
    /// One entry per leave-one-out arm.
    pub left_out: Vec<LeftOut>,
}

/// One leave-one-out arm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The arm.
    pub arm_id: String,
    /// The item it plays without.
    pub item_id: String,
    /// The item's prompt line (so results read without the unit at hand).
    pub line: String,
    /// The variant unit the arm plays.
    pub variant_id: String,
}

/// Why no ablation can be designed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AblationError {
    /// The unit has no items.
    Empty,
    /// More items than [`MAX_ABLATED_ITEMS`].
    TooManyItems(usize),
}

impl std::fmt::Display for AblationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AblationError::Empty => {
                f.write_str("this unit has no items to leave out: dream first, then ablate")
            }
            AblationError::TooManyItems(n) => write!(
                f,
                "this unit has {n} items; an ablation leaves out at most {MAX_ABLATED_ITEMS} \
                 (one arm each): retire some in a dream, or ablate a smaller version"
            ),
        }
    }
}

impl std::error::Error for AblationError {}

/// The id of `unit` without `item_id`.
pub fn variant_id(unit_id: &str, item_id: &str) -> String {
    format!("{unit_id}~without~{item_id}")
}

/// `unit` without the item `item_id`, as a variant unit: its own id, the same profile and
/// creation time, marked [`Lineage::variant_of`] so it never becomes the active unit. `None`
/// when the unit has no such item.
pub fn without_item(unit: &LearningUnit, item_id: &str) -> Option<LearningUnit> {
    unit.item(item_id)?;
    let mut variant = unit.clone();
    variant.strategies.retain(|s| s.id != item_id);
    variant.anti_patterns.retain(|a| a.id != item_id);
    variant.corrections.retain(|c| c.id != item_id);
    variant.few_shots.retain(|f| f.id != item_id);
    variant.id = variant_id(&unit.id, item_id);
    variant.name = format!("{} without {item_id}", unit.name);
    variant.lineage = Lineage {
        parent_id: Some(unit.id.clone()),
        variant_of: Some(unit.id.clone()),
        ..unit.lineage.clone()
    };
    Some(variant)
}

/// The variant units `experiment`'s arms play, derived from the ablated unit among `units`
/// (variants are deterministic, so a design file and the whole unit are all a runner needs).
/// Empty for a design that is no ablation.
///
/// # Errors
/// What is missing: the ablated unit, or an item it no longer holds.
pub fn variant_units(
    experiment: &Experiment,
    units: &[LearningUnit],
) -> Result<Vec<LearningUnit>, String> {
    let Some(ablation) = &experiment.ablation else {
        return Ok(Vec::new());
    };
    let unit = units
        .iter()
        .find(|u| u.id == ablation.unit_id)
        .ok_or_else(|| {
            format!(
                "the ablated learning unit {} is missing: export it from the app with the design",
                ablation.unit_id
            )
        })?;
    ablation
        .left_out
        .iter()
        .map(|l| {
            without_item(unit, &l.item_id).ok_or_else(|| {
                format!(
                    "learning unit {} no longer holds item {}: ablate the version the design was made from",
                    unit.id, l.item_id
                )
            })
        })
        .collect()
}

/// What an ablation design needs besides the unit.
#[derive(Clone, Debug)]
pub struct AblationOptions {
    /// Experiment id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The profile every arm plays with.
    pub profile_id: String,
    /// The puzzles every arm plays.
    pub puzzles: PuzzleSet,
    /// Runs per arm and puzzle.
    pub runs_per_arm: usize,
    /// Runs at once.
    pub concurrency: usize,
    /// Creation time, ms since the epoch.
    pub created_at_ms: u64,
}

/// The leave-one-out experiment of `unit` and the variant units its arms play (store them
/// before the run; the whole unit must exist already).
///
/// # Errors
/// See [`AblationError`].
pub fn ablation_design(
    unit: &LearningUnit,
    options: &AblationOptions,
) -> Result<(Experiment, Vec<LearningUnit>), AblationError> {
    let items = unit.items();
    if items.is_empty() {
        return Err(AblationError::Empty);
    }
    if items.len() > MAX_ABLATED_ITEMS {
        return Err(AblationError::TooManyItems(items.len()));
    }
    let p = options.profile_id.as_str();
    let mut arms = vec![Arm::numbered(
        0,
        "whole unit",
        p,
        UnitChoice::Fixed(unit.id.clone()),
        true,
    )];
    let mut variants = Vec::with_capacity(items.len());
    let mut left_out = Vec::with_capacity(items.len());
    for item in &items {
        let variant = without_item(unit, &item.id).expect("the item is the unit's");
        let arm = Arm::numbered(
            arms.len(),
            &format!("without {}", item.id),
            p,
            UnitChoice::Fixed(variant.id.clone()),
            true,
        );
        left_out.push(LeftOut {
            arm_id: arm.id.clone(),
            item_id: item.id.clone(),
            line: item.line.clone(),
            variant_id: variant.id.clone(),
        });
        arms.push(arm);
        variants.push(variant);
    }
    arms.push(Arm::numbered(
        arms.len(),
        "no unit",
        p,
        UnitChoice::None,
        false,
    ));
    let experiment = Experiment {
        id: options.id.clone(),
        name: options.name.clone(),
        arms,
        puzzles: options.puzzles.clone(),
        runs_per_arm: options.runs_per_arm,
        concurrency: options.concurrency,
        schedule: Schedule::Interleaved,
        early_stopping: None,
        ablation: Some(Ablation {
            unit_id: unit.id.clone(),
            left_out,
        }),
        created_at_ms: options.created_at_ms,
    };
    Ok((experiment, variants))
}

/// One item's lift in an ablation: what the whole unit gains by holding it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemLift {
    /// The item.
    pub item_id: String,
    /// Its prompt line.
    pub line: String,
    /// The arm that played without it.
    pub arm_id: String,
    /// Move accuracy, whole unit minus without the item (paired bootstrap interval when the
    /// arms were paired, else the session bootstrap).
    pub accuracy_lift: Option<Estimate>,
    /// Solve rate, whole unit minus without the item.
    pub solve_rate_lift: Option<Estimate>,
    /// The comparison's verdict, as the results say it.
    pub verdict_text: String,
}

fn negated(e: &Option<Estimate>) -> Option<Estimate> {
    // `0.0 - x`, not `-x`: no lift reads "0", never "-0".
    e.as_ref().map(|e| Estimate {
        value: 0.0 - e.value,
        ci: Interval {
            low: 0.0 - e.ci.high,
            high: 0.0 - e.ci.low,
        },
    })
}

/// The items of an ablation, ranked by accuracy lift (largest first; items without data
/// last; ties by solve-rate lift, then by id). Empty for any other design.
pub fn rank_items(state: &ExperimentState, results: &ExperimentResults) -> Vec<ItemLift> {
    let Some(ablation) = &state.experiment.ablation else {
        return Vec::new();
    };
    let mut lifts: Vec<ItemLift> = ablation
        .left_out
        .iter()
        .map(|l| {
            let c = results.comparisons.iter().find(|c| c.arm_id == l.arm_id);
            let paired = c.and_then(|c| c.paired.as_ref());
            ItemLift {
                item_id: l.item_id.clone(),
                line: l.line.clone(),
                arm_id: l.arm_id.clone(),
                accuracy_lift: negated(
                    &paired
                        .and_then(|p| p.accuracy_difference)
                        .or_else(|| c.and_then(|c| c.accuracy_difference)),
                ),
                solve_rate_lift: negated(
                    &paired
                        .and_then(|p| p.solve_rate_difference)
                        .or_else(|| c.and_then(|c| c.solve_rate_difference)),
                ),
                verdict_text: c.map(|c| c.verdict_text.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let key = |l: &ItemLift| {
        (
            l.accuracy_lift.as_ref().map(|e| e.value),
            l.solve_rate_lift.as_ref().map(|e| e.value),
        )
    };
    lifts.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let by = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by(ka.0, kb.0)
            .then_with(|| by(ka.1, kb.1))
            .then_with(|| a.item_id.cmp(&b.item_id))
    });
    lifts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::plan::tests::result_for;
    use crate::experiment::Next;
    use crate::unit::store::active_unit;
    use crate::unit::{Origin, Pattern, Strategy};

    fn strategy(text: &str) -> Strategy {
        Strategy {
            id: String::new(),
            text: text.into(),
            when: "early".into(),
            pattern: Pattern::Other,
            level: 1,
            empty_ratio: 0.5,
            support: 2,
            source_ids: vec![],
            origin: Origin::Derived,
        }
    }

    fn unit_of(texts: &[&str]) -> LearningUnit {
        let mut u = LearningUnit::empty("u1", "unit", "p", 10.0);
        u.strategies = texts.iter().map(|t| strategy(t)).collect();
        u.assign_item_ids();
        u
    }

    fn options() -> AblationOptions {
        AblationOptions {
            id: "abl".into(),
            name: "ablation".into(),
            profile_id: "p".into(),
            puzzles: PuzzleSet::Generated {
                sizes: vec![4],
                bands: vec![None],
                seeds: (1..=6).collect(),
            },
            runs_per_arm: 1,
            concurrency: 4,
            created_at_ms: 0,
        }
    }

    #[test]
    fn a_design_has_the_whole_unit_one_arm_per_left_out_item_and_no_unit() {
        let unit = unit_of(&["fill singles first", "check the box", "scan rows"]);
        let (design, variants) = ablation_design(&unit, &options()).unwrap();
        design.validate().unwrap();
        assert_eq!(design.arms.len(), 5);
        assert_eq!(design.arms[0].unit, UnitChoice::Fixed("u1".into()));
        assert_eq!(design.arms[4].unit, UnitChoice::None);
        assert!(!design.arms[4].memory);
        let ablation = design.ablation.as_ref().unwrap();
        assert_eq!(ablation.left_out.len(), 3);
        for (k, (left, variant)) in ablation.left_out.iter().zip(&variants).enumerate() {
            let item = &unit.items()[k];
            assert_eq!(left.item_id, item.id);
            assert_eq!(left.arm_id, design.arms[k + 1].id);
            assert_eq!(
                design.arms[k + 1].unit,
                UnitChoice::Fixed(variant.id.clone())
            );
            assert_eq!(variant.item_count(), 2);
            assert!(
                variant.item(&item.id).is_none(),
                "the variant lacks its item"
            );
            let others: Vec<String> = unit
                .items()
                .into_iter()
                .map(|i| i.id)
                .filter(|i| i != &item.id)
                .collect();
            let kept: Vec<String> = variant.items().into_iter().map(|i| i.id).collect();
            assert_eq!(kept, others, "and keeps every other, ids unchanged");
        }
        // The design survives its file.
        assert_eq!(
            Experiment::from_design_json(&design.design_json()).unwrap(),
            design
        );
    }

    #[test]
    fn variants_never_become_the_active_unit() {
        let unit = unit_of(&["a rule", "another rule"]);
        let (_, variants) = ablation_design(&unit, &options()).unwrap();
        let mut all = variants.clone();
        all.push(unit.clone());
        all.extend(variants);
        assert_eq!(active_unit(&all, "p", None).unwrap().unwrap().id, "u1");
        let only_variants: Vec<LearningUnit> = all.into_iter().filter(|u| u.id != "u1").collect();
        assert_eq!(active_unit(&only_variants, "p", None).unwrap(), None);
    }

    #[test]
    fn empty_and_oversized_units_are_refused_with_what_to_do() {
        let e = ablation_design(&unit_of(&[]), &options()).unwrap_err();
        assert_eq!(e, AblationError::Empty);
        assert!(e.to_string().contains("dream first"));
        let many: Vec<String> = (0..13).map(|i| format!("rule number {i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = ablation_design(&unit_of(&refs), &options()).unwrap_err();
        assert_eq!(e, AblationError::TooManyItems(13));
        assert!(without_item(&unit_of(&["x"]), "nope").is_none());
    }

    #[test]
    fn items_rank_by_what_leaving_them_out_costs() {
        let unit = unit_of(&["helps a lot", "helps a little", "hurts"]);
        let (design, _) = ablation_design(&unit, &options()).unwrap();
        let ablation = design.ablation.clone().unwrap();
        // Correct moves out of 10 per arm: whole 8; without item 0 → 3 (it helps most),
        // without item 1 → 6, without item 2 → 9 (the unit is better without it); no unit 2.
        let correct = |arm: &str| match arm {
            "arm-1" => 8,
            "arm-2" => 3,
            "arm-3" => 6,
            "arm-4" => 9,
            _ => 2,
        };
        let mut state = ExperimentState::new(design).unwrap();
        loop {
            match state.poll_next(16) {
                Next::Run { runs } => {
                    for o in runs {
                        let c = correct(&o.arm.id);
                        state.handle_result(result_for(&o, c, 10, c >= 8)).unwrap();
                    }
                }
                Next::Finished => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        let results = ExperimentResults::from_state(&state);
        let ranked = rank_items(&state, &results);
        let ids: Vec<&str> = ranked.iter().map(|l| l.item_id.as_str()).collect();
        let by_arm = |arm: &str| {
            ablation
                .left_out
                .iter()
                .find(|l| l.arm_id == arm)
                .unwrap()
                .item_id
                .as_str()
        };
        assert_eq!(ids, vec![by_arm("arm-2"), by_arm("arm-3"), by_arm("arm-4")]);
        let lift = |k: usize| ranked[k].accuracy_lift.as_ref().unwrap().value;
        assert!((lift(0) - 0.5).abs() < 1e-9, "{}", lift(0));
        assert!((lift(1) - 0.2).abs() < 1e-9);
        assert!(
            (lift(2) + 0.1).abs() < 1e-9,
            "a harmful item has a negative lift"
        );
        let ci = &ranked[0].accuracy_lift.as_ref().unwrap().ci;
        assert!(ci.low <= 0.5 && 0.5 <= ci.high);
        assert!(ranked[0].solve_rate_lift.as_ref().unwrap().value > 0.99);
        assert!(!ranked[0].verdict_text.is_empty());
        // Any other design ranks nothing.
        let plain = ExperimentState::new(crate::experiment::design::tests::ab(1, vec![1])).unwrap();
        assert!(rank_items(&plain, &ExperimentResults::from_state(&plain)).is_empty());
    }

    #[test]
    fn a_design_file_and_the_whole_unit_give_back_the_same_variants() {
        let unit = unit_of(&["a rule", "another rule"]);
        let (design, variants) = ablation_design(&unit, &options()).unwrap();
        let read = Experiment::from_design_json(&design.design_json()).unwrap();
        assert_eq!(
            variant_units(&read, std::slice::from_ref(&unit)).unwrap(),
            variants
        );
        let e = variant_units(&read, &[]).unwrap_err();
        assert!(e.contains("u1 is missing"), "{e}");
        let smaller = without_item(&unit, &unit.items()[0].id).unwrap();
        let mut renamed = smaller;
        renamed.id = "u1".into();
        let e = variant_units(&read, &[renamed]).unwrap_err();
        assert!(e.contains("no longer holds"), "{e}");
        assert!(variant_units(&options_free_design(), &[])
            .unwrap()
            .is_empty());
    }

    fn options_free_design() -> Experiment {
        let unit = unit_of(&["x"]);
        let (mut design, _) = ablation_design(&unit, &options()).unwrap();
        design.ablation = None;
        design
    }
}
