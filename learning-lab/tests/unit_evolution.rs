//! Per-item credit and units that evolve: stable item ids, the ledger of each item, the
//! per-move item limit, versions made by explicit operations, and rollback.

mod support {
    pub mod scripted;
}

use std::collections::BTreeMap;

use learning_lab::dream::evolve::{evolve, RETIRE_AFTER_IDLE_DREAMS, RETIRE_AFTER_USES};
use learning_lab::dream::{dream_offline, DreamOptions};
use learning_lab::experiment::stats::newcombe_difference;
use learning_lab::memory::ExperienceRecord;
use learning_lab::play::{
    build_prompt, Experience, ExperienceContext, Limits, PlaySession, PromptInput, TokenBudget,
};
use learning_lab::unit::retrieve::retrieve_ranked;
use learning_lab::unit::{
    active_unit, derive_item_id, import_jsonl, ledger, ledger_csv, make_active, never_helped,
    retrieve, versions, ItemKind, ItemLedger, LearningUnit, Origin, Pattern, RetrieveOptions,
    Strategy, Tally, UnitOp, DEFAULT_UNIT_TOKEN_BUDGET,
};
use proptest::prelude::*;
use solver_core::format::parse_line;

const GIVENS: &str = "1..4.41.2.4..3.1";
const SOLUTION: &str = "1234341221434321";

/// One judged attempt on the 4x4 puzzle, by `profile`, with `injected` items in its prompt.
fn attempt(answer: &str, profile: &str, injected: &[&str]) -> Experience {
    let mut s = PlaySession::new(
        parse_line(GIVENS).unwrap(),
        parse_line(SOLUTION).unwrap(),
        Limits::default(),
    )
    .unwrap();
    s.handle_answer(answer, None).unwrap();
    let mut e = Experience::from_attempt(
        &s,
        0,
        ExperienceContext {
            session_id: "s".into(),
            puzzle_id: "p".into(),
            profile_id: profile.into(),
            ..ExperienceContext::default()
        },
    );
    e.injected_items = injected.iter().map(|s| s.to_string()).collect();
    e
}

const CORRECT: &str = "r1c2=2";
const INVALID: &str = "r1c2=1";
const VALID_BUT_WRONG: &str = "r1c3=2";
const UNPARSEABLE: &str = "I cannot decide.";

fn strategy(text: &str, pattern: Pattern) -> Strategy {
    Strategy {
        id: String::new(),
        text: text.into(),
        when: String::new(),
        pattern,
        level: 1,
        empty_ratio: 0.5,
        support: 2,
        source_ids: vec![],
        origin: Origin::Derived,
    }
}

fn unit_of(id: &str, strategies: Vec<Strategy>) -> LearningUnit {
    let mut u = LearningUnit::empty(id, id, "p", 1.0);
    u.strategies = strategies;
    u.assign_item_ids();
    u
}

#[test]
fn the_four_test_answers_are_judged_as_their_names_say() {
    // Pins the fixtures the ledger tests rely on.
    let labels: Vec<&str> = [CORRECT, INVALID, VALID_BUT_WRONG, UNPARSEABLE]
        .iter()
        .map(|a| attempt(a, "p", &[]).attempt.judgement.label())
        .collect();
    assert_eq!(
        labels,
        ["CORRECT", "INVALID", "VALID_BUT_WRONG", "UNPARSEABLE"]
    );
}

#[test]
fn ledger_of_hand_built_experiences_has_exact_counts_and_lift() {
    let u = unit_of(
        "u",
        vec![
            strategy("Alpha rule.", Pattern::NakedSingle),
            strategy("Beta rule.", Pattern::HiddenSingle),
            strategy("Gamma rule.", Pattern::Other),
        ],
    );
    let (a, b) = (u.strategies[0].id.as_str(), u.strategies[1].id.as_str());
    let exps = vec![
        attempt(CORRECT, "p", &[a]),
        attempt(CORRECT, "p", &[a]),
        attempt(INVALID, "p", &[a]),
        attempt(VALID_BUT_WRONG, "p", &[a]),
        attempt(UNPARSEABLE, "p", &[a, b, a]), // a listed twice: one use
        attempt(CORRECT, "p", &[]),
        attempt(INVALID, "p", &[]),
        attempt(INVALID, "p", &["st-not-in-this-unit"]),
        attempt(INVALID, "p", &[]),
        attempt(CORRECT, "other-profile", &[a]), // another profile: not counted
    ];
    let l = ledger(&u, &exps);
    assert_eq!(l.len(), 3);
    assert_eq!(
        l[0].with,
        Tally {
            correct: 2,
            invalid: 1,
            valid_but_wrong: 1,
            unparseable: 1
        }
    );
    assert_eq!(l[0].uses(), 5);
    assert_eq!(
        l[0].without,
        Tally {
            correct: 1,
            invalid: 3,
            valid_but_wrong: 0,
            unparseable: 0
        }
    );
    let lift = l[0].lift.unwrap();
    assert!((lift.value - (0.4 - 0.25)).abs() < 1e-12, "{lift:?}");
    assert_eq!(Some(lift), newcombe_difference(2, 5, 1, 4));
    assert!(lift.ci.low < lift.value && lift.value < lift.ci.high);
    assert!(
        l[0].helpful(),
        "2 correct of 5 beats the 1.25 the baseline predicts"
    );

    assert_eq!(
        l[1].with,
        Tally {
            unparseable: 1,
            ..Tally::default()
        }
    );
    assert_eq!(l[1].without.moves(), 8);
    assert_eq!(l[1].without.correct, 3);
    assert!((l[1].lift.unwrap().value - (0.0 - 3.0 / 8.0)).abs() < 1e-12);
    assert!(!l[1].helpful());

    assert_eq!(l[2].uses(), 0);
    assert_eq!(l[2].lift, None, "no moves with it: no lift");
    let never: Vec<&str> = never_helped(&l)
        .iter()
        .map(|x| x.item_id.as_str())
        .collect();
    assert_eq!(never, [l[1].item_id.as_str(), l[2].item_id.as_str()]);
    // Order does not matter.
    let mut reversed = exps.clone();
    reversed.reverse();
    assert_eq!(ledger(&u, &reversed), l);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever was injected where, each item's four counts add up to its uses, and its moves
    /// with and without it together are all of the profile's moves.
    #[test]
    fn ledger_counts_sum_to_uses_and_split_the_profile_moves(
        moves in proptest::collection::vec((0usize..4, proptest::collection::vec(0usize..4, 0..4), any::<bool>()), 0..40),
    ) {
        let u = unit_of("u", vec![
            strategy("One.", Pattern::NakedSingle),
            strategy("Two.", Pattern::HiddenSingle),
            strategy("Three.", Pattern::Other),
        ]);
        let ids: Vec<String> = u.strategies.iter().map(|s| s.id.clone()).chain(["st-elsewhere".to_string()]).collect();
        let answers = [CORRECT, INVALID, VALID_BUT_WRONG, UNPARSEABLE];
        let exps: Vec<Experience> = moves.iter().map(|(outcome, injected, mine)| {
            let inj: Vec<&str> = injected.iter().map(|&i| ids[i].as_str()).collect();
            attempt(answers[*outcome], if *mine { "p" } else { "q" }, &inj)
        }).collect();
        let profile_moves = moves.iter().filter(|m| m.2).count();
        for item in ledger(&u, &exps) {
            let w = item.with;
            prop_assert_eq!(w.correct + w.invalid + w.valid_but_wrong + w.unparseable, item.uses());
            prop_assert_eq!(item.uses() + item.without.moves(), profile_moves);
            let expected_uses = moves.iter().filter(|m| m.2 && m.1.iter().any(|&i| ids[i] == item.item_id)).count();
            prop_assert_eq!(item.uses(), expected_uses);
            if let Some(l) = item.lift {
                prop_assert!(l.ci.low <= l.value && l.value <= l.ci.high);
                prop_assert!((-1.0..=1.0).contains(&l.value));
            }
        }
    }
}

#[test]
fn a_unit_stored_before_item_ids_loads_with_content_ids() {
    // Regression: the stored form before issue 15 had no item ids and no lineage.
    let old = r#"{"id":"old-1","name":"old","profile_id":"p","algorithm":{"name":"leader","version":1},"created_at":1.0,"updated_at":2.0,"sizes":[4],"source_experience_ids":["e1"],"strategies":[{"text":"Fill the last gap.","when":"a row has one empty cell","pattern":"nearly_full_unit","level":1,"empty_ratio":0.2,"support":3,"source_ids":["e1"],"origin":"derived"}],"anti_patterns":[{"text":"Do not repeat a value.","kind":"row_conflict","examples":[{"board":"1..4.41.2.4..3.1","mv":{"row":0,"col":1,"value":1}}],"frequency":2,"source_ids":["e2"],"origin":"derived"}],"corrections":[{"text":"Check the box.","board":"1..4.41.2.4..3.1","wrong":{"row":0,"col":2,"value":2},"true_value":3,"source_ids":["e3"],"origin":"derived"}],"few_shots":[],"abstraction_levels":[],"verification":{"checked":1,"passed":1,"dropped":[]},"merged_from":[]}"#;
    let units = import_jsonl(old).unwrap();
    let u = &units[0];
    assert_eq!(u.lineage.version, 1);
    assert_eq!(u.lineage.parent_id, None);
    let ids: Vec<String> = u.items().into_iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids[0].starts_with("st-") && ids[1].starts_with("ap-") && ids[2].starts_with("co-"));
    assert_eq!(
        ids[0],
        derive_item_id(
            ItemKind::Strategy,
            &learning_lab::unit::items::strategy_key(&u.strategies[0])
        )
    );
    // Every read gives the same ids, and once written they stay.
    assert_eq!(import_jsonl(old).unwrap(), units);
    let again: LearningUnit = serde_json::from_str(&serde_json::to_string(u).unwrap()).unwrap();
    assert_eq!(&again, u);
}

#[test]
fn an_experience_stored_before_injected_items_loads_without_any() {
    // Regression: experiences stored before issue 15 had no `injected_items`.
    let mut record = ExperienceRecord::new(attempt(CORRECT, "p", &[]), 5.0);
    let json = serde_json::to_string(&record).unwrap();
    assert!(
        !json.contains("injected_items"),
        "an empty list is not written, so the stored form is the old one"
    );
    let back: ExperienceRecord = serde_json::from_str(&json).unwrap();
    assert!(back.experience.injected_items.is_empty());
    record.experience.injected_items = vec!["st-1".into()];
    let json = serde_json::to_string(&record).unwrap();
    let back: ExperienceRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back.experience.injected_items, ["st-1"]);
}

fn many_items_unit() -> LearningUnit {
    let mut u = LearningUnit::empty("u", "u", "p", 0.0);
    for k in 0..6 {
        u.strategies
            .push(strategy(&format!("Rule number {k}."), Pattern::Other));
    }
    let dreamed = dreamed_unit();
    u.anti_patterns = dreamed.anti_patterns;
    u.corrections = dreamed.corrections;
    u.few_shots = dreamed.few_shots;
    u.assign_item_ids();
    u
}

fn dreamed_unit() -> LearningUnit {
    let (exps, sols) = support::scripted::experiences(9, 7, 400);
    let mut o = DreamOptions::new("d", "d", "local", 1.0);
    o.solutions = sols.into_iter().collect();
    dream_offline(exps, o).unit
}

#[test]
fn per_move_item_limit_is_enforced_and_the_ids_follow_the_lines() {
    let u = many_items_unit();
    let board = support::scripted::puzzle(9, 77).givens;
    let count = |p: &learning_lab::play::PromptUnit| {
        p.strategies.len() + p.anti_patterns.len() + p.corrections.len()
    };
    let default = retrieve(&u, &board, RetrieveOptions::default());
    assert_eq!(count(&default), 3, "default: 3 items per move");
    for max in 1..=9 {
        let o = RetrieveOptions {
            max_items: max,
            ..RetrieveOptions::default()
        };
        let p = retrieve(&u, &board, o);
        assert!(count(&p) <= max);
        assert_eq!(count(&p), max.min(9), "9 candidates (3+1+3+2) are there");
        assert_eq!(p.ids.len(), count(&p));
        // Every id is the id of the line at its place.
        let lines: Vec<&String> = p
            .strategies
            .iter()
            .chain(&p.anti_patterns)
            .chain(&p.corrections)
            .collect();
        for (id, line) in p.ids.iter().zip(lines) {
            assert_eq!(&u.item(id).unwrap().line, line);
        }
        assert_eq!(retrieve(&u, &board, o), p, "deterministic");
    }
    // The prompt reports exactly the injected ids.
    let p = retrieve(&u, &board, RetrieveOptions::default());
    let built = build_prompt(
        &PromptInput {
            board: &board,
            last_feedback: None,
            history: &[],
            banned: &[],
            unit: Some(&p),
        },
        TokenBudget::for_size(9),
    );
    assert_eq!(built.injected_items, p.ids);
    // A profile's own limit.
    let mut profile = learning_lab::profile::Profile::from_template(
        learning_lab::profile::ProviderTemplate::LlamaCpp,
        "local",
        1.0,
    );
    profile.max_unit_items = 5;
    assert_eq!(
        count(&retrieve(
            &u,
            &board,
            RetrieveOptions::for_profile(&profile)
        )),
        5
    );
}

#[test]
fn equal_relevance_is_decided_by_lift() {
    // Four strategies of one pattern, ratio and support: equal relevance everywhere.
    let mut u = LearningUnit::empty("u", "u", "p", 0.0);
    for k in 0..4 {
        u.strategies
            .push(strategy(&format!("Rule {k}."), Pattern::Other));
    }
    u.assign_item_ids();
    let board = support::scripted::puzzle(9, 77).givens;
    let o = RetrieveOptions {
        strategies: 4,
        max_items: 2,
        ..RetrieveOptions::default()
    };
    let plain = retrieve(&u, &board, o);
    assert_eq!(
        plain.ids,
        [u.strategies[0].id.clone(), u.strategies[1].id.clone()]
    );
    let lifts: BTreeMap<String, f64> = [
        (u.strategies[3].id.clone(), 0.3),
        (u.strategies[2].id.clone(), 0.1),
    ]
    .into();
    let ranked = retrieve_ranked(&u, &board, o, &lifts);
    assert_eq!(
        ranked.ids,
        [u.strategies[2].id.clone(), u.strategies[3].id.clone()],
        "the two with the higher lifts, in the unit's order"
    );
}

/// A ledger entry with `correct` of `uses` moves with the item and `base_correct` of
/// `base_moves` without it.
fn entry(
    id: &str,
    uses: usize,
    correct: usize,
    base_moves: usize,
    base_correct: usize,
) -> ItemLedger {
    let with = Tally {
        correct,
        invalid: uses - correct,
        ..Tally::default()
    };
    let without = Tally {
        correct: base_correct,
        invalid: base_moves - base_correct,
        ..Tally::default()
    };
    ItemLedger {
        item_id: id.into(),
        kind: ItemKind::Strategy,
        text: String::new(),
        with,
        without,
        lift: newcombe_difference(
            correct as u64,
            uses as u64,
            base_correct as u64,
            base_moves as u64,
        ),
    }
}

/// Whether `op` decides the fate of parent item `id` (a candidate the dream found again, with
/// the same id, merged into it is about the candidate).
fn about_parent_item(op: &UnitOp, id: &str) -> bool {
    op.item() == id && !matches!(op, UnitOp::Merge { from, into, .. } if from == into)
}

fn op_of<'a>(ops: &'a [UnitOp], id: &str) -> &'a UnitOp {
    let found: Vec<&UnitOp> = ops.iter().filter(|o| o.item() == id).collect();
    assert_eq!(found.len(), 1, "one operation per item: {id} in {ops:?}");
    found[0]
}

#[test]
fn evolving_applies_add_merge_retire_and_keep() {
    let mut parent = unit_of(
        "v1",
        vec![
            strategy(
                "Look for a cell with one candidate left.",
                Pattern::NakedSingle,
            ),
            strategy("Guess the first free cell.", Pattern::Other),
            strategy("An old idle idea.", Pattern::HiddenSingle),
            strategy("A young idle idea.", Pattern::NearlyFullUnit),
        ],
    );
    let ids: Vec<String> = parent.strategies.iter().map(|s| s.id.clone()).collect();
    parent
        .lineage
        .idle_dreams
        .insert(ids[2].clone(), RETIRE_AFTER_IDLE_DREAMS - 1);
    let ledger = vec![
        entry(&ids[0], 6, 5, 10, 2),                 // helpful
        entry(&ids[1], RETIRE_AFTER_USES, 0, 10, 2), // harmful after enough uses
        entry(&ids[2], 0, 0, 16, 7),                 // idle for the last allowed dream
        entry(&ids[3], 0, 0, 16, 7),                 // idle, first time
    ];
    let mut candidate = LearningUnit::empty("v2", "v2", "p", 2.0);
    candidate.strategies = vec![
        // Nearly the same words as ids[0]: merged into it.
        Strategy {
            support: 4,
            ..strategy(
                "Look for a cell with only one candidate left.",
                Pattern::NakedSingle,
            )
        },
        strategy(
            "Scan each box for the value it is missing.",
            Pattern::HiddenSingle,
        ),
    ];
    let e = evolve(Some(&parent), candidate, &ledger, 10_000);
    let ops = &e.operations;
    assert_eq!(ops.len(), 6, "4 parent items + 2 candidates: {ops:?}");
    assert!(matches!(op_of(ops, &ids[0]), UnitOp::Keep { .. }));
    assert!(
        matches!(op_of(ops, &ids[1]), UnitOp::Retire { reason, .. } if reason.contains("harmful")),
        "{ops:?}"
    );
    assert!(
        matches!(op_of(ops, &ids[2]), UnitOp::Retire { reason, .. } if reason.contains("dreams")),
        "{ops:?}"
    );
    assert!(matches!(op_of(ops, &ids[3]), UnitOp::Keep { .. }));
    let merged = ops
        .iter()
        .find(|o| matches!(o, UnitOp::Merge { .. }))
        .expect("a merge");
    assert!(matches!(merged, UnitOp::Merge { into, .. } if into == &ids[0]));
    let added: Vec<&UnitOp> = ops.iter().filter(|o| o.name() == "add").collect();
    assert_eq!(added.len(), 1);
    assert_eq!(UnitOp::summary(ops), "1 added, 1 merged, 2 retired, 2 kept");

    let v2 = &e.unit;
    let kept: Vec<&str> = v2.strategies.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(kept[..2], [ids[0].as_str(), ids[3].as_str()]);
    assert_eq!(kept.len(), 3);
    assert_eq!(
        v2.strategies[0].support,
        2 + 4,
        "the merge adds the support"
    );
    assert_eq!(
        v2.strategies[0].text, parent.strategies[0].text,
        "the kept item keeps its text"
    );
    assert_eq!(v2.lineage.parent_id.as_deref(), Some("v1"));
    assert_eq!(v2.lineage.version, 2);
    assert_eq!(&v2.lineage.operations, ops);
    assert_eq!(v2.lineage.idle_dreams.get(&ids[3]), Some(&1));
    assert_eq!(v2.lineage.idle_dreams.get(&ids[0]), None, "used: not idle");
    assert_eq!(v2.id, "v2");
}

#[test]
fn evolving_adds_only_within_the_token_budget() {
    let parent = unit_of("v1", vec![strategy("Keep me.", Pattern::Other)]);
    let mut candidate = LearningUnit::empty("v2", "v2", "p", 2.0);
    let patterns = [
        Pattern::NakedSingle,
        Pattern::HiddenSingle,
        Pattern::NearlyFullUnit,
        Pattern::Other,
    ];
    // Four long, distinct candidates of ~26 tokens each.
    candidate.strategies = patterns
        .iter()
        .enumerate()
        .map(|(k, &p)| strategy(&format!("{k} {}", "word ".repeat(20)), p))
        .collect();
    let budget = parent.estimated_tokens() + 60;
    let e = evolve(Some(&parent), candidate, &[], budget);
    assert!(e.unit.estimated_tokens() <= budget);
    assert_eq!(
        e.unit.strategies[0].text, "Keep me.",
        "the budget never drops a kept item"
    );
    assert_eq!(
        e.unit.strategies.len(),
        3,
        "two of the four fit in 60 tokens"
    );
    assert!(e.dropped.iter().any(|d| d.reason.contains("token budget")));
    // A parent already over the budget keeps everything and adds nothing.
    let e = evolve(
        Some(&parent),
        LearningUnit::empty("v2", "v2", "p", 2.0),
        &[],
        0,
    );
    assert_eq!(e.unit.strategies.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the ledger and the candidates, every helpful item of the parent (net help > 0)
    /// is in the next version with its id and text, and every item gets one operation.
    #[test]
    fn evolving_never_drops_a_helpful_item(
        stats in proptest::collection::vec((0usize..12, 0usize..12, 0u32..4), 1..8),
        base in (1usize..20, 0usize..20),
        candidates in proptest::collection::vec((0usize..8, 0usize..4), 0..6),
    ) {
        let patterns = [Pattern::NakedSingle, Pattern::HiddenSingle, Pattern::NearlyFullUnit, Pattern::Other];
        let words = ["row", "column", "box", "cell", "value", "candidate", "gap", "single"];
        let mut parent = unit_of("v1", stats.iter().enumerate().map(|(k, _)| {
            strategy(&format!("{} {} {k}", words[k % 8], words[(k + 3) % 8]), patterns[k % 4])
        }).collect());
        let (base_moves, base_correct) = (base.0, base.1.min(base.0));
        let mut ledger = Vec::new();
        for (s, &(uses, correct, idle)) in parent.strategies.clone().iter().zip(&stats) {
            ledger.push(entry(&s.id, uses, correct.min(uses), base_moves, base_correct));
            parent.lineage.idle_dreams.insert(s.id.clone(), idle);
        }
        let mut candidate = LearningUnit::empty("v2", "v2", "p", 2.0);
        candidate.strategies = candidates.iter().map(|&(w, p)| {
            strategy(&format!("{} {} 0", words[w], words[(w + 3) % 8]), patterns[p])
        }).collect();
        let n_candidates = candidate.strategies.len();
        let e = evolve(Some(&parent), candidate, &ledger, 10_000);
        for (s, l) in parent.strategies.iter().zip(&ledger) {
            if l.helpful() {
                let kept = e.unit.strategies.iter().find(|k| k.id == s.id);
                prop_assert!(kept.is_some(), "helpful {} dropped: {:?}", s.id, e.operations);
                prop_assert_eq!(&kept.unwrap().text, &s.text);
            }
            prop_assert_eq!(e.operations.iter().filter(|o| about_parent_item(o, &s.id)).count(), 1);
        }
        let dropped = e.dropped.len();
        prop_assert_eq!(e.operations.len() + dropped, parent.strategies.len() + n_candidates);
    }
}

#[test]
fn a_dream_from_the_active_unit_makes_its_next_version_and_rollback_restores_the_old() {
    let (exps, sols) = support::scripted::experiences(9, 7, 400);
    let mut o = DreamOptions::new("v1", "v1", "local", 1.0);
    o.solutions = sols.iter().cloned().collect();
    let first = dream_offline(exps.clone(), o);
    let v1 = first.unit;
    assert_eq!(v1.lineage.version, 1);
    // A first version: every item the dream found is added, or merged into a near-duplicate.
    let ops = &first.report.operations;
    assert!(ops
        .iter()
        .all(|op| op.name() == "add" || op.name() == "merge"));
    assert_eq!(
        ops.iter().filter(|op| op.name() == "add").count(),
        v1.item_count()
    );
    assert!(
        first.report.never_helped.is_empty(),
        "no parent, nothing to judge"
    );

    // Play with v1: its first strategy in every prompt, its first anti-pattern in none.
    let used = v1.strategies[0].id.clone();
    let (more, sols2) = support::scripted::experiences(9, 8, 300);
    let played: Vec<(String, Experience)> = more
        .into_iter()
        .map(|(id, mut e)| {
            e.injected_items = vec![used.clone()];
            (format!("n{id}"), e)
        })
        .collect();
    let mut o = DreamOptions::new("v2", "v2", "local", 2.0);
    o.solutions = sols.iter().chain(&sols2).cloned().collect();
    o.parent = Some(v1.clone());
    let second = dream_offline(played, o);
    let v2 = second.unit;
    assert_eq!(v2.lineage.parent_id.as_deref(), Some("v1"));
    assert_eq!(v2.lineage.version, 2);
    assert_eq!(second.report.parent_id.as_deref(), Some("v1"));
    // One operation per item of v1, and the dream's items merged or added.
    for item in v1.items() {
        let n = second
            .report
            .operations
            .iter()
            .filter(|op| about_parent_item(op, &item.id))
            .count();
        assert_eq!(n, 1, "{}", item.id);
    }
    assert!(second
        .report
        .operations
        .iter()
        .all(|op| op.name() != "add" || v2.item(op.item()).is_some()));
    // Items never injected are listed as never helped; the one used is too when it never was
    // in a correct move.
    let never: Vec<&str> = second
        .report
        .never_helped
        .iter()
        .map(|l| l.item_id.as_str())
        .collect();
    for item in v1.items().iter().filter(|i| i.id != used) {
        assert!(never.contains(&item.id.as_str()), "{}", item.id);
    }
    // Kept items keep their ids across versions.
    for op in &second.report.operations {
        if let UnitOp::Keep { item, .. } = op {
            assert!(v2.item(item).is_some());
        }
    }

    // Rollback: v1 made active again is what the next play and dream use.
    let units = vec![v1.clone(), v2.clone()];
    assert_eq!(
        active_unit(&units, "local", None).unwrap().unwrap().id,
        "v2"
    );
    let pin = make_active(&units, "local", "v1").unwrap();
    assert_eq!(
        active_unit(&units, "local", Some(&pin.id)).unwrap(),
        Some(&v1)
    );
    assert!(make_active(&units, "other", "v1").is_err());
    assert!(make_active(&units, "local", "gone").is_err());
    let chain: Vec<&str> = versions(&units, "v2")
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    assert_eq!(chain, ["v1", "v2"]);
}

#[test]
fn an_offline_first_dream_fits_the_default_token_budget_whole() {
    // Pins the default budget: roomy enough that a first offline dream (~1,100 tokens at every
    // size) loses nothing to it, leaving room for the model's longer texts and later additions.
    for (size, seed, n) in [(4, 3, 200), (9, 7, 2000), (16, 3, 600)] {
        let (exps, sols) = support::scripted::experiences(size, seed, n);
        let mut o = DreamOptions::new("v1", "v1", "local", 1.0);
        o.solutions = sols.iter().cloned().collect();
        let out = dream_offline(exps, o);
        assert!(out.unit.estimated_tokens() * 3 / 2 <= DEFAULT_UNIT_TOKEN_BUDGET);
        assert!(
            !out.report
                .dropped
                .iter()
                .any(|d| d.reason.contains("budget")),
            "{size}x{size}"
        );
    }
}

#[test]
fn merged_versions_keep_item_ids_unique_and_repeated_ids_never_survive() {
    let mut a = unit_of("a", vec![strategy("Rule one.", Pattern::Other)]);
    let mut b = a.clone();
    b.id = "b".into();
    // The same item, rewritten in a later version: same id, other text.
    b.strategies[0].text = "Rule one, rewritten with other words entirely.".into();
    a.assign_item_ids();
    let m = learning_lab::unit::merge(&[&a, &b], "m", "m", 3.0);
    assert_eq!(m.strategies.len(), 2);
    assert_eq!(
        m.strategies[0].id, a.strategies[0].id,
        "the first keeps its id"
    );
    assert_ne!(m.strategies[1].id, m.strategies[0].id);
    m.validate().unwrap();
    // A stored unit that repeats an id loads with unique ids (the later one gets a suffix);
    // one built in memory with a repeated id fails validation, naming the id.
    let mut bad = serde_json::to_value(&m).unwrap();
    bad["strategies"][1]["id"] = bad["strategies"][0]["id"].clone();
    let line = serde_json::to_string(&bad).unwrap();
    let read = import_jsonl(&line).unwrap();
    assert_ne!(read[0].strategies[0].id, read[0].strategies[1].id);
    let mut dup = m.clone();
    dup.strategies[1].id = dup.strategies[0].id.clone();
    assert!(dup
        .validate()
        .unwrap_err()
        .to_string()
        .contains(&m.strategies[0].id));
}

#[test]
fn a_given_parent_ledger_is_what_the_dream_judges_the_parent_by() {
    // The app passes the ledger over the profile's history; the dream's own experiences
    // (here: none with the parent's items) do not override it.
    let (exps, sols) = support::scripted::experiences(4, 3, 120);
    let parent = unit_of(
        "v1",
        vec![
            strategy("Harmful rule.", Pattern::Other),
            strategy("Helpful rule.", Pattern::Other),
        ],
    );
    let (harmful, helpful) = (
        parent.strategies[0].id.clone(),
        parent.strategies[1].id.clone(),
    );
    let mut o = DreamOptions::new("v2", "v2", "p", 2.0);
    o.solutions = sols.into_iter().collect();
    o.parent = Some(parent.clone());
    o.parent_ledger = Some(vec![
        entry(&harmful, 8, 1, 20, 10),
        entry(&helpful, 8, 7, 20, 10),
    ]);
    let out = dream_offline(exps.clone(), o.clone());
    assert!(matches!(
        op_of(&out.report.operations, &harmful),
        UnitOp::Retire { .. }
    ));
    assert!(matches!(
        op_of(&out.report.operations, &helpful),
        UnitOp::Keep { .. }
    ));
    assert!(
        out.report.never_helped.is_empty(),
        "both were in correct moves"
    );
    // Without it, the dream's experiences (none with these items) decide: both idle, kept.
    o.parent_ledger = None;
    let out = dream_offline(exps, o);
    assert!(matches!(
        op_of(&out.report.operations, &harmful),
        UnitOp::Keep { .. }
    ));
    assert_eq!(out.report.never_helped.len(), 2);
}

#[test]
fn ledger_csv_has_one_row_per_item_with_its_counts_lift_and_quoted_text() {
    let u = unit_of(
        "u",
        vec![
            strategy("Alpha, the rule with a comma.", Pattern::NakedSingle),
            strategy("Beta rule.", Pattern::HiddenSingle),
        ],
    );
    let a = u.strategies[0].id.clone();
    let exps = vec![
        attempt(CORRECT, "p", &[&a]),
        attempt(INVALID, "p", &[&a]),
        attempt(CORRECT, "p", &[]),
    ];
    let l = ledger(&u, &exps);
    let csv = ledger_csv([(&u, l.as_slice())]);
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 3, "a header and one row per item: {csv}");
    assert!(rows[0].starts_with("unit_id,unit_version,item_id,kind,uses,correct,"));
    let lift = l[0].lift.unwrap();
    assert_eq!(
        rows[1],
        format!(
            "u,1,{a},strategy,2,1,1,0,0,1,1,{},{},{},{},\"Alpha, the rule with a comma.\"",
            lift.value,
            lift.ci.low,
            lift.ci.high,
            l[0].net_help()
        )
    );
    // The unused item has no lift: its three lift fields are empty.
    assert!(
        rows[2].contains(",strategy,0,0,0,0,0,3,2,,,,"),
        "{}",
        rows[2]
    );
}

#[test]
fn regression_assisted_decoding_moves_of_the_profile_made_every_item_look_harmful() {
    // A held-out run with an assisted arm: the profile's assisted moves were nearly all
    // correct (the grammar allows only legal moves), and counted as "moves without the item"
    // they gave every item a large negative lift. They are left out on both sides.
    use learning_lab::play::PromptMode;
    let u = unit_of("u", vec![strategy("Alpha rule.", Pattern::NakedSingle)]);
    let a = u.strategies[0].id.clone();
    let assisted = |answer: &str, injected: &[&str]| {
        let mut e = attempt(answer, "p", injected);
        e.context.mode = PromptMode::Assisted;
        e
    };
    let mut exps = vec![
        attempt(CORRECT, "p", &[&a]),
        attempt(INVALID, "p", &[&a]),
        attempt(CORRECT, "p", &[]),
        attempt(INVALID, "p", &[]),
    ];
    let fair = ledger(&u, &exps);
    exps.extend((0..20).map(|_| assisted(CORRECT, &[])));
    exps.push(assisted(CORRECT, &[&a]));
    let l = ledger(&u, &exps);
    assert_eq!(l, fair, "assisted moves change nothing");
    assert_eq!(l[0].uses(), 2);
    assert_eq!(l[0].without.moves(), 2);
    assert!(
        l[0].lift.unwrap().value.abs() < 1e-12,
        "half and half: no lift"
    );
}
