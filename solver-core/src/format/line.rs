//! The one-line form (`4...3.......6..8...`) and files of one puzzle per line.

use super::{ParseError, ParseErrorKind};
use std::fmt;

use crate::grid::{Grid, Shape};

/// The character for a cell value in the one-line form: `.` for empty, `1`–`9`, then `A` = 10
/// through `P` = 25. Values above 25 (never in a valid grid) give `?`.
pub fn value_char(value: u8) -> char {
    match value {
        0 => '.',
        1..=9 => char::from(b'0' + value),
        10..=25 => char::from(b'A' + value - 10),
        _ => '?',
    }
}

/// The value of one character for a grid of `size`, 0 meaning empty; `None` if it is not one.
fn char_value(ch: char, size: usize) -> Option<u8> {
    let value = match ch {
        '.' | '0' => return Some(0),
        '1'..='9' => ch as u32 - '0' as u32,
        'A'..='P' => ch as u32 - 'A' as u32 + 10,
        'a'..='p' => ch as u32 - 'a' as u32 + 10,
        _ => return None,
    };
    // Both arms above bound `value` by 25, so the narrowing cannot lose bits.
    (value as usize <= size).then_some(value as u8)
}

/// Parses one puzzle in the one-line form.
///
/// The size is inferred from the number of characters (16, 36, 81, 144, 256 or 625);
/// whitespace at either end is ignored. `.` and `0` mean empty; values above 9 are written
/// `A` (10) to `P` (25), in either case.
///
/// # Errors
/// [`ParseError`] naming the length, or the row, column and character that is not a value.
pub fn parse_line(text: &str) -> Result<Grid, ParseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ParseErrorKind::Empty.into());
    }
    let found = text.chars().count();
    let shape = Shape::from_cell_count(found).ok_or(ParseErrorKind::Length { found })?;
    let mut cells = Vec::with_capacity(found);
    for (i, ch) in text.chars().enumerate() {
        let value = char_value(ch, shape.size()).ok_or_else(|| {
            let (row, col) = shape.position(i);
            ParseErrorKind::BadChar {
                row,
                col,
                found: ch,
                shape,
            }
        })?;
        cells.push(value);
    }
    Ok(Grid::from_checked_cells(shape, cells))
}

/// Iterates over the puzzles of a multi-puzzle text, one per line, skipping blank lines and
/// lines starting with `#`. Each item is `(line number, grid)`, 1-based; errors carry the
/// line number too.
pub fn puzzle_lines(text: &str) -> impl Iterator<Item = Result<(usize, Grid), ParseError>> + '_ {
    text.lines().enumerate().filter_map(|(i, line)| {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let number = i + 1;
        Some(
            parse_line(trimmed)
                .map(|grid| (number, grid))
                .map_err(|e| e.at_line(number)),
        )
    })
}

/// Parses every puzzle of a multi-puzzle text (see [`puzzle_lines`]).
///
/// # Errors
/// The first line that does not parse, with its 1-based line number.
pub fn parse_lines(text: &str) -> Result<Vec<Grid>, ParseError> {
    puzzle_lines(text)
        .map(|r| r.map(|(_, grid)| grid))
        .collect()
}

impl Grid {
    /// Parses the one-line form; see [`parse_line`].
    ///
    /// # Errors
    /// See [`parse_line`].
    pub fn from_line(text: &str) -> Result<Grid, ParseError> {
        parse_line(text)
    }

    /// The one-line form: `.` for empty, `1`–`9`, `A`–`P` for 10–25, row by row.
    pub fn to_line(&self) -> String {
        self.cells().iter().map(|&v| value_char(v)).collect()
    }
}

/// `Grid({shape} {one-line form})`.
impl fmt::Debug for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Grid({} {})", self.shape(), self.to_line())
    }
}

/// Serde reads a grid from its one-line form (see [`Grid`]).
impl TryFrom<String> for Grid {
    type Error = ParseError;

    fn try_from(line: String) -> Result<Grid, Self::Error> {
        Grid::from_line(&line)
    }
}

/// Serde writes a grid as its one-line form (see [`Grid`]).
impl From<Grid> for String {
    fn from(grid: Grid) -> String {
        grid.to_line()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nine_by_nine_with_both_empty_markers() {
        let g = parse_line(
            "  4...3.......6..8..........1....5..9..8....6...7.2........1.27..5.3....4.9........\n",
        )
        .unwrap();
        assert_eq!(g.shape(), Shape::NINE);
        assert_eq!(g.get(0, 0), Some(4));
        assert_eq!(g.get(0, 4), Some(3));
        let zeros = g.to_line().replace('.', "0");
        assert_eq!(parse_line(&zeros).unwrap(), g);
    }

    #[test]
    fn letters_for_large_sizes() {
        let mut line = String::from("123456789ABCDEFG");
        line.push_str(&".".repeat(240));
        let g = parse_line(&line).unwrap();
        assert_eq!(g.shape(), Shape::SIXTEEN);
        assert_eq!(g.get(0, 9), Some(10));
        assert_eq!(g.get(0, 15), Some(16));
        assert_eq!(g.to_line(), line);
        let lower = parse_line(&line.to_lowercase()).unwrap();
        assert_eq!(lower, g);
        let mut big = String::from("P");
        big.push_str(&"0".repeat(624));
        assert_eq!(parse_line(&big).unwrap().get(0, 0), Some(25));
    }

    #[test]
    fn errors_name_position_and_character() {
        let mut line = ".".repeat(81);
        line.replace_range(15..16, "?");
        assert_eq!(
            parse_line(&line).unwrap_err().to_string(),
            "row 2, column 7: '?' is not a digit for a 9x9 grid"
        );
        line.replace_range(15..16, "A");
        assert_eq!(
            parse_line(&line).unwrap_err().kind,
            ParseErrorKind::BadChar {
                row: 1,
                col: 6,
                found: 'A',
                shape: Shape::NINE
            }
        );
        // 5 is too large for 4x4.
        assert!(parse_line("5...............")
            .unwrap_err()
            .to_string()
            .contains("'5' is not a digit for a 4x4 grid"));
        assert_eq!(
            parse_line("123").unwrap_err().kind,
            ParseErrorKind::Length { found: 3 }
        );
        assert_eq!(parse_line(" \n ").unwrap_err().kind, ParseErrorKind::Empty);
        // Inner whitespace is a character like any other.
        let spaced = format!("{} {}", ".".repeat(40), ".".repeat(40));
        assert!(matches!(
            parse_line(&spaced).unwrap_err().kind,
            ParseErrorKind::BadChar { found: ' ', .. }
        ));
        // Multi-byte characters count once and are reported as such.
        let accent = format!("é{}", ".".repeat(15));
        assert!(matches!(
            parse_line(&accent).unwrap_err().kind,
            ParseErrorKind::BadChar {
                row: 0,
                col: 0,
                found: 'é',
                ..
            }
        ));
    }

    #[test]
    fn multi_line_files_skip_comments_and_report_line_numbers() {
        let text = "# a comment\n\n1234341221434321\n  # indented comment\n1.3.....2...4..1\r\n";
        let grids = parse_lines(text).unwrap();
        assert_eq!(grids.len(), 2);
        let numbered: Vec<_> = puzzle_lines(text).map(|r| r.unwrap().0).collect();
        assert_eq!(numbered, [3, 5]);

        let bad = "1234341221434321\n\n1.3.....2..x4..1\n";
        let err = parse_lines(bad).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(
            err.to_string(),
            "line 3, row 3, column 4: 'x' is not a digit for a 4x4 grid"
        );
        assert!(parse_lines("").unwrap().is_empty());
    }
}
