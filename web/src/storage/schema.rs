//! The schema: store names, indexes, and the step-by-step upgrade from every older version.
//!
//! List indexes are compound, `[field, time, "id"]`, rather than plain `field`: IndexedDB
//! orders an index by its key, so the compound key gives "this field's value, newest first"
//! directly, and the trailing id makes every key unique so a page can resume exactly after
//! the last item shown (see `Storage::page_raw`). A record whose field is `null` (no unit, no
//! experiment) is simply not in that index.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;

/// Current schema version. History: 1 = puzzles, games, settings; 2 = + profiles, sessions,
/// experiences, learning units, experiments; 3 = + the saved search index and its journal;
/// 4 = − the two experience indexes no list uses ([`DROPPED_IN_V4`]).
pub const SCHEMA_VERSION: u32 = 4;

/// Object store names.
pub mod stores {
    /// Puzzles by id (v1).
    pub const PUZZLES: &str = "puzzles";
    /// A person's games by puzzle id (v1).
    pub const GAMES: &str = "games";
    /// Key/value settings (v1).
    pub const SETTINGS: &str = "settings";
    /// Profiles by id (v2).
    pub const PROFILES: &str = "profiles";
    /// LLM plays by id (v2).
    pub const SESSIONS: &str = "sessions";
    /// Attempts by id `{session}#{n:06}` (v2).
    pub const EXPERIENCES: &str = "experiences";
    /// Learning units by id (v2).
    pub const LEARNING_UNITS: &str = "learning_units";
    /// Experiments by id (v2).
    pub const EXPERIMENTS: &str = "experiments";
    /// The saved search index: snapshot parts and its `meta` record, by `key` (v3).
    pub const SEARCH_INDEX: &str = "search_index";
    /// Ids whose search text changed since the snapshot, by auto-increment `seq` (v3).
    pub const SEARCH_JOURNAL: &str = "search_journal";
    /// Every store, so transactions over "everything" name them once.
    pub const ALL: [&str; 10] = [
        PUZZLES,
        GAMES,
        SETTINGS,
        PROFILES,
        SESSIONS,
        EXPERIENCES,
        LEARNING_UNITS,
        EXPERIMENTS,
        SEARCH_INDEX,
        SEARCH_JOURNAL,
    ];
}

/// `(store, time field, filter fields)` as version 2 made them: each filter field `f` gets
/// index `f` with key path `[f, time, "id"]`, and the time field gets index `time` with
/// `[time, "id"]`. Later versions drop some ([`DROPPED_IN_V4`]); this list stays as v2 had
/// it so that every database, new or upgraded, goes through the same steps.
pub const V2_LIST_INDEXES: [(&str, &str, &[&str]); 5] = [
    (stores::PROFILES, "created_at", &[]),
    (
        stores::SESSIONS,
        "updated_at",
        &["profile_id", "puzzle_id", "state", "experiment_id"],
    ),
    (
        stores::EXPERIENCES,
        "created_at",
        &[
            "session_id",
            "profile_id",
            "puzzle_id",
            "judgement.outcome",
            "consolidated",
            "unit_id",
        ],
    ),
    (stores::LEARNING_UNITS, "created_at", &["profile_id"]),
    (stores::EXPERIMENTS, "created_at", &[]),
];

/// Indexes version 4 deletes: no screen lists experiences by puzzle or by unit (a session
/// list covers the first, the item ledger reads a profile's attempts for the second), and
/// every index is one more write per stored attempt — two of seven made a batched insert at
/// 100,000 experiences miss 5,000 records/s.
pub const DROPPED_IN_V4: [(&str, &str); 2] = [
    (stores::EXPERIENCES, "puzzle_id"),
    (stores::EXPERIENCES, "unit_id"),
];

/// A store an upgrade creates only to reach its own versionchange transaction, and deletes
/// again before the upgrade ends.
const UPGRADE_SCRATCH: &str = "__upgrade_scratch";

/// Bring a database at version `old` to [`SCHEMA_VERSION`], one version at a time.
pub fn upgrade(db: &Database, old: u32) -> Result<(), indexed_db_futures::error::Error> {
    upgrade_between(db, old, SCHEMA_VERSION)
}

/// Bring a database at version `old` to version `new` (tests make older databases with it).
pub fn upgrade_between(
    db: &Database,
    old: u32,
    new: u32,
) -> Result<(), indexed_db_futures::error::Error> {
    if old < 1 && new >= 1 {
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
    if old < 2 && new >= 2 {
        // v2 only adds stores: v1's puzzles, games and settings are kept as they are.
        for (store, time, fields) in V2_LIST_INDEXES {
            let created = db
                .create_object_store(store)
                .with_key_path("id".into())
                .build()?;
            created.create_index(time, [time, "id"].into()).build()?;
            for field in fields {
                created
                    .create_index(*field, [*field, time, "id"].into())
                    .build()?;
            }
        }
    }
    if old < 3 && new >= 3 {
        // v3 only adds the search stores. The index of an existing database is built once on
        // its first load (a walk of `experiences`, with progress), not here: an upgrade
        // transaction cannot yield, and indexing 100k records in it would freeze the page.
        db.create_object_store(stores::SEARCH_INDEX)
            .with_key_path("key".into())
            .build()?;
        db.create_object_store(stores::SEARCH_JOURNAL)
            .with_key_path("seq".into())
            .with_auto_increment(true)
            .build()?;
    }
    if old < 4 && new >= 4 {
        // Deleting an index needs the upgrade's own transaction, which the open callback
        // does not hand over; a store created here carries it.
        use indexed_db_futures::internals::SystemRepr;
        let scratch = db.create_object_store(UPGRADE_SCRATCH).build()?;
        let upgrade = scratch.as_sys().transaction();
        for (store, index) in DROPPED_IN_V4 {
            upgrade
                .object_store(store)
                .and_then(|store| store.delete_index(index))
                .map_err(indexed_db_futures::error::Error::from)?;
        }
        db.delete_object_store(UPGRADE_SCRATCH)?;
    }
    Ok(())
}
