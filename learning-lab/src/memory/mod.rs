//! What the app remembers, as records: stored experiences, sessions and puzzles (their shapes, ids and
//! index fields), independent of where they are stored. The browser stores them in IndexedDB
//! (`web/src/storage/`); this module owns their meaning, validation and ids.

pub mod housekeeping;
pub mod record;
pub mod search;
pub mod transfer;

pub use record::{ExperienceRecord, PuzzleRecord, RecordError, SessionRecord, SessionStart};
pub use search::{Bm25Index, SnapshotDecoder, SnapshotEncoder, SnapshotError};
