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
/// experiences, learning units, experiments.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// Every store, so transactions over "everything" name them once.
    pub const ALL: [&str; 8] = [
        PUZZLES,
        GAMES,
        SETTINGS,
        PROFILES,
        SESSIONS,
        EXPERIENCES,
        LEARNING_UNITS,
        EXPERIMENTS,
    ];
}

/// `(store, time field, filter fields)`: each filter field `f` gets index `f` with key path
/// `[f, time, "id"]`, and the time field gets index `time` with `[time, "id"]`.
pub const LIST_INDEXES: [(&str, &str, &[&str]); 5] = [
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

/// Bring a database at version `old` to [`SCHEMA_VERSION`], one version at a time.
pub fn upgrade(db: &Database, old: u32) -> Result<(), indexed_db_futures::error::Error> {
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
    if old < 2 {
        // v2 only adds stores: v1's puzzles, games and settings are kept as they are.
        for (store, time, fields) in LIST_INDEXES {
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
    Ok(())
}
