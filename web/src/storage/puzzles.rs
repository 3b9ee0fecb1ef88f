//! The `puzzles` store: puzzles by id, as one-line forms so every size round-trips exactly.

use serde::{Deserialize, Serialize};

use super::{stores, Result, Storage};

/// A puzzle as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuzzleRecord {
    /// Unique id (e.g. `9x9-seed-7`).
    pub id: String,
    /// Side length.
    pub size: u8,
    /// Generator seed, when the puzzle was generated (kept below 2^53 so JS numbers hold it).
    pub seed: Option<f64>,
    /// Givens in one-line form.
    pub givens: String,
    /// Solution in one-line form.
    pub solution: String,
    /// Created (ms since the epoch).
    pub created_at: f64,
}

impl Storage {
    /// Store a puzzle (replacing one with the same id).
    pub async fn save_puzzle(&self, puzzle: &PuzzleRecord) -> Result<()> {
        self.put_json(stores::PUZZLES, puzzle).await
    }

    /// The puzzle `id`, if stored.
    pub async fn puzzle(&self, id: &str) -> Result<Option<PuzzleRecord>> {
        self.get_json(stores::PUZZLES, id).await
    }
}
