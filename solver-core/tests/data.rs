//! The engine against the repository's puzzle data (`data/`, see its README): the top1465 hard
//! 9×9 collection and the JSON puzzles of `data/upstream-puzzles/`. A missing file fails the test rather
//! than skipping it, so CI cannot pass without having checked the data.

use std::path::PathBuf;

use solver_core::format::{puzzle_lines, UpstreamPuzzle};
use solver_core::solve::{solve, solve_unique};
use solver_core::{Puzzle, Shape};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; the puzzle data must sit in the repository's data/ folder",
            path.display()
        )
    })
}

/// Every top1465 puzzle solves to a valid grid consistent with its givens, uniquely.
///
/// All 1465 are checked even in debug builds: the unoptimised solver still does the whole set
/// in about two seconds, so there is no need for a debug-only subset.
#[test]
fn top1465_all_solve_uniquely() {
    let path = data_dir().join("top1465.txt");
    let text = read(&path);
    let mut checked = 0;
    for item in puzzle_lines(&text) {
        let (line, grid) = item.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(grid.shape(), Shape::NINE, "line {line}");
        let solution = solve_unique(&grid)
            .unwrap_or_else(|e| panic!("line {line}: {e}"))
            .grid;
        assert!(solution.is_solved(), "line {line}");
        assert!(grid.agrees_with(&solution), "line {line}");
        checked += 1;
    }
    assert_eq!(checked, 1465, "{}", path.display());
}

/// Every upstream puzzle file loads, its givens have exactly one solution, and the file's
/// solution is that solution.
#[test]
fn upstream_puzzles_load_and_match_the_solver() {
    let dir = data_dir().join("upstream-puzzles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the 10 upstream puzzle files in {}, found {}",
        dir.display(),
        paths.len()
    );
    for path in &paths {
        let name = path.display();
        let record =
            UpstreamPuzzle::from_json(&read(path)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let givens = record.givens().unwrap_or_else(|e| panic!("{name}: {e}"));
        let file_solution = record
            .solution_grid()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .unwrap_or_else(|| panic!("{name}: no solution in file"));
        assert!(
            file_solution.is_solved(),
            "{name}: file solution is not a valid grid"
        );
        assert!(
            givens.agrees_with(&file_solution),
            "{name}: file solution contradicts the givens"
        );
        let solved = solve(&givens)
            .into_solution()
            .unwrap_or_else(|| panic!("{name}: unsolvable"));
        assert_eq!(solved.grid, file_solution, "{name}");
        let puzzle = Puzzle::from_upstream(&record).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(puzzle.solution, file_solution, "{name}");
        assert_eq!(puzzle.seed, record.seed.unwrap_or(0), "{name}");
        // Writing it back and reading again loses nothing the engine uses.
        let again = Puzzle::from_json(&puzzle.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, puzzle, "{name}");
    }
}

/// Every upstream file imports into the library as one checked puzzle.
#[test]
fn upstream_files_import_into_the_library() {
    let dir = data_dir().join("upstream-puzzles");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let puzzles = solver_core::library::parse_import(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert_eq!(puzzles.len(), 1, "{}", path.display());
    }
}
