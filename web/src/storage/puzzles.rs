//! The `puzzles` store: puzzles by id, as one-line forms so every size round-trips exactly.

use indexed_db_futures::prelude::*;
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
    /// A name the puzzle came with (an imported file's `id`/`name`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it came from: `generated`, `imported` (absent in records older than the library:
    /// generated on Play).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

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
