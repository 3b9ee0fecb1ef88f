//! The checkpoint: the experiment's state and what the journal alone cannot say (the
//! profiles, the units, the sessions of runs in flight), replaced atomically — written to a
//! temporary file, flushed, renamed over the old one — so a kill leaves the old checkpoint or
//! the new one, never half of one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use learning_lab::experiment::{ExperimentRecord, ExperimentState};
use learning_lab::memory::SessionRecord;
use learning_lab::profile::Profile;
use learning_lab::unit::LearningUnit;
use serde::{Deserialize, Serialize};

/// The checkpoint's file name in a run directory.
pub const FILE_NAME: &str = "checkpoint.json";
/// Its `format` field.
pub const FORMAT: &str = "machine-dream-runner-checkpoint/1";

/// A run that had started its session when the checkpoint was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    /// The session as it started (its attempts are in the journal, replayed on resume).
    pub session: SessionRecord,
    /// When the run started (ms since the epoch).
    pub started_at_ms: f64,
}

/// Everything a `resume` needs besides the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`FORMAT`].
    pub format: String,
    /// The experiment as the app stores it (its state holds the shard).
    pub record: ExperimentRecord,
    /// The arms' profiles, without tokens.
    pub profiles: Vec<Profile>,
    /// Learning units the runs may use: given with `--units`, or made by the dreams.
    pub units: Vec<LearningUnit>,
    /// The edge API, for profiles that route through it.
    pub edge_api_url: Option<String>,
    /// Runs played at once.
    pub concurrency: usize,
    /// Runs whose session has started, by plan index.
    pub in_flight: BTreeMap<usize, InFlight>,
}

impl Checkpoint {
    /// Writes the checkpoint to `path` atomically.
    ///
    /// # Errors
    /// I/O.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text =
            serde_json::to_string(self).expect("the checkpoint has only serialisable fields");
        let temp = path.with_extension("json.tmp");
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temp, path)?;
            if let Some(dir) = path.parent() {
                // The rename itself is durable once the directory is flushed.
                if let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }) {
                    let _ = d.sync_all();
                }
            }
            Ok(())
        };
        write().map_err(|e| format!("cannot write the checkpoint {}: {e}", path.display()))
    }

    /// Reads the checkpoint at `path`, checking its experiment state.
    ///
    /// # Errors
    /// Missing, unreadable, or not a checkpoint of this runner.
    pub fn load(path: &Path) -> Result<Checkpoint, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read {} ({e}): is this the --dir of an `experiment run`?",
                path.display()
            )
        })?;
        let checkpoint: Checkpoint = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a runner checkpoint: {e}", path.display()))?;
        if checkpoint.format != FORMAT {
            return Err(format!(
                "{} has format {:?}; this runner reads {FORMAT}",
                path.display(),
                checkpoint.format
            ));
        }
        ExperimentState::from_json(&checkpoint.record.state.to_json())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(checkpoint)
    }
}
