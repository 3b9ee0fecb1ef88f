//! The upstream puzzle JSON: the format of the files in `data/upstream-puzzles/` (see
//! data/README.md) — generator files, curated puzzles and legacy files.

use serde::{Deserialize, Serialize};

use super::{ParseError, ParseErrorKind};
use crate::grid::{Grid, Shape};

/// A puzzle file in the upstream layout, field for field.
///
/// The three upstream variants are all accepted: generator files (`seed`, `size`,
/// `difficulty`, `grid`, `solution`, `metadata`), curated puzzles (`id`, `name`, `author`, …,
/// `grid`) and legacy files (`initial` instead of `grid`). Cells are `0` for empty. Cell values
/// are read as wide integers so that a bad value (say `-1` or `12` in a 9×9) is reported with
/// its row and column instead of as a type error. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamPuzzle {
    /// Curated puzzle identifier, e.g. `ai-escargot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Identifier (the curated files have one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puzzle_id: Option<String>,
    /// Human name of a curated puzzle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Author of a curated puzzle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Year of a curated puzzle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
    /// Declared clue count of a curated puzzle (not trusted; count the grid instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clues: Option<u64>,
    /// Free-text notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Generator seed. Seeds in these files are 32-bit; ours are 64-bit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Declared side length; checked against the grids when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Difficulty label (upstream: easy, medium, hard, expert, diabolical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    /// Symmetry of the clue pattern: none, rotational, reflectional or diagonal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetry: Option<String>,
    /// The givens, rows of values, 0 = empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<Vec<Vec<i64>>>,
    /// The givens under their legacy name; used only when `grid` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<Vec<Vec<i64>>>,
    /// The full solution, when the file has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<Vec<Vec<i64>>>,
    /// Generator metadata (`clueCount`, `generationTimeMs`, …), kept as-is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

impl UpstreamPuzzle {
    /// Parses upstream JSON.
    ///
    /// # Errors
    /// [`ParseErrorKind::Json`] with serde's line and column for malformed JSON or wrongly typed
    /// fields. Grid contents are checked later by [`UpstreamPuzzle::givens`].
    pub fn from_json(text: &str) -> Result<UpstreamPuzzle, ParseError> {
        serde_json::from_str(text).map_err(|e| {
            ParseErrorKind::Json {
                message: e.to_string(),
            }
            .into()
        })
    }

    /// Pretty-printed JSON in the upstream layout.
    pub fn to_json(&self) -> String {
        // Only strings, integers, vectors and `serde_json::Value` are serialised here, none of
        // which can fail, so an error would be a serde_json bug.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// An upstream record holding `givens` (as `grid`), its `size` and optionally `solution`.
    pub fn from_grids(givens: &Grid, solution: Option<&Grid>) -> UpstreamPuzzle {
        UpstreamPuzzle {
            size: Some(givens.size() as u64),
            grid: Some(rows_of(givens)),
            solution: solution.map(rows_of),
            ..UpstreamPuzzle::default()
        }
    }

    /// The givens, from `grid` or else `initial`.
    ///
    /// # Errors
    /// [`ParseErrorKind::MissingGrid`] when neither field is present, otherwise the first
    /// problem with the grid: unsupported size, ragged row, out-of-range value (with row and
    /// column), or disagreement with the `size` field.
    pub fn givens(&self) -> Result<Grid, ParseError> {
        match (&self.grid, &self.initial) {
            (Some(rows), _) => self.rows_to_grid("grid", rows),
            (None, Some(rows)) => self.rows_to_grid("initial", rows),
            (None, None) => Err(ParseErrorKind::MissingGrid.into()),
        }
    }

    /// The solution grid, `None` when the file has none.
    ///
    /// # Errors
    /// As for [`UpstreamPuzzle::givens`], for the `solution` field.
    pub fn solution_grid(&self) -> Result<Option<Grid>, ParseError> {
        self.solution
            .as_ref()
            .map(|rows| self.rows_to_grid("solution", rows))
            .transpose()
    }

    fn rows_to_grid(&self, field: &'static str, rows: &[Vec<i64>]) -> Result<Grid, ParseError> {
        let shape =
            Shape::new(rows.len()).map_err(|error| ParseErrorKind::Size { field, error })?;
        if let Some(declared) = self.size {
            if declared != shape.size() as u64 {
                return Err(ParseErrorKind::SizeMismatch {
                    field,
                    declared,
                    actual: shape.size(),
                }
                .into());
            }
        }
        let mut cells = Vec::with_capacity(shape.cell_count());
        for (row, values) in rows.iter().enumerate() {
            if values.len() != shape.size() {
                return Err(ParseErrorKind::RowLength {
                    field,
                    row,
                    found: values.len(),
                    expected: shape.size(),
                }
                .into());
            }
            for (col, &value) in values.iter().enumerate() {
                match u8::try_from(value) {
                    Ok(v) if usize::from(v) <= shape.size() => cells.push(v),
                    _ => {
                        return Err(ParseErrorKind::BadValue {
                            field,
                            row,
                            col,
                            value,
                            shape,
                        }
                        .into())
                    }
                }
            }
        }
        Ok(Grid::from_checked_cells(shape, cells))
    }
}

fn rows_of(grid: &Grid) -> Vec<Vec<i64>> {
    grid.cells()
        .chunks(grid.size())
        .map(|row| row.iter().map(|&v| i64::from(v)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = r#"{
        "id": "tiny",
        "difficulty": "easy",
        "initial": [[1,0,3,0],[0,0,0,0],[2,0,0,0],[4,0,0,1]],
        "solution": [[1,2,3,4],[3,4,1,2],[2,1,4,3],[4,3,2,1]]
    }"#;

    #[test]
    fn reads_legacy_initial_and_solution() {
        let p = UpstreamPuzzle::from_json(LEGACY).unwrap();
        assert_eq!(p.id.as_deref(), Some("tiny"));
        let givens = p.givens().unwrap();
        assert_eq!(givens.to_line(), "1.3.....2...4..1");
        let solution = p.solution_grid().unwrap().unwrap();
        assert!(solution.is_solved());
        assert!(givens.agrees_with(&solution));
    }

    #[test]
    fn round_trips_through_from_grids() {
        let p = UpstreamPuzzle::from_json(LEGACY).unwrap();
        let givens = p.givens().unwrap();
        let solution = p.solution_grid().unwrap().unwrap();
        let out = UpstreamPuzzle::from_grids(&givens, Some(&solution));
        let back = UpstreamPuzzle::from_json(&out.to_json()).unwrap();
        assert_eq!(back.size, Some(4));
        assert_eq!(back.givens().unwrap(), givens);
        assert_eq!(back.solution_grid().unwrap(), Some(solution));
        assert!(back.initial.is_none());
        assert!(!out.to_json().contains("initial"));
    }

    #[test]
    fn errors_are_precise() {
        let err = |json: &str| {
            UpstreamPuzzle::from_json(json)
                .and_then(|p| p.givens().and(p.solution_grid()))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(r#"{"grid": [[1,0,3,0],[0,0,0,0],[2,0,9,0],[4,0,0,1]]}"#),
            "`grid` row 3, column 3: 9 is not a value for a 4x4 grid (0 = empty, 1..=4)"
        );
        assert_eq!(
            err(r#"{"grid": [[1,0,3,0],[0,0,0],[2,0,0,0],[4,0,0,1]]}"#),
            "`grid` row 2: 3 values, expected 4"
        );
        assert_eq!(
            err(r#"{"grid": [[1,0,3],[0,0,0],[2,0,0]]}"#),
            "`grid` has 3 rows: unsupported grid size 3; supported sizes are 4, 6, 9, 12, 16 and 25"
        );
        assert_eq!(
            err(r#"{"size": 9, "grid": [[1,0,3,0],[0,0,0,0],[2,0,0,0],[4,0,0,1]]}"#),
            "`size` is 9 but `grid` is 4x4"
        );
        assert_eq!(
            err(r#"{"seed": 3}"#),
            "the puzzle has neither a `grid` nor an `initial` field"
        );
        assert_eq!(
            err(
                r#"{"grid": [[1,0,3,0],[0,0,0,0],[2,0,0,0],[4,0,0,1]], "solution": [[-1,2,3,4],[3,4,1,2],[2,1,4,3],[4,3,2,1]]}"#
            ),
            "`solution` row 1, column 1: -1 is not a value for a 4x4 grid (0 = empty, 1..=4)"
        );
        assert!(err("{\"grid\": [[1,0,").starts_with("invalid puzzle JSON: "));
        assert!(err(r#"{"grid": "1.3"}"#).contains("line 1"));
    }
}
