//! Property tests: generated puzzles are proper, solutions are valid, formats round-trip, and
//! no input makes a parser panic.

use proptest::prelude::*;

use solver_core::format::{parse_line, parse_lines, UpstreamPuzzle};
use solver_core::generate::{generate, GenerateOptions};
use solver_core::solve::{count_solutions, solve, SolveOutcome};
use solver_core::symmetry::Symmetry;
use solver_core::{Grid, Puzzle, Shape};

fn small_size() -> impl Strategy<Value = usize> {
    prop_oneof![Just(4usize), Just(6), Just(9)]
}

fn symmetry() -> impl Strategy<Value = Symmetry> {
    prop::sample::select(Symmetry::ALL.to_vec())
}

/// A grid of any supported size with each cell empty or holding any value; may break rules.
fn any_grid() -> impl Strategy<Value = Grid> {
    prop::sample::select(Shape::ALL.to_vec()).prop_flat_map(|shape| {
        prop::collection::vec(0..=shape.size() as u8, shape.cell_count())
            .prop_map(move |cells| Grid::from_cells(shape, cells).expect("in range"))
    })
}

/// A solvable rule-abiding grid: a generated solution with a random subset of cells kept.
fn partial_solution() -> impl Strategy<Value = (Grid, Grid)> {
    (
        small_size(),
        any::<u64>(),
        prop::collection::vec(any::<bool>(), 81),
    )
        .prop_map(|(size, seed, keep)| {
            let full = generate(&GenerateOptions {
                target_clues: Some(size * size),
                band: None,
                minimal: false,
                ..GenerateOptions::new(size, seed)
            })
            .expect("generate")
            .solution;
            let mut partial = full.clone();
            for (i, _) in keep
                .iter()
                .enumerate()
                .take(size * size)
                .filter(|(_, &k)| !k)
            {
                partial.set(i / size, i % size, None);
            }
            (partial, full)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_puzzles_are_unique_and_consistent(
        size in small_size(),
        seed in any::<u64>(),
        symmetry in symmetry(),
    ) {
        let p = generate(&GenerateOptions { size, seed, symmetry, target_clues: None, band: None, minimal: false }).unwrap();
        prop_assert!(p.solution.is_solved());
        prop_assert!(p.givens.agrees_with(&p.solution));
        prop_assert!(p.givens.conflicts().is_empty());
        prop_assert_eq!(count_solutions(&p.givens, 2), 1);
        prop_assert!(symmetry.holds_for(p.shape, p.givens.cells()));
        // Deterministic: regenerating gives the identical puzzle.
        let again = generate(&GenerateOptions { size, seed, symmetry, target_clues: None, band: None, minimal: false }).unwrap();
        prop_assert_eq!(&again, &p);
        // And it survives the upstream JSON form.
        prop_assert_eq!(Puzzle::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn solver_solutions_are_valid_and_keep_the_givens((partial, _full) in partial_solution()) {
        let SolveOutcome::Solved(s) = solve(&partial) else {
            return Err(TestCaseError::fail("a subset of a solution must be solvable"));
        };
        prop_assert!(s.grid.is_solved());
        prop_assert!(partial.agrees_with(&s.grid));
    }

    #[test]
    fn solver_reports_conflicts_or_valid_solutions(grid in any_grid()) {
        // Random grids mostly conflict; whatever happens, the outcome must be truthful.
        match solve(&grid) {
            SolveOutcome::Solved(s) => {
                prop_assert!(s.grid.is_solved());
                prop_assert!(grid.agrees_with(&s.grid));
            }
            SolveOutcome::Conflicting(c) => {
                prop_assert!(!c.is_empty());
                prop_assert_eq!(c, grid.conflicts());
            }
            SolveOutcome::Unsolvable => prop_assert!(grid.conflicts().is_empty()),
        }
    }

    #[test]
    fn line_form_round_trips(grid in any_grid()) {
        let line = grid.to_line();
        prop_assert_eq!(line.chars().count(), grid.shape().cell_count());
        prop_assert_eq!(parse_line(&line).unwrap(), grid.clone());
        let padded = format!("  {line}\t\n");
        prop_assert_eq!(Grid::from_line(&padded).unwrap(), grid.clone());
        let json = serde_json::to_string(&grid).unwrap();
        prop_assert_eq!(serde_json::from_str::<Grid>(&json).unwrap(), grid);
    }

    #[test]
    fn upstream_json_round_trips(grid in any_grid()) {
        let record = UpstreamPuzzle::from_grids(&grid, None);
        let back = UpstreamPuzzle::from_json(&record.to_json()).unwrap();
        prop_assert_eq!(back.givens().unwrap(), grid);
        prop_assert_eq!(back.solution_grid().unwrap(), None);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse_line(&text);
        let _ = parse_lines(&text);
        let _ = Grid::from_line(&text);
        if let Ok(record) = UpstreamPuzzle::from_json(&text) {
            let _ = record.givens();
            let _ = record.solution_grid();
        }
        let _ = Puzzle::from_json(&text);
    }

    #[test]
    fn parsing_puzzle_like_text_never_panics(
        text in "[.0-9A-Za-z?# \n]{0,700}",
    ) {
        // Mostly the right alphabet and lengths near the real ones, to reach deep code paths.
        if let Err(e) = parse_lines(&text) {
            prop_assert!(e.line.is_some());
            prop_assert!(!e.to_string().is_empty());
        }
        let _ = parse_line(&text);
    }

    #[test]
    fn parsing_arbitrary_json_grids_never_panics(
        rows in prop::collection::vec(prop::collection::vec(any::<i64>(), 0..12), 0..12),
        size in prop::option::of(0u64..30),
        symmetry in prop::option::of("[a-z]{0,12}"),
    ) {
        let record = UpstreamPuzzle {
            size,
            symmetry,
            grid: Some(rows.clone()),
            solution: Some(rows),
            ..UpstreamPuzzle::default()
        };
        let _ = record.givens();
        let _ = record.solution_grid();
        let _ = Puzzle::from_upstream(&record);
    }
}
