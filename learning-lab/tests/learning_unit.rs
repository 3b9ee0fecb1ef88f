//! Learning units: merge with dedupe, lossless export/import with precise errors, the active
//! unit of a profile, and retrieval for the prompt.

mod support {
    pub mod scripted;
}

use learning_lab::dream::{dream_offline, DreamOptions};
use learning_lab::play::{build_prompt, Move, PromptInput, TokenBudget};
use learning_lab::unit::{
    active_unit, export_json, export_jsonl, import_any, import_json, import_jsonl, merge, retrieve,
    AntiPattern, Correction, ImportError, LearningUnit, MistakeKind, MoveExample, Origin, Pattern,
    RetrieveOptions, Strategy,
};
use proptest::prelude::*;
use solver_core::format::parse_line;

fn dreamed(size: usize, seed: u64, count: usize, id: &str, now: f64) -> LearningUnit {
    let (exps, sols) = support::scripted::experiences(size, seed, count);
    let mut o = DreamOptions::new(id, id, "local", now);
    o.solutions = sols.into_iter().collect();
    dream_offline(exps, o).unit
}

#[test]
fn export_import_round_trip_is_lossless_in_both_forms() {
    // Nothing is lost or reset on the way: anti-patterns, corrections, dates and ids.
    let a = dreamed(9, 7, 400, "u-a", 1.0);
    let b = dreamed(4, 3, 100, "u-b", 2.0);
    assert!(!a.anti_patterns.is_empty() && !a.corrections.is_empty());
    let units = vec![a, b];
    assert_eq!(import_json(&export_json(&units, 5.0)).unwrap(), units);
    assert_eq!(import_jsonl(&export_jsonl(&units)).unwrap(), units);
}

#[test]
fn merge_dedupes_by_text_and_keeps_everything_else() {
    let a = dreamed(9, 7, 400, "u-a", 1.0);
    let b = dreamed(9, 8, 400, "u-b", 2.0);
    let m = merge(&[&a, &b], "u-m", "merged", 3.0);
    assert_eq!(m.merged_from, vec!["u-a".to_string(), "u-b".to_string()]);
    // Same derived texts from both dreams are kept once, supports added.
    let texts = |u: &LearningUnit| -> std::collections::BTreeSet<String> {
        u.strategies
            .iter()
            .map(|s| format!("{} {}", s.when, s.text))
            .collect()
    };
    let union: std::collections::BTreeSet<String> = texts(&a).union(&texts(&b)).cloned().collect();
    assert_eq!(m.strategies.len(), union.len());
    let total = |u: &LearningUnit| u.strategies.iter().map(|s| s.support).sum::<usize>();
    assert_eq!(total(&m), total(&a) + total(&b));
    let freq = |u: &LearningUnit| u.anti_patterns.iter().map(|s| s.frequency).sum::<usize>();
    assert_eq!(freq(&m), freq(&a) + freq(&b));
    // Corrections and few-shots of different boards are all kept; ids are united.
    assert_eq!(
        m.corrections.len(),
        a.corrections.len() + b.corrections.len()
    );
    assert_eq!(m.few_shots.len(), a.few_shots.len() + b.few_shots.len());
    assert_eq!(
        m.source_experience_ids.len(),
        a.source_experience_ids.len(),
        "both dreams used ids e000000.. so the union has the larger set once"
    );
    // Merging one unit keeps every item as it was.
    let single = merge(&[&a], "u-1", "one", 3.0);
    assert_eq!(
        (
            &single.strategies,
            &single.anti_patterns,
            &single.corrections,
            &single.few_shots
        ),
        (
            &a.strategies,
            &a.anti_patterns,
            &a.corrections,
            &a.few_shots
        )
    );
    assert_eq!(single.abstraction_levels, a.abstraction_levels);
    // Merging a unit with itself changes nothing but counts.
    let self_merge = merge(&[&a, &a], "u-aa", "twice", 3.0);
    assert_eq!(self_merge.strategies.len(), a.strategies.len());
    assert_eq!(self_merge.corrections, a.corrections);
    m.validate().unwrap();
}

#[test]
fn dedupe_normalises_case_and_punctuation() {
    let mut a = LearningUnit::empty("a", "a", "p", 0.0);
    let s = Strategy {
        id: String::new(),
        text: "Check the row, then the column!".into(),
        when: "early".into(),
        pattern: Pattern::Other,
        level: 1,
        empty_ratio: 0.5,
        support: 2,
        source_ids: vec!["e1".into(), "e2".into()],
        origin: Origin::Llm,
    };
    a.strategies.push(s.clone());
    let mut b = LearningUnit::empty("b", "b", "p", 0.0);
    b.strategies.push(Strategy {
        id: String::new(),
        text: "check the ROW then the column".into(),
        support: 1,
        empty_ratio: 0.2,
        source_ids: vec!["e2".into(), "e3".into()],
        ..s
    });
    let m = merge(&[&a, &b], "m", "m", 1.0);
    assert_eq!(m.strategies.len(), 1);
    assert_eq!(m.strategies[0].support, 3);
    assert_eq!(m.strategies[0].source_ids, ["e1", "e2", "e3"]);
    assert!((m.strategies[0].empty_ratio - 0.4).abs() < 1e-9);
}

fn correction_unit() -> LearningUnit {
    let mut u = LearningUnit::empty("u", "u", "p", 0.0);
    u.corrections.push(Correction {
        id: String::new(),
        text: "guessed".into(),
        board: "1..4.41.2.4..3.1".into(),
        wrong: Move::new(0, 1, 3),
        true_value: 2,
        source_ids: vec![],
        origin: Origin::Derived,
    });
    u.assign_item_ids();
    u
}

#[test]
fn import_errors_say_where() {
    match import_json(
        "{\"format\": \"machine-dream-learning-units\",\n \"version\": 1, \"units\": [}",
    ) {
        Err(ImportError::Json {
            line: 2, column, ..
        }) => assert!(column > 1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        import_json("{\"format\": \"other\", \"version\": 1, \"units\": []}"),
        Err(ImportError::Envelope(m)) if m.contains("\"other\"")
    ));
    assert!(matches!(
        import_json("{\"format\": \"machine-dream-learning-units\", \"version\": 9, \"exported_at\": 0, \"units\": []}"),
        Err(ImportError::Envelope(m)) if m.contains("version 9")
    ));
    let mut bad = correction_unit();
    bad.corrections[0].true_value = 5;
    let err = import_json(&export_json(&[correction_unit(), bad], 0.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unit 2 (id \"u\"): corrections[0].true_value: 5 is not a value of a 4x4 grid"
    );
    let err = import_json(&export_json(&[correction_unit(), correction_unit()], 0.0)).unwrap_err();
    assert_eq!(err, ImportError::DuplicateId("u".into()));
    let mut off = correction_unit();
    off.anti_patterns.push(AntiPattern {
        id: String::new(),
        text: "x".into(),
        kind: MistakeKind::RowConflict,
        examples: vec![MoveExample {
            board: "1..4.41.2.4..3.1".into(),
            mv: Move::new(4, 0, 1),
        }],
        frequency: 1,
        source_ids: vec![],
        origin: Origin::Derived,
    });
    let err = import_jsonl(&export_jsonl(&[off])).unwrap_err();
    assert!(
        err.to_string()
            .contains("anti_patterns[0].examples[0].mv: r5c1=1 does not fit a 4x4 board"),
        "{err}"
    );
    // JSON lines: the error names the line in the file.
    let text = format!(
        "{}\n\n{{\"id\": 3}}\n",
        export_jsonl(&[correction_unit()]).trim()
    );
    match import_jsonl(&text) {
        Err(ImportError::Json { line: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_newest_unit_is_active_unless_one_is_chosen() {
    // Play after a dream uses the new unit; an unknown chosen id is an error, not a silent
    // fallback.
    let mut old = LearningUnit::empty("old", "old", "p", 10.0);
    old.profile_id = "p".into();
    let new = LearningUnit::empty("new", "new", "p", 20.0);
    let other = LearningUnit::empty("other", "other", "q", 30.0);
    let units = vec![old, new, other];
    assert_eq!(active_unit(&units, "p", None).unwrap().unwrap().id, "new");
    assert_eq!(
        active_unit(&units, "p", Some("old")).unwrap().unwrap().id,
        "old"
    );
    assert_eq!(active_unit(&units, "r", None).unwrap(), None);
    assert_eq!(
        active_unit(&units, "p", Some("p_standard_fastcluster"))
            .unwrap_err()
            .to_string(),
        "no learning unit with id \"p_standard_fastcluster\""
    );
}

#[test]
fn the_pinned_unit_and_the_newest_are_all_the_rule_needs() {
    // The app's storage fetches only these two (the pinned unit by id, the newest by the
    // profile index) and leaves the choice to `active_unit`.
    let pinned = LearningUnit::empty("pinned", "pinned", "p", 10.0);
    let newest = LearningUnit::empty("newest", "newest", "p", 20.0);
    let fetched = [pinned.clone(), newest.clone()];
    assert_eq!(
        active_unit(&fetched, "p", Some("pinned")).unwrap(),
        Some(&pinned)
    );
    assert_eq!(
        active_unit(&fetched[1..], "p", None).unwrap(),
        Some(&newest)
    );
    assert_eq!(active_unit(&[], "p", None).unwrap(), None);
    // A pin whose unit is gone: nothing was fetched for it, and that is an error.
    assert!(active_unit(&fetched[1..], "p", Some("gone")).is_err());
}

#[test]
fn an_import_file_is_read_in_the_form_it_has() {
    let units = vec![correction_unit(), LearningUnit::empty("e", "e", "p", 1.0)];
    assert_eq!(import_any(&export_json(&units, 5.0)).unwrap(), units);
    assert_eq!(import_any(&export_jsonl(&units)).unwrap(), units);
    let array = serde_json::to_string(&units).unwrap();
    assert_eq!(import_any(&format!("  {array}")).unwrap(), units);
    assert!(import_any("{ not json").is_err());
}

#[test]
fn item_count_counts_every_item_kind() {
    let unit = correction_unit();
    assert_eq!(
        unit.item_count(),
        unit.strategies.len()
            + unit.anti_patterns.len()
            + unit.corrections.len()
            + unit.few_shots.len()
    );
    assert!(unit.item_count() > 0);
    assert_eq!(LearningUnit::empty("e", "e", "p", 1.0).item_count(), 0);
}

#[test]
fn retrieval_prefers_items_that_fit_the_board() {
    let mut u = LearningUnit::empty("u", "u", "p", 0.0);
    let base = Strategy {
        id: String::new(),
        text: "Longer deduction.".into(),
        when: String::new(),
        pattern: Pattern::Other,
        level: 1,
        empty_ratio: 0.5,
        support: 50,
        source_ids: vec![],
        origin: Origin::Derived,
    };
    u.strategies.push(base.clone());
    u.strategies.push(Strategy {
        id: String::new(),
        text: "Naked single.".into(),
        pattern: Pattern::NakedSingle,
        support: 5,
        ..base.clone()
    });
    u.strategies.push(Strategy {
        id: String::new(),
        text: "Hidden single early.".into(),
        pattern: Pattern::HiddenSingle,
        empty_ratio: 0.9,
        support: 5,
        ..base
    });
    u.corrections = correction_unit().corrections;
    // A 9x9 board with one gap: a naked single is present.
    let solved =
        "534678912672195348198342567859761423426853791713924856961537284287419635345286179";
    let mut board = parse_line(solved).unwrap();
    board.set(0, 0, None);
    let opts = RetrieveOptions {
        strategies: 2,
        ..RetrieveOptions::default()
    };
    let p = retrieve(&u, &board, opts);
    assert_eq!(p.strategies[0], "Naked single.");
    assert_eq!(p.strategies.len(), 2);
    // The 4x4 correction does not fit a 9x9 board.
    assert!(p.corrections.is_empty());
    let four = parse_line("1..4.41.2.4..3.1").unwrap();
    assert_eq!(retrieve(&u, &four, opts).corrections.len(), 1);
    assert_eq!(retrieve(&u, &board, opts), p, "deterministic");
}

#[test]
fn retrieved_items_fit_the_prompt_budget() {
    let u = dreamed(9, 7, 600, "u", 0.0);
    let board = support::scripted::puzzle(9, 77).givens;
    // Every candidate of every kind (9), more than the default per-move limit.
    let every = RetrieveOptions {
        max_items: 9,
        ..RetrieveOptions::default()
    };
    let p = retrieve(&u, &board, every);
    assert!(!p.strategies.is_empty() && !p.anti_patterns.is_empty() && !p.corrections.is_empty());
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
    assert_eq!(built.trimmed.unit_items, 0, "{}", built.user);
    assert!(built.user.contains("COMMON MISTAKES TO AVOID"));
    assert!(built.user.contains("the right value there was"));
    // Every item as a prompt unit too.
    let all = u.to_prompt_unit();
    assert_eq!(all.strategies.len(), u.strategies.len() + u.few_shots.len());
    assert_eq!(all.anti_patterns.len(), u.anti_patterns.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Any unit survives export → import unchanged, including odd texts and float fields.
    #[test]
    fn any_unit_round_trips(
        text in "\\PC{0,40}",
        support in 0usize..1000,
        ratio in 0.0f64..=1.0,
        now in -1e15f64..1e15,
        value in 1u8..=4,
        ids in proptest::collection::vec("[a-z0-9-]{1,8}", 0..5),
    ) {
        let mut u = correction_unit();
        u.created_at = now;
        u.updated_at = now + 1.0;
        u.source_experience_ids = ids.clone();
        u.strategies.push(Strategy {
            id: String::new(),
            text: format!("x{text}"),
            when: text.clone(),
            pattern: Pattern::HiddenSingle,
            level: 2,
            empty_ratio: ratio,
            support,
            source_ids: ids,
            origin: Origin::Llm,
        });
        u.corrections[0].true_value = if value == 3 { 2 } else { value };
        u.corrections[0].text = text;
        u.assign_item_ids();
        let units = vec![u];
        prop_assert_eq!(import_json(&export_json(&units, now)).unwrap(), units.clone());
        prop_assert_eq!(import_jsonl(&export_jsonl(&units)).unwrap(), units);
    }
}
