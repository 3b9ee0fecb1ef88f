//! A person's game on one puzzle, as a state machine without I/O: values and pencil marks,
//! unlimited undo/redo, hints that teach in three presses, checks, reveals and a restart.
//!
//! The screen only renders a [`Game`] and turns keys and clicks into calls; every decision
//! (what a hint shows, which marks a placement clears, what undo restores) is made here and
//! tested natively. A `Game` is serde so that a reload continues it, history included.
//!
//! ```
//! use solver_core::game::{Game, HintView};
//! use solver_core::Grid;
//!
//! let givens = Grid::from_line("1.3...2.3.1...4.").unwrap();
//! let solution = Grid::from_line("1234432134122143").unwrap();
//! let mut game = Game::new(givens, solution).unwrap();
//! game.enter(0, 1, Some(2));
//! assert_eq!(game.value(0, 1), Some(2));
//! game.undo();
//! assert_eq!(game.value(0, 1), None);
//! assert!(matches!(game.hint(), HintView::Where { .. }));
//! ```

use serde::{Deserialize, Serialize};

use crate::grid::Candidates;
use crate::human::{next_step, Step};
use crate::Grid;

/// One cell before and after an action: what undo puts back and redo puts again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CellChange {
    index: usize,
    value_before: u8,
    marks_before: Candidates,
    value_after: u8,
    marks_after: Candidates,
}

/// One undoable action: every cell it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Edit {
    changes: Vec<CellChange>,
}

/// Where a hint is: pressing Hint again moves it on; any edit starts over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum HintStage {
    /// The cells and the technique are shown.
    Where(Step),
    /// The reason is shown too.
    Why(Step),
}

/// What one press of Hint gives the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HintView {
    /// First press: the cells to look at (0-based `(row, col)`) and the technique's name.
    Where {
        /// Cells of the pattern and the cells it changes.
        cells: Vec<(usize, usize)>,
        /// The technique, e.g. "Hidden single".
        technique: String,
    },
    /// Second press: the same cells, and the sentence that explains the step.
    Why {
        /// Cells of the pattern and the cells it changes.
        cells: Vec<(usize, usize)>,
        /// The technique.
        technique: String,
        /// One sentence, e.g. "In row 3, 7 can only go in r3c5."
        reason: String,
    },
    /// Third press: the step was applied (values placed, marks removed); undo takes it back.
    Applied {
        /// The cells that changed.
        cells: Vec<(usize, usize)>,
        /// What was done, for the status line.
        reason: String,
    },
    /// An entry contradicts the solution: no deduction is sound from here, so the hint points
    /// at the first wrong entry instead.
    FixFirst {
        /// The wrong cell.
        cell: (usize, usize),
    },
    /// The board is full: nothing to hint.
    Solved,
    /// The techniques the engine knows do not reach further (the puzzle needs guessing here).
    NoStep,
}

/// Counts a solved game is stored with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameStats {
    /// Hint presses that showed something.
    pub hints: u32,
    /// Checks asked for.
    pub checks: u32,
    /// Cells revealed.
    pub reveals: u32,
    /// Time spent playing, in milliseconds, as the screen reports it ([`Game::add_time`]).
    pub elapsed_ms: u64,
}

/// The game could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameError(pub String);

impl std::fmt::Display for GameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GameError {}

/// A person's game: the givens, the solution the engine found, what the person entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    givens: Grid,
    solution: Grid,
    /// Givens plus the person's values (0 = empty), row-major.
    values: Vec<u8>,
    /// The person's pencil marks per cell (kept only on empty cells).
    marks: Vec<Candidates>,
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    hint: Option<HintStage>,
    stats: GameStats,
}

impl Game {
    /// A fresh game.
    ///
    /// # Errors
    /// When `solution` is not a full, valid grid of the same shape that agrees with `givens`.
    pub fn new(givens: Grid, solution: Grid) -> Result<Game, GameError> {
        if givens.shape() != solution.shape() {
            return Err(GameError(
                "the solution has another size than the puzzle".into(),
            ));
        }
        if !solution.is_solved() || !givens.agrees_with(&solution) {
            return Err(GameError(
                "the solution is not a solved grid that agrees with the puzzle's givens".into(),
            ));
        }
        let cells = givens.cells().len();
        Ok(Game {
            values: givens.cells().to_vec(),
            givens,
            solution,
            marks: vec![Candidates::EMPTY; cells],
            undo: Vec::new(),
            redo: Vec::new(),
            hint: None,
            stats: GameStats::default(),
        })
    }

    /// A game continued from a board saved without its history (values only): the entries
    /// are taken as they are, with nothing to undo.
    ///
    /// # Errors
    /// As [`Game::new`], or when `board` is another size or changes a given.
    pub fn resume(givens: Grid, solution: Grid, board: &Grid) -> Result<Game, GameError> {
        let mut game = Game::new(givens, solution)?;
        if board.shape() != game.givens.shape() || !game.givens.agrees_with(board) {
            return Err(GameError(
                "the saved board does not belong to this puzzle".into(),
            ));
        }
        game.values = board.cells().to_vec();
        Ok(game)
    }

    /// The puzzle's givens.
    pub fn givens(&self) -> &Grid {
        &self.givens
    }

    /// The grid size (4, 6, 9, 12, 16 or 25).
    pub fn size(&self) -> usize {
        self.givens.size()
    }

    /// The board as the person sees it: givens and entries.
    pub fn board(&self) -> Grid {
        Grid::from_cells(self.givens.shape(), self.values.clone())
            .expect("values always fit the shape")
    }

    /// The value at a cell (given or entered).
    pub fn value(&self, row: usize, col: usize) -> Option<u8> {
        Some(self.values[self.index(row, col)]).filter(|&v| v != 0)
    }

    /// Whether the cell is a given (not editable).
    pub fn is_given(&self, row: usize, col: usize) -> bool {
        self.givens.get(row, col).is_some()
    }

    /// The pencil marks of a cell (empty for filled cells).
    pub fn marks(&self, row: usize, col: usize) -> Candidates {
        self.marks[self.index(row, col)]
    }

    /// Counts so far.
    pub fn stats(&self) -> GameStats {
        self.stats
    }

    /// Whether the board is full and equals the solution.
    pub fn is_solved(&self) -> bool {
        self.values == self.solution.cells()
    }

    /// Whether [`Game::undo`] / [`Game::redo`] would do something.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// See [`Game::can_undo`].
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Adds playing time reported by the screen (the engine has no clock).
    pub fn add_time(&mut self, ms: u64) {
        self.stats.elapsed_ms = self.stats.elapsed_ms.saturating_add(ms);
    }

    fn index(&self, row: usize, col: usize) -> usize {
        row * self.size() + col
    }

    /// Enters `value` (or clears the cell with `None`). Placing a value clears the cell's
    /// marks and removes the value from its peers' marks, in one undoable step. Returns
    /// whether anything changed (givens never change).
    pub fn enter(&mut self, row: usize, col: usize, value: Option<u8>) -> bool {
        if self.is_given(row, col) || value.is_some_and(|v| v == 0 || usize::from(v) > self.size())
        {
            return false;
        }
        let index = self.index(row, col);
        let value = value.unwrap_or(0);
        if self.values[index] == value && (value == 0 || self.marks[index] == Candidates::EMPTY) {
            return false;
        }
        let mut next_values = self.values.clone();
        let mut next_marks = self.marks.clone();
        next_values[index] = value;
        if value != 0 {
            next_marks[index] = Candidates::EMPTY;
            for (r, c) in self.givens.shape().peers(row, col) {
                next_marks[self.index(r, c)].remove(value);
            }
        }
        self.commit(next_values, next_marks)
    }

    /// Turns one pencil mark of an empty, editable cell on or off.
    pub fn toggle_mark(&mut self, row: usize, col: usize, value: u8) -> bool {
        let index = self.index(row, col);
        if self.values[index] != 0 || value == 0 || usize::from(value) > self.size() {
            return false;
        }
        let mut next_marks = self.marks.clone();
        if next_marks[index].contains(value) {
            next_marks[index].remove(value);
        } else {
            next_marks[index].insert(value);
        }
        self.commit(self.values.clone(), next_marks)
    }

    /// Fills every empty cell's marks with the values its row, column and box still allow
    /// (the "auto candidates" action), in one undoable step.
    pub fn auto_candidates(&mut self) -> bool {
        let board = self.board();
        let n = self.size();
        let marks = (0..n * n)
            .map(|i| {
                if self.values[i] == 0 {
                    board.candidates(i / n, i % n)
                } else {
                    Candidates::EMPTY
                }
            })
            .collect();
        self.commit(self.values.clone(), marks)
    }

    /// Entered values that differ from the solution (0-based cells); counts one check.
    pub fn check(&mut self) -> Vec<(usize, usize)> {
        self.stats.checks += 1;
        self.wrong_entries()
    }

    fn wrong_entries(&self) -> Vec<(usize, usize)> {
        let n = self.size();
        let solution = self.solution.cells();
        (0..n * n)
            .filter(|&i| self.values[i] != 0 && self.values[i] != solution[i])
            .map(|i| (i / n, i % n))
            .collect()
    }

    /// Puts the solution's value in a cell (undoable); counts one reveal.
    pub fn reveal(&mut self, row: usize, col: usize) -> bool {
        let value = self.solution.get(row, col);
        if self.is_given(row, col) || self.value(row, col) == value {
            return false;
        }
        let changed = self.enter(row, col, value);
        if changed {
            self.stats.reveals += 1;
        }
        changed
    }

    /// Back to the givens, marks cleared (undoable, so a restart by mistake is not fatal).
    pub fn restart(&mut self) -> bool {
        let cells = self.values.len();
        self.commit(self.givens.cells().to_vec(), vec![Candidates::EMPTY; cells])
    }

    /// Takes back the last action. Returns whether there was one.
    pub fn undo(&mut self) -> bool {
        let Some(edit) = self.undo.pop() else {
            return false;
        };
        for change in &edit.changes {
            self.values[change.index] = change.value_before;
            self.marks[change.index] = change.marks_before;
        }
        self.redo.push(edit);
        self.hint = None;
        true
    }

    /// Does again what [`Game::undo`] took back. Returns whether there was something.
    pub fn redo(&mut self) -> bool {
        let Some(edit) = self.redo.pop() else {
            return false;
        };
        for change in &edit.changes {
            self.values[change.index] = change.value_after;
            self.marks[change.index] = change.marks_after;
        }
        self.undo.push(edit);
        self.hint = None;
        true
    }

    /// One press of Hint: where to look, then why, then the step applied. A wrong entry is
    /// pointed out first (a deduction from a wrong board would teach something false).
    pub fn hint(&mut self) -> HintView {
        if self.is_solved() {
            return HintView::Solved;
        }
        if let Some(&cell) = self.wrong_entries().first() {
            self.stats.hints += 1;
            return HintView::FixFirst { cell };
        }
        match self.hint.take() {
            None => {
                let Some(step) = next_step(&self.board()) else {
                    return HintView::NoStep;
                };
                self.stats.hints += 1;
                let view = HintView::Where {
                    cells: step_cells(&step),
                    technique: step.technique.name().to_string(),
                };
                self.hint = Some(HintStage::Where(step));
                view
            }
            Some(HintStage::Where(step)) => {
                let view = HintView::Why {
                    cells: step_cells(&step),
                    technique: step.technique.name().to_string(),
                    reason: step.reason.clone(),
                };
                self.hint = Some(HintStage::Why(step));
                view
            }
            Some(HintStage::Why(step)) => {
                self.apply_step(&step);
                HintView::Applied {
                    cells: step_cells(&step),
                    reason: step.reason,
                }
            }
        }
    }

    /// The cells the current hint highlights, if one is showing.
    pub fn hint_cells(&self) -> Vec<(usize, usize)> {
        match &self.hint {
            Some(HintStage::Where(step) | HintStage::Why(step)) => step_cells(step),
            None => Vec::new(),
        }
    }

    fn apply_step(&mut self, step: &Step) {
        let mut next_values = self.values.clone();
        let mut next_marks = self.marks.clone();
        for &(row, col, value) in &step.placements {
            let index = self.index(row, col);
            next_values[index] = value;
            next_marks[index] = Candidates::EMPTY;
            for (r, c) in self.givens.shape().peers(row, col) {
                next_marks[self.index(r, c)].remove(value);
            }
        }
        for &(row, col, value) in &step.eliminations {
            let index = self.index(row, col);
            next_marks[index].remove(value);
        }
        self.commit(next_values, next_marks);
    }

    /// Records the difference to the next state as one undoable edit and moves there.
    fn commit(&mut self, values: Vec<u8>, marks: Vec<Candidates>) -> bool {
        let changes: Vec<CellChange> = (0..values.len())
            .filter(|&i| values[i] != self.values[i] || marks[i] != self.marks[i])
            .map(|i| CellChange {
                index: i,
                value_before: self.values[i],
                marks_before: self.marks[i],
                value_after: values[i],
                marks_after: marks[i],
            })
            .collect();
        if changes.is_empty() {
            return false;
        }
        self.values = values;
        self.marks = marks;
        self.undo.push(Edit { changes });
        self.redo.clear();
        self.hint = None;
        true
    }
}

/// What a key press on the board means (the board's keyboard contract, also listed on the
/// Help screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    /// Enter this value (a pencil mark instead when pencil mode is on).
    Value(u8),
    /// Toggle this pencil mark whatever the mode (Shift with the value's key).
    Mark(u8),
    /// Clear the cell (Backspace, Delete, 0, `.`).
    Clear,
    /// Move the selection by (rows, columns) (the arrow keys).
    Move(isize, isize),
    /// Switch pencil mode on or off (Space).
    TogglePencil,
    /// Ctrl+Z.
    Undo,
    /// Ctrl+Y or Ctrl+Shift+Z.
    Redo,
    /// `?`: the next hint press.
    Hint,
}

/// Reads a key press for a `size`×`size` board: `key` and `code` as the browser reports them
/// (`KeyboardEvent.key`, `.code`). Values are `1`–`9` then `A`–`P` (10–25), either case;
/// Shift with a value's key toggles that mark (read from `code`, since Shift changes `key`).
/// `None`: the key means nothing here and should keep its default behaviour.
pub fn key_action(
    key: &str,
    code: &str,
    ctrl: bool,
    shift: bool,
    size: usize,
) -> Option<KeyAction> {
    if ctrl {
        return match key.to_ascii_lowercase().as_str() {
            "z" if shift => Some(KeyAction::Redo),
            "z" => Some(KeyAction::Undo),
            "y" => Some(KeyAction::Redo),
            _ => None,
        };
    }
    match key {
        "ArrowUp" => return Some(KeyAction::Move(-1, 0)),
        "ArrowDown" => return Some(KeyAction::Move(1, 0)),
        "ArrowLeft" => return Some(KeyAction::Move(0, -1)),
        "ArrowRight" => return Some(KeyAction::Move(0, 1)),
        "Backspace" | "Delete" | "0" | "." => return Some(KeyAction::Clear),
        " " => return Some(KeyAction::TogglePencil),
        "?" => return Some(KeyAction::Hint),
        _ => {}
    }
    let symbol_value = |c: char| {
        c.to_digit(36)
            .filter(|&v| (1..=size as u32).contains(&v))
            .map(|v| v as u8)
    };
    if shift {
        let from_code = code
            .strip_prefix("Digit")
            .or_else(|| code.strip_prefix("Numpad"))
            .or_else(|| code.strip_prefix("Key"))
            .and_then(|rest| rest.chars().next().filter(|_| rest.len() == 1));
        return from_code.and_then(symbol_value).map(KeyAction::Mark);
    }
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => symbol_value(c).map(KeyAction::Value),
        _ => None,
    }
}

/// The pattern's cells, then the cells it changes, each once.
fn step_cells(step: &Step) -> Vec<(usize, usize)> {
    let mut cells = step.cells.clone();
    let changed = step
        .placements
        .iter()
        .map(|&(r, c, _)| (r, c))
        .chain(step.eliminations.iter().map(|&(r, c, _)| (r, c)));
    for cell in changed {
        if !cells.contains(&cell) {
            cells.push(cell);
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::solve_unique;

    fn game(line: &str) -> Game {
        let givens = Grid::from_line(line).unwrap();
        let solution = solve_unique(&givens).unwrap().grid;
        Game::new(givens, solution).unwrap()
    }

    const FOUR: &str = "1.3...2.3.1...4.";

    #[test]
    fn keys_mean_values_marks_moves_and_commands_for_every_size() {
        use KeyAction::*;
        assert_eq!(key_action("7", "Digit7", false, false, 9), Some(Value(7)));
        assert_eq!(
            key_action("7", "Digit7", false, false, 4),
            None,
            "7 is no value of a 4x4"
        );
        assert_eq!(key_action("g", "KeyG", false, false, 16), Some(Value(16)));
        assert_eq!(key_action("G", "KeyG", false, false, 16), Some(Value(16)));
        assert_eq!(key_action("P", "KeyP", false, false, 25), Some(Value(25)));
        assert_eq!(key_action("g", "KeyG", false, false, 9), None);
        assert_eq!(key_action("&", "Digit7", false, true, 9), Some(Mark(7)));
        assert_eq!(key_action("B", "KeyB", false, true, 12), Some(Mark(11)));
        assert_eq!(
            key_action("ArrowLeft", "ArrowLeft", false, false, 9),
            Some(Move(0, -1))
        );
        assert_eq!(
            key_action("Backspace", "Backspace", false, false, 9),
            Some(Clear)
        );
        assert_eq!(
            key_action(" ", "Space", false, false, 9),
            Some(TogglePencil)
        );
        assert_eq!(key_action("?", "Slash", false, true, 9), Some(Hint));
        assert_eq!(key_action("z", "KeyZ", true, false, 9), Some(Undo));
        assert_eq!(key_action("Z", "KeyZ", true, true, 9), Some(Redo));
        assert_eq!(key_action("y", "KeyY", true, false, 9), Some(Redo));
        assert_eq!(
            key_action("Tab", "Tab", false, false, 9),
            None,
            "Tab keeps moving focus"
        );
        assert_eq!(
            key_action("c", "KeyC", true, false, 9),
            None,
            "Ctrl+C stays copy"
        );
    }

    #[test]
    fn a_board_saved_without_history_resumes_with_nothing_to_undo() {
        let mut played = game(FOUR);
        played.enter(0, 1, Some(2));
        let board = played.board();
        let resumed =
            Game::resume(played.givens().clone(), played.solution.clone(), &board).unwrap();
        assert_eq!(resumed.value(0, 1), Some(2));
        assert!(!resumed.can_undo());
        let other = Grid::from_line("2...............").unwrap();
        assert!(Game::resume(played.givens().clone(), played.solution.clone(), &other).is_err());
    }

    #[test]
    fn a_wrong_solution_is_refused() {
        let givens = Grid::from_line(FOUR).unwrap();
        let error = Game::new(givens.clone(), givens).unwrap_err();
        assert!(error.0.contains("solved grid"), "{error}");
    }

    #[test]
    fn givens_never_change_and_out_of_range_values_are_ignored() {
        let mut g = game(FOUR);
        assert!(!g.enter(0, 0, Some(2)));
        assert!(!g.enter(0, 1, Some(5)));
        assert!(!g.enter(0, 1, Some(0)));
        assert!(!g.can_undo());
    }

    #[test]
    fn placing_a_value_clears_it_from_peers_marks_and_undo_restores_them() {
        let mut g = game(FOUR);
        assert!(g.toggle_mark(0, 1, 4));
        assert!(g.toggle_mark(1, 1, 4));
        assert!(g.toggle_mark(1, 1, 2));
        assert!(g.toggle_mark(3, 3, 4));
        assert!(g.enter(0, 1, Some(4)));
        assert_eq!(g.marks(0, 1), Candidates::EMPTY, "the cell's own marks go");
        assert!(!g.marks(1, 1).contains(4), "a box peer loses the mark");
        assert!(g.marks(1, 1).contains(2), "other marks stay");
        assert!(g.marks(3, 3).contains(4), "a cell that is no peer keeps it");
        assert!(g.undo());
        assert_eq!(g.value(0, 1), None);
        assert!(g.marks(0, 1).contains(4) && g.marks(1, 1).contains(4));
        assert!(g.redo());
        assert_eq!(g.value(0, 1), Some(4));
        assert!(!g.marks(1, 1).contains(4));
    }

    #[test]
    fn undo_and_redo_walk_the_whole_history_and_a_new_edit_drops_the_redo_branch() {
        let mut g = game(FOUR);
        g.enter(0, 1, Some(4));
        g.enter(0, 3, Some(2));
        g.toggle_mark(1, 0, 3);
        while g.undo() {}
        assert_eq!(g.board(), *g.givens());
        while g.redo() {}
        assert_eq!((g.value(0, 1), g.value(0, 3)), (Some(4), Some(2)));
        assert!(g.marks(1, 0).contains(3));
        g.undo();
        g.enter(2, 1, Some(4));
        assert!(!g.can_redo(), "a new edit after undo starts a new branch");
    }

    #[test]
    fn auto_candidates_are_what_the_rules_allow() {
        let mut g = game(FOUR);
        assert!(g.auto_candidates());
        let board = g.board();
        assert_eq!(g.marks(0, 1), board.candidates(0, 1));
        assert_eq!(g.marks(0, 0), Candidates::EMPTY, "givens get no marks");
        g.undo();
        assert_eq!(g.marks(0, 1), Candidates::EMPTY);
    }

    #[test]
    fn hint_shows_where_then_why_then_applies_and_undo_takes_it_back() {
        let mut g = game(FOUR);
        let HintView::Where { cells, technique } = g.hint() else {
            panic!("first press shows where")
        };
        assert!(!cells.is_empty() && !technique.is_empty());
        assert_eq!(g.hint_cells(), cells);
        let HintView::Why { reason, .. } = g.hint() else {
            panic!("second press shows why")
        };
        assert!(!reason.is_empty());
        let before = g.board().filled_count();
        assert!(matches!(g.hint(), HintView::Applied { .. }));
        assert!(g.board().filled_count() > before, "a single places a value");
        assert!(g.hint_cells().is_empty());
        g.undo();
        assert_eq!(g.board().filled_count(), before);
        assert_eq!(g.stats().hints, 1, "one hint, however many presses");
    }

    #[test]
    fn an_edit_starts_the_hint_over() {
        let mut g = game(FOUR);
        g.hint();
        g.toggle_mark(0, 1, 2);
        assert!(matches!(g.hint(), HintView::Where { .. }));
    }

    #[test]
    fn a_wrong_entry_is_pointed_out_before_any_deduction() {
        let mut g = game(FOUR);
        g.enter(0, 1, Some(4));
        assert_eq!(g.hint(), HintView::FixFirst { cell: (0, 1) });
        assert_eq!(g.check(), vec![(0, 1)]);
        assert_eq!(g.stats().checks, 1);
    }

    #[test]
    fn hints_alone_solve_the_puzzle() {
        let mut g = game(
            "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..",
        );
        for _ in 0..3 * 81 {
            if g.hint() == HintView::Solved {
                break;
            }
        }
        assert!(g.is_solved());
    }

    #[test]
    fn reveal_and_restart_are_undoable_and_counted() {
        let mut g = game(FOUR);
        assert!(g.reveal(0, 1));
        assert_eq!(g.value(0, 1), g.solution.get(0, 1));
        assert!(
            !g.reveal(0, 1),
            "revealing a correct cell again does nothing"
        );
        assert_eq!(g.stats().reveals, 1);
        assert!(g.restart());
        assert_eq!(g.board(), *g.givens());
        g.undo();
        assert_eq!(g.value(0, 1), g.solution.get(0, 1));
    }

    #[test]
    fn solving_by_entries_is_recognised() {
        let mut g = game(FOUR);
        let n = g.size();
        for i in 0..n * n {
            let (r, c) = (i / n, i % n);
            if !g.is_given(r, c) {
                g.enter(r, c, g.solution.get(r, c));
            }
        }
        assert!(g.is_solved());
        assert_eq!(g.hint(), HintView::Solved);
    }

    #[test]
    fn a_game_survives_serialisation_with_its_history() {
        let mut g = game(FOUR);
        g.enter(0, 1, Some(4));
        g.toggle_mark(1, 0, 3);
        g.add_time(1500);
        let back: Game = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
        assert_eq!(back, g);
        let mut back = back;
        back.undo();
        back.undo();
        assert_eq!(back.board(), *back.givens());
        assert_eq!(back.stats().elapsed_ms, 1500);
    }

    #[test]
    fn every_size_takes_its_highest_value() {
        for size in [4usize, 6, 9, 12, 16, 25] {
            let puzzle = crate::generate::generate(&crate::generate::GenerateOptions {
                size,
                seed: 1,
                symmetry: crate::symmetry::Symmetry::None,
                target_clues: None,
                band: None,
                minimal: false,
            })
            .unwrap();
            let mut g = Game::new(puzzle.givens.clone(), puzzle.solution.clone()).unwrap();
            let n = g.size();
            let empty = (0..n * n).find(|&i| puzzle.givens.cells()[i] == 0).unwrap();
            assert!(g.enter(empty / n, empty % n, Some(n as u8)), "size {size}");
            assert!(
                g.toggle_mark(empty / n, empty % n, n as u8)
                    || g.value(empty / n, empty % n).is_some()
            );
        }
    }
}
