//! IndexedDB storage: the versioned schema and typed access to each store.
//!
//! Invariants:
//! - The schema version only goes up; `upgrade` brings any older database to the current one
//!   step by step, so a user's data survives every release.
//! - Every write commits its transaction before returning (indexed_db_futures rolls back
//!   uncommitted transactions), so "saved" in the UI means on disk.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};

/// The app's database name. Tests use their own names so they never touch a user's data.
pub const DB_NAME: &str = "machine-dream";
/// Current schema version (see `upgrade`).
pub const SCHEMA_VERSION: u32 = 1;

/// Object store names.
pub mod stores {
    pub const PUZZLES: &str = "puzzles";
    pub const GAMES: &str = "games";
    pub const SETTINGS: &str = "settings";
}

/// A storage failure, phrased for the person using the app.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        let text = error.to_string();
        if text.contains("QuotaExceeded") {
            StorageError(
                "browser storage is full: nothing was written; export or clear old memory, then try again"
                    .into(),
            )
        } else {
            StorageError(format!("browser storage error: {text}"))
        }
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StorageError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        StorageError(format!(
            "cannot open browser storage ({error}); private browsing or blocked storage can cause this"
        ))
    }
}

type Result<T> = std::result::Result<T, StorageError>;

/// A puzzle as stored: one-line forms so every size round-trips exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuzzleRecord {
    pub id: String,
    pub size: u8,
    /// Generator seed, when the puzzle was generated (kept below 2^53 so JS numbers hold it).
    pub seed: Option<f64>,
    pub givens: String,
    pub solution: String,
    pub created_at: f64,
}

/// One entry typed by a person (value `None` clears the cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub row: u8,
    pub col: u8,
    pub value: Option<u8>,
    pub at: f64,
}

/// A person's game on a puzzle: the board as they left it and every entry in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameRecord {
    pub puzzle_id: String,
    pub board: String,
    pub entries: Vec<EntryRecord>,
    pub updated_at: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Setting {
    key: String,
    value: String,
}

/// An open database.
pub struct Storage {
    db: Database,
}

impl Storage {
    /// Open (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Storage> {
        let db = Database::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_upgrade_needed(|event, db| {
                let old = event.old_version() as u32;
                upgrade(&db, old)
            })
            .await?;
        Ok(Storage { db })
    }

    async fn put<T: Serialize>(&self, store: &str, record: &T) -> Result<()> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(store)?.put(record).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> Result<Option<T>> {
        let tx = self.db.transaction(store).build()?;
        let value = tx.object_store(store)?.get(key).serde()?.await?;
        Ok(value)
    }

    pub async fn save_puzzle(&self, puzzle: &PuzzleRecord) -> Result<()> {
        self.put(stores::PUZZLES, puzzle).await
    }

    pub async fn puzzle(&self, id: &str) -> Result<Option<PuzzleRecord>> {
        self.get(stores::PUZZLES, id).await
    }

    pub async fn save_game(&self, game: &GameRecord) -> Result<()> {
        self.put(stores::GAMES, game).await
    }

    pub async fn game(&self, puzzle_id: &str) -> Result<Option<GameRecord>> {
        self.get(stores::GAMES, puzzle_id).await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let setting = Setting {
            key: key.into(),
            value: value.into(),
        };
        self.put(stores::SETTINGS, &setting).await
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .get::<Setting>(stores::SETTINGS, key)
            .await?
            .map(|s| s.value))
    }
}

/// Bring a database at version `old` to `SCHEMA_VERSION`, one version at a time.
fn upgrade(db: &Database, old: u32) -> std::result::Result<(), indexed_db_futures::error::Error> {
    if old < 1 {
        db.create_object_store(stores::PUZZLES)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(stores::GAMES)
            .with_key_path("puzzle_id".into())
            .build()?;
        db.create_object_store(stores::SETTINGS)
            .with_key_path("key".into())
            .build()?;
    }
    Ok(())
}
