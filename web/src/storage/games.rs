//! The `games` store: a person's game on a puzzle, keyed by the puzzle id.

use serde::{Deserialize, Serialize};

use super::{stores, Result, Storage};

/// One entry typed by a person (value `None` clears the cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    /// Row, 0-based.
    pub row: u8,
    /// Column, 0-based.
    pub col: u8,
    /// Value typed, or `None` for a cleared cell.
    pub value: Option<u8>,
    /// When (ms since the epoch).
    pub at: f64,
}

/// A person's game on a puzzle: the board as they left it and every entry in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameRecord {
    /// The puzzle played (the key).
    pub puzzle_id: String,
    /// The board in one-line form.
    pub board: String,
    /// Every entry, in order.
    pub entries: Vec<EntryRecord>,
    /// Last change (ms since the epoch).
    pub updated_at: f64,
    /// The whole game: pencil marks, undo/redo history, hint stage and counts (absent in games
    /// saved before it existed; they resume from `board`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<solver_core::game::Game>,
    /// When the board was first completed correctly (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solved_at: Option<f64>,
}

impl Storage {
    /// Store a game (replacing the one on the same puzzle).
    pub async fn save_game(&self, game: &GameRecord) -> Result<()> {
        self.put_json(stores::GAMES, game).await
    }

    /// The game on puzzle `puzzle_id`, if any.
    pub async fn game(&self, puzzle_id: &str) -> Result<Option<GameRecord>> {
        self.get_json(stores::GAMES, puzzle_id).await
    }
}
