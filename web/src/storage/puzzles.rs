//! The `puzzles` store: [`PuzzleRecord`]s by id (one-line forms, so every size round-trips
//! exactly).

use indexed_db_futures::prelude::*;
use learning_lab::memory::PuzzleRecord;

use super::{stores, Result, Storage};

impl Storage {
    /// Store a puzzle (replacing one with the same id).
    pub async fn save_puzzle(&self, puzzle: &PuzzleRecord) -> Result<()> {
        self.put_json(stores::PUZZLES, puzzle).await
    }

    /// Store every puzzle in one transaction: all of them, or none.
    pub async fn save_puzzles(&self, puzzles: &[PuzzleRecord]) -> Result<()> {
        self.put_all_json(stores::PUZZLES, puzzles).await
    }

    /// Every stored puzzle (the library), newest first.
    pub async fn all_puzzles(&self) -> Result<Vec<PuzzleRecord>> {
        let tx = self.database().transaction(stores::PUZZLES).build()?;
        let values = tx
            .object_store(stores::PUZZLES)?
            .get_all::<js_sys::Object>()
            .await?;
        let mut puzzles = values
            .map(|v| v.map_err(Into::into).and_then(|v| super::from_js(v.into())))
            .collect::<Result<Vec<PuzzleRecord>>>()?;
        puzzles.sort_by(|a, b| b.created_at.total_cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(puzzles)
    }

    /// The puzzle `id`, if stored.
    pub async fn puzzle(&self, id: &str) -> Result<Option<PuzzleRecord>> {
        self.get_json(stores::PUZZLES, id).await
    }
}
