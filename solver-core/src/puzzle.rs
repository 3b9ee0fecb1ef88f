//! A puzzle: givens with their unique solution and where they came from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::format::{ParseError, ParseErrorKind, UpstreamPuzzle};
use crate::grid::{Grid, Shape};
use crate::solve::{solve_unique, SolveError};
use crate::symmetry::Symmetry;

/// Givens together with their unique solution.
///
/// [`crate::generate::generate`] and [`Puzzle::from_upstream`] guarantee that `solution` is
/// the only completion of `givens`; a `Puzzle` built or deserialised by hand is trusted as is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Puzzle {
    /// The grid shape (same as both grids').
    pub shape: Shape,
    /// The clues; empty cells are for the player.
    pub givens: Grid,
    /// The only completion of `givens`.
    pub solution: Grid,
    /// The generator seed; 0 for a puzzle loaded from a file that has none.
    pub seed: u64,
    /// Symmetry of the clue pattern (as generated or as declared by the file).
    pub symmetry: Symmetry,
}

/// Why a file's puzzle cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PuzzleError {
    /// The JSON or a grid in it is malformed.
    Parse(ParseError),
    /// The givens do not have exactly one solution.
    Solve(SolveError),
    /// The file's solution is not the puzzle's unique solution; the first differing cell
    /// (0-based) is named.
    SolutionMismatch {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The value in the file (0 = empty).
        in_file: u8,
        /// The value the solver found.
        solved: u8,
    },
}

impl fmt::Display for PuzzleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PuzzleError::Parse(e) => fmt::Display::fmt(e, f),
            PuzzleError::Solve(e) => fmt::Display::fmt(e, f),
            PuzzleError::SolutionMismatch {
                row,
                col,
                in_file,
                solved,
            } => write!(
                f,
                "`solution` row {}, column {}: the file has {in_file} but the puzzle's only solution has {solved}",
                row + 1,
                col + 1
            ),
        }
    }
}

impl std::error::Error for PuzzleError {}

impl From<ParseError> for PuzzleError {
    fn from(e: ParseError) -> PuzzleError {
        PuzzleError::Parse(e)
    }
}

impl From<SolveError> for PuzzleError {
    fn from(e: SolveError) -> PuzzleError {
        PuzzleError::Solve(e)
    }
}

impl Puzzle {
    /// Number of givens.
    pub fn clue_count(&self) -> usize {
        self.givens.filled_count()
    }

    /// A puzzle from its givens, solving them and checking the solution is unique.
    ///
    /// # Errors
    /// [`SolveError`] when the givens conflict or do not have exactly one solution.
    pub fn from_givens(givens: Grid) -> Result<Puzzle, SolveError> {
        let solution = solve_unique(&givens)?.grid;
        Ok(Puzzle {
            shape: givens.shape(),
            givens,
            solution,
            seed: 0,
            symmetry: Symmetry::None,
        })
    }

    /// A puzzle from an upstream record. The givens must have exactly one solution; when the
    /// file also has a `solution`, it must be that one. A missing `seed` becomes 0 and a missing
    /// `symmetry` becomes none.
    ///
    /// # Errors
    /// [`PuzzleError`] for malformed grids, an unknown symmetry, givens without a unique
    /// solution, or a file solution that differs from it.
    pub fn from_upstream(record: &UpstreamPuzzle) -> Result<Puzzle, PuzzleError> {
        let givens = record.givens()?;
        let in_file = record.solution_grid()?;
        let symmetry = match &record.symmetry {
            None => Symmetry::None,
            Some(name) => name.parse().map_err(|_| {
                ParseError::from(ParseErrorKind::UnknownSymmetry {
                    found: name.clone(),
                })
            })?,
        };
        let mut puzzle = Puzzle::from_givens(givens)?;
        if let Some(file_solution) = in_file {
            if let Some(i) = (0..puzzle.shape.cell_count())
                .find(|&i| file_solution.cells()[i] != puzzle.solution.cells()[i])
            {
                let (row, col) = puzzle.shape.position(i);
                return Err(PuzzleError::SolutionMismatch {
                    row,
                    col,
                    in_file: file_solution.cells()[i],
                    solved: puzzle.solution.cells()[i],
                });
            }
        }
        puzzle.seed = record.seed.unwrap_or(0);
        puzzle.symmetry = symmetry;
        Ok(puzzle)
    }

    /// Parses upstream JSON into a checked puzzle (see [`Puzzle::from_upstream`]).
    ///
    /// # Errors
    /// As for [`UpstreamPuzzle::from_json`] and [`Puzzle::from_upstream`].
    pub fn from_json(text: &str) -> Result<Puzzle, PuzzleError> {
        Puzzle::from_upstream(&UpstreamPuzzle::from_json(text)?)
    }

    /// The upstream record: `seed`, `size`, `symmetry`, `grid`, `solution` and a `metadata`
    /// object with `clueCount` and `hasUniqueSolution`, the layout of the generator files in
    /// `data/upstream-puzzles/`.
    pub fn to_upstream(&self) -> UpstreamPuzzle {
        let mut record = UpstreamPuzzle::from_grids(&self.givens, Some(&self.solution));
        record.seed = Some(self.seed);
        record.symmetry = Some(self.symmetry.name().to_string());
        record.metadata = Some(serde_json::json!({
            "clueCount": self.clue_count(),
            "hasUniqueSolution": true,
        }));
        record
    }

    /// Pretty-printed upstream JSON (see [`Puzzle::to_upstream`]).
    pub fn to_json(&self) -> String {
        self.to_upstream().to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenerateOptions};

    #[test]
    fn upstream_round_trip() {
        let p = generate(&GenerateOptions {
            size: 6,
            seed: 99,
            symmetry: Symmetry::Diagonal,
            target_clues: None,
            band: None,
            minimal: false,
        })
        .unwrap();
        let json = p.to_json();
        assert!(json.contains("\"symmetry\": \"diagonal\""));
        assert!(json.contains("\"clueCount\""));
        assert_eq!(Puzzle::from_json(&json).unwrap(), p);
    }

    #[test]
    fn rejects_wrong_solution_and_non_unique_givens() {
        // data/upstream-puzzles' 4x4-easy with the last row's 2 and 3 swapped in the solution.
        let wrong = r#"{"grid": [[0,3,1,4],[4,1,0,2],[3,2,4,1],[1,4,0,0]],
                        "solution": [[2,3,1,4],[4,1,3,2],[3,2,4,1],[1,4,3,2]]}"#;
        let err = Puzzle::from_json(wrong).unwrap_err();
        assert_eq!(
            err,
            PuzzleError::SolutionMismatch {
                row: 3,
                col: 2,
                in_file: 3,
                solved: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "`solution` row 4, column 3: the file has 3 but the puzzle's only solution has 2"
        );
        let open = r#"{"grid": [[1,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]}"#;
        assert_eq!(
            Puzzle::from_json(open),
            Err(PuzzleError::Solve(SolveError::MultipleSolutions))
        );
        let sym = r#"{"grid": [[0,3,1,4],[4,1,0,2],[3,2,4,1],[1,4,0,0]], "symmetry": "spiral"}"#;
        assert!(Puzzle::from_json(sym)
            .unwrap_err()
            .to_string()
            .contains("\"spiral\""));
    }

    #[test]
    fn serde_round_trip() {
        let p = generate(&GenerateOptions::new(4, 3)).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Puzzle>(&json).unwrap(), p);
    }
}
