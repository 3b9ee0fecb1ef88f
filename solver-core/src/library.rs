//! A person's puzzle library: what an import of pasted text or a file becomes, and what an
//! export writes. Every puzzle is checked (it parses, it breaks no rule, it has exactly one
//! solution) and every problem is reported with its line, row, column and value, so that an
//! import stores all of it or nothing.
//!
//! Accepted: one-line puzzles, one per line (`.` or `0` for empty, `#` comments); upstream JSON
//! (one object, an array of objects, or one object per line).
//!
//! ```
//! use solver_core::library::parse_import;
//!
//! let puzzles = parse_import("1.3...2.3.1...4.\n").unwrap();
//! assert_eq!(puzzles[0].solution.to_line(), "1234432134122143");
//! let errors = parse_import("1.3...2.3.1...4.\n1.3...2.3.1..x4.\n").unwrap_err();
//! assert_eq!(errors[0].line, 2);
//! assert!(errors[0].message.contains("row 4, column 2"), "{}", errors[0].message);
//! ```

use crate::format::UpstreamPuzzle;
use crate::human::Band;
use crate::solve::{solve_unique, SolveError};
use crate::symmetry::Symmetry;
use crate::Grid;

/// One checked puzzle of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryPuzzle {
    /// The givens.
    pub givens: Grid,
    /// The one solution.
    pub solution: Grid,
    /// A name the file gave it (upstream JSON `id`/`name`), if any.
    pub name: Option<String>,
    /// The 1-based line where it starts.
    pub line: usize,
}

/// One problem of an import: where (1-based line, and the puzzle's position in the file) and
/// what, in words that say what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// 1-based line of the file.
    pub line: usize,
    /// What is wrong, naming row, column and value where it can.
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// How many problems an import lists before it stops looking (a wrong file of 10,000 lines
/// needs its first problems fixed, not all of them printed).
pub const MAX_PROBLEMS: usize = 50;

/// Reads a pasted text or file into checked puzzles.
///
/// # Errors
/// Every problem found (up to [`MAX_PROBLEMS`]), in file order; nothing is returned as a
/// puzzle unless the whole text is good. An empty text is a problem too.
pub fn parse_import(text: &str) -> Result<Vec<LibraryPuzzle>, Vec<ImportProblem>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let mut puzzles = Vec::new();
    let mut problems = Vec::new();
    if trimmed.is_empty() {
        return Err(vec![ImportProblem {
            line: 1,
            message: "nothing to import: paste puzzles, one per line, or upstream JSON".into(),
        }]);
    }
    if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<UpstreamPuzzle>>(trimmed) {
            Ok(list) => {
                for (i, puzzle) in list.iter().enumerate() {
                    check_json(puzzle, 1, Some(i + 1), &mut puzzles, &mut problems);
                }
            }
            Err(e) => problems.push(ImportProblem {
                line: e.line(),
                message: format!("not a JSON array of puzzles: {e}"),
            }),
        }
    } else if trimmed.starts_with('{') && serde_json::from_str::<serde_json::Value>(trimmed).is_ok()
    {
        match UpstreamPuzzle::from_json(trimmed) {
            Ok(puzzle) => check_json(&puzzle, 1, None, &mut puzzles, &mut problems),
            Err(e) => problems.push(ImportProblem {
                line: 1,
                message: e.to_string(),
            }),
        }
    } else {
        for (index, line) in text.lines().enumerate() {
            if problems.len() >= MAX_PROBLEMS {
                break;
            }
            let number = index + 1;
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('{') {
                match UpstreamPuzzle::from_json(line) {
                    Ok(puzzle) => check_json(&puzzle, number, None, &mut puzzles, &mut problems),
                    Err(e) => problems.push(ImportProblem {
                        line: number,
                        message: e.to_string(),
                    }),
                }
                continue;
            }
            match Grid::from_line(line) {
                Ok(givens) => check(givens, None, number, &mut puzzles, &mut problems),
                Err(e) => problems.push(ImportProblem {
                    line: number,
                    message: e.to_string(),
                }),
            }
        }
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(puzzles)
    } else {
        Err(problems)
    }
}

fn check_json(
    puzzle: &UpstreamPuzzle,
    line: usize,
    position: Option<usize>,
    puzzles: &mut Vec<LibraryPuzzle>,
    problems: &mut Vec<ImportProblem>,
) {
    let name = puzzle.id.clone().or_else(|| puzzle.name.clone());
    let prefix = match (position, &name) {
        (Some(i), Some(n)) => format!("puzzle {i} ({n}): "),
        (Some(i), None) => format!("puzzle {i}: "),
        (None, Some(n)) => format!("puzzle {n}: "),
        (None, None) => String::new(),
    };
    let givens = match puzzle.givens() {
        Ok(g) => g,
        Err(e) => {
            problems.push(ImportProblem {
                line,
                message: format!("{prefix}{e}"),
            });
            return;
        }
    };
    let before = problems.len();
    let count = puzzles.len();
    check(givens, name, line, puzzles, problems);
    if problems.len() > before {
        for problem in &mut problems[before..] {
            problem.message = format!("{prefix}{}", problem.message);
        }
        return;
    }
    // A solution in the file must be the one the engine found.
    if let Ok(Some(stated)) = puzzle.solution_grid() {
        if puzzles.len() > count && stated != puzzles[count].solution {
            puzzles.truncate(count);
            problems.push(ImportProblem {
                line,
                message: format!(
                    "{prefix}the file's solution differs from the puzzle's only solution"
                ),
            });
        }
    }
}

fn check(
    givens: Grid,
    name: Option<String>,
    line: usize,
    puzzles: &mut Vec<LibraryPuzzle>,
    problems: &mut Vec<ImportProblem>,
) {
    match solve_unique(&givens) {
        Ok(solution) => puzzles.push(LibraryPuzzle {
            givens,
            solution: solution.grid,
            name,
            line,
        }),
        Err(SolveError::Conflicting(conflicts)) => {
            for conflict in conflicts {
                let cells: Vec<String> = conflict
                    .cells
                    .iter()
                    .map(|(r, c)| format!("row {}, column {}", r + 1, c + 1))
                    .collect();
                problems.push(ImportProblem {
                    line,
                    message: format!(
                        "value {} appears twice in {} {} ({})",
                        crate::format::value_char(conflict.value),
                        match conflict.kind {
                            crate::grid::Unit::Row => "row",
                            crate::grid::Unit::Column => "column",
                            crate::grid::Unit::Box => "box",
                        },
                        conflict.unit_index + 1,
                        cells.join(" and ")
                    ),
                });
            }
        }
        Err(SolveError::NoSolution) => problems.push(ImportProblem {
            line,
            message:
                "the puzzle has no solution (no rule is broken yet, but it cannot be completed)"
                    .into(),
        }),
        Err(SolveError::MultipleSolutions) => problems.push(ImportProblem {
            line,
            message: "the puzzle has more than one solution: add givens until only one is left"
                .into(),
        }),
    }
}

/// An example puzzle of the Home screen: generated from a fixed seed, so everyone sees the
/// same ones, in the band it is listed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Grid size.
    pub size: usize,
    /// The band the seed reaches.
    pub band: Band,
    /// Generator seed.
    pub seed: u64,
}

const fn example(size: usize, band: Band, seed: u64) -> Example {
    Example { size, band, seed }
}

/// A few puzzles of each size and of the bands that size reaches (a 4x4 never needs more than
/// singles; big grids stop at the bands that generate in well under a second).
pub const EXAMPLES: &[Example] = &[
    example(4, Band::Easy, 1),
    example(4, Band::Easy, 2),
    example(6, Band::Easy, 1),
    example(6, Band::Medium, 1),
    example(6, Band::Hard, 1),
    example(9, Band::Easy, 1),
    example(9, Band::Medium, 1),
    example(9, Band::Hard, 1),
    example(9, Band::Expert, 1),
    example(9, Band::Diabolical, 1),
    example(12, Band::Easy, 1),
    example(12, Band::Medium, 1),
    example(16, Band::Easy, 1),
    example(25, Band::Easy, 1),
];

/// The library id of a puzzle that has no seed: its size and a 64-bit FNV-1a hash of its
/// givens, so importing the same puzzle twice keeps one copy.
pub fn puzzle_key(givens: &Grid) -> String {
    let hash = givens
        .to_line()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let n = givens.size();
    format!("{n}x{n}-lib-{hash:016x}")
}

/// The library id of a generated puzzle: size, band when one was asked for, symmetry when
/// there is one, and seed (the three together decide the puzzle), e.g. `9x9-easy-seed-7` or
/// `16x16-rotational-seed-3`.
pub fn generated_key(size: usize, band: Option<Band>, symmetry: Symmetry, seed: u64) -> String {
    let mut key = format!("{size}x{size}-");
    if let Some(band) = band {
        key.push_str(band.name());
        key.push('-');
    }
    if symmetry != Symmetry::None {
        key.push_str(symmetry.name());
        key.push('-');
    }
    key.push_str(&format!("seed-{seed}"));
    key
}

/// The one-line file of `puzzles` (givens, one per line), the format every Sudoku tool reads.
pub fn export_lines(puzzles: &[Grid]) -> String {
    puzzles.iter().map(|g| g.to_line() + "\n").collect()
}

/// `puzzles` (givens and solution) as an upstream JSON array.
pub fn export_json(puzzles: &[(Grid, Grid)]) -> String {
    let list: Vec<UpstreamPuzzle> = puzzles
        .iter()
        .map(|(givens, solution)| UpstreamPuzzle::from_grids(givens, Some(solution)))
        .collect();
    serde_json::to_string_pretty(&list).expect("puzzles serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "1.3...2.3.1...4.";

    #[test]
    fn lines_with_comments_and_blank_lines_import() {
        let text = format!("# my puzzles\n\n{GOOD}\n{}\n", GOOD.replace('1', "."));
        let puzzles = parse_import(&text);
        // The second one has several solutions: all or nothing.
        let problems = puzzles.unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        assert!(problems[0].message.contains("more than one solution"));
        let puzzles = parse_import(&format!("# x\n{GOOD}\n\n{GOOD}\n")).unwrap();
        assert_eq!(
            puzzles.iter().map(|p| p.line).collect::<Vec<_>>(),
            vec![2, 4]
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_place() {
        let text = format!("{GOOD}\n1.3...2.3.1..x4.\n11..............\nabc\n");
        let problems = parse_import(&text).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 3, 4], "{problems:?}");
        assert!(
            problems[0].message.contains("row 4, column 2"),
            "{}",
            problems[0].message
        );
        assert!(problems[0].message.contains('x'));
        assert!(
            problems[1]
                .message
                .contains("value 1 appears twice in row 1"),
            "{}",
            problems[1].message
        );
        assert!(problems[1]
            .message
            .contains("row 1, column 1 and row 1, column 2"));
        assert!(
            problems[3].message.contains("3"),
            "a bad length names it: {}",
            problems[3].message
        );
    }

    #[test]
    fn upstream_json_in_every_shape_imports() {
        let one = UpstreamPuzzle::from_grids(&Grid::from_line(GOOD).unwrap(), None).to_json();
        assert_eq!(parse_import(&one).unwrap().len(), 1);
        let givens = Grid::from_line(GOOD).unwrap();
        let solution = crate::solve::solve_unique(&givens).unwrap().grid;
        let array = export_json(&[
            (givens.clone(), solution.clone()),
            (givens.clone(), solution),
        ]);
        let back = parse_import(&array).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].givens, givens);
        let jsonl = format!(
            "{}\n{}\n",
            serde_json::to_string(&UpstreamPuzzle::from_grids(&givens, None)).unwrap(),
            serde_json::to_string(&UpstreamPuzzle::from_grids(&givens, None)).unwrap()
        );
        assert_eq!(parse_import(&jsonl).unwrap().len(), 2);
    }

    #[test]
    fn a_json_solution_that_is_not_the_solution_is_refused() {
        let givens = Grid::from_line(GOOD).unwrap();
        let mut wrong = crate::solve::solve_unique(&givens).unwrap().grid;
        // Swap two values of row 4 (not givens there) to make a different full grid.
        let (a, b) = (wrong.get(3, 0), wrong.get(3, 1));
        wrong.set(3, 0, b);
        wrong.set(3, 1, a);
        let text = export_json(&[(givens, wrong)]);
        let problems = parse_import(&text).unwrap_err();
        assert!(
            problems[0].message.contains("solution differs"),
            "{problems:?}"
        );
    }

    #[test]
    fn broken_json_and_empty_text_say_what_to_do() {
        assert!(parse_import("  \n").unwrap_err()[0]
            .message
            .contains("nothing to import"));
        let problems = parse_import("[{\"grid\": [[1]]}, ").unwrap_err();
        assert!(problems[0].message.contains("JSON"), "{problems:?}");
    }

    #[test]
    fn every_example_generates_in_its_band() {
        for e in EXAMPLES {
            let mut options = crate::generate::GenerateOptions::new(e.size, e.seed);
            options.band = Some(e.band);
            let puzzle =
                crate::generate::generate(&options).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            assert_eq!(
                crate::human::rate(&puzzle.givens).band,
                Some(e.band),
                "{e:?}"
            );
        }
    }

    #[test]
    fn the_same_puzzle_gets_the_same_key() {
        let a = Grid::from_line(GOOD).unwrap();
        let b = Grid::from_line(&GOOD.replace('1', "0")).unwrap();
        assert_eq!(puzzle_key(&a), puzzle_key(&Grid::from_line(GOOD).unwrap()));
        assert_ne!(puzzle_key(&a), puzzle_key(&b));
        assert!(puzzle_key(&a).starts_with("4x4-lib-"));
    }

    #[test]
    fn generated_keys_name_what_decides_the_puzzle() {
        assert_eq!(generated_key(9, None, Symmetry::None, 7), "9x9-seed-7");
        assert_eq!(
            generated_key(9, Some(Band::Easy), Symmetry::None, 7),
            "9x9-easy-seed-7"
        );
        assert_eq!(
            generated_key(16, Some(Band::Hard), Symmetry::Rotational, 3),
            "16x16-hard-rotational-seed-3"
        );
        assert_ne!(
            generated_key(9, None, Symmetry::Diagonal, 7),
            generated_key(9, None, Symmetry::None, 7)
        );
    }

    #[test]
    fn exports_read_back() {
        let givens = Grid::from_line(GOOD).unwrap();
        let text = export_lines(&[givens.clone(), givens.clone()]);
        assert_eq!(parse_import(&text).unwrap().len(), 2);
    }
}
