//! Reading and writing puzzles: the one-line form, multi-puzzle line files, upstream JSON and a
//! readable text rendering.
//!
//! Every parse error says where (line of a file, row and column of the grid, JSON field) and
//! what was found, because puzzle files are edited by hand and an error that only says
//! "invalid puzzle" sends people hunting.

mod json;
mod line;
mod text;

use std::fmt;

use crate::grid::{Shape, ShapeError};

pub use json::UpstreamPuzzle;
pub use line::{parse_line, parse_lines, puzzle_lines, value_char};

/// A parse failure and where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of a multi-puzzle file, when parsing one.
    pub line: Option<usize>,
    /// What went wrong, with the position inside the grid.
    pub kind: ParseErrorKind,
}

/// The kinds of [`ParseError`]. Rows and columns here are 0-based like the rest of the API;
/// the `Display` text counts from 1 because people read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Nothing but whitespace where a puzzle was expected.
    Empty,
    /// A one-line puzzle whose length is not a supported cell count.
    Length {
        /// Characters found after trimming whitespace at the ends.
        found: usize,
    },
    /// A character that is not a value (or empty marker) for this grid size.
    BadChar {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The character found.
        found: char,
        /// The grid shape inferred from the length.
        shape: Shape,
    },
    /// A JSON cell value outside `0..=size`.
    BadValue {
        /// The JSON field (`grid`, `initial` or `solution`).
        field: &'static str,
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The value found.
        value: i64,
        /// The grid shape.
        shape: Shape,
    },
    /// A JSON grid whose number of rows is not a supported size.
    Size {
        /// The JSON field.
        field: &'static str,
        /// The unsupported size.
        error: ShapeError,
    },
    /// A JSON row whose length differs from the number of rows.
    RowLength {
        /// The JSON field.
        field: &'static str,
        /// 0-based row.
        row: usize,
        /// Values in that row.
        found: usize,
        /// Values expected (the grid size).
        expected: usize,
    },
    /// The JSON `size` field disagrees with a grid's dimensions.
    SizeMismatch {
        /// The JSON field whose grid disagrees.
        field: &'static str,
        /// The declared `size`.
        declared: u64,
        /// The grid's actual size.
        actual: usize,
    },
    /// Upstream JSON with neither `grid` nor `initial`.
    MissingGrid,
    /// Upstream JSON whose `symmetry` is not none, rotational, reflectional or diagonal.
    UnknownSymmetry {
        /// The value found.
        found: String,
    },
    /// Malformed JSON or a field of the wrong type (serde's message, with its line and column).
    Json {
        /// serde_json's description.
        message: String,
    },
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind) -> ParseError {
        ParseError { line: None, kind }
    }

    pub(crate) fn at_line(mut self, line: usize) -> ParseError {
        self.line = Some(line);
        self
    }
}

impl From<ParseErrorKind> for ParseError {
    fn from(kind: ParseErrorKind) -> ParseError {
        ParseError::new(kind)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}, ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Empty => f.write_str("no puzzle: the input is empty"),
            ParseErrorKind::Length { found } => write!(
                f,
                "a one-line puzzle has 16, 36, 81, 144, 256 or 625 cells, found {found} characters"
            ),
            ParseErrorKind::BadChar {
                row,
                col,
                found,
                shape,
            } => write!(
                f,
                "row {}, column {}: {found:?} is not a digit for a {shape} grid",
                row + 1,
                col + 1
            ),
            ParseErrorKind::BadValue {
                field,
                row,
                col,
                value,
                shape,
            } => write!(
                f,
                "`{field}` row {}, column {}: {value} is not a value for a {shape} grid (0 = empty, 1..={})",
                row + 1,
                col + 1,
                shape.size()
            ),
            ParseErrorKind::Size { field, error } => {
                write!(f, "`{field}` has {} rows: {error}", error.size)
            }
            ParseErrorKind::RowLength {
                field,
                row,
                found,
                expected,
            } => write!(
                f,
                "`{field}` row {}: {found} values, expected {expected}",
                row + 1
            ),
            ParseErrorKind::SizeMismatch {
                field,
                declared,
                actual,
            } => write!(
                f,
                "`size` is {declared} but `{field}` is {actual}x{actual}"
            ),
            ParseErrorKind::MissingGrid => {
                f.write_str("the puzzle has neither a `grid` nor an `initial` field")
            }
            ParseErrorKind::UnknownSymmetry { found } => write!(
                f,
                "`symmetry` is {found:?}; expected none, rotational, reflectional or diagonal"
            ),
            ParseErrorKind::Json { message } => write!(f, "invalid puzzle JSON: {message}"),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_line_row_column_and_value() {
        let err = ParseError::new(ParseErrorKind::BadChar {
            row: 1,
            col: 6,
            found: '?',
            shape: Shape::NINE,
        })
        .at_line(3);
        assert_eq!(
            err.to_string(),
            "line 3, row 2, column 7: '?' is not a digit for a 9x9 grid"
        );
    }
}
