//! The `puzzles` store: [`PuzzleRecord`]s by id (one-line forms, so every size round-trips
//! exactly).

use learning_lab::memory::PuzzleRecord;

use super::{stores, Result, Storage};

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
