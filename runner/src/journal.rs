//! The journal: an append-only file in the app's memory import format (learning-lab's
//! `memory::transfer`: a header line, then one kind-tagged record per line), so the app
//! imports it as it is. Every line is written whole and flushed to disk before the caller goes
//! on, so a kill loses at most a line being written — and that torn last line is cut off when
//! the journal is opened again.
//!
//! A record id is written once per kind (the import refuses repeats): a session's line is
//! written when it ends, an experiment's when every run of its slice has finished.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use learning_lab::memory::transfer::{
    header_line, parse_import, profile_line, record_line, Kind, Limits, MemoryImport,
};
use learning_lab::profile::Profile;
use serde::Serialize;

/// The journal's file name in a run directory.
pub const FILE_NAME: &str = "journal.jsonl";

/// An open journal.
pub struct Journal {
    path: PathBuf,
    file: File,
    written: [BTreeSet<String>; Kind::ALL.len()],
}

/// The ids of every record of `import`, per kind.
fn ids(import: &MemoryImport) -> [BTreeSet<String>; Kind::ALL.len()] {
    let mut ids: [BTreeSet<String>; Kind::ALL.len()] = Default::default();
    let value_id = |v: &serde_json::Value, field: &str| v[field].as_str().unwrap_or("").to_string();
    ids[Kind::Experience.index()].extend(import.experiences.iter().map(|r| r.id.clone()));
    ids[Kind::Session.index()].extend(import.sessions.iter().map(|r| r.id.clone()));
    ids[Kind::Profile.index()].extend(import.profiles.iter().map(|p| p.id.clone()));
    for (kind, values) in [
        (Kind::Puzzle, &import.puzzles),
        (Kind::LearningUnit, &import.learning_units),
        (Kind::Experiment, &import.experiments),
        (Kind::Game, &import.games),
        (Kind::Setting, &import.settings),
    ] {
        ids[kind.index()].extend(values.iter().map(|v| value_id(v, kind.key_field())));
    }
    ids
}

/// Reads a journal file: its records, checked by the app's import reader. A torn last line (a
/// kill during a write) is left out; `repair` also cuts it off the file.
///
/// # Errors
/// The file cannot be read, or a line other than a torn last one is not a valid record.
pub fn read(path: &Path, repair: bool) -> Result<MemoryImport, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let complete = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    if complete < bytes.len() && repair {
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot repair {}: {e}", path.display()))?;
        file.set_len(complete as u64)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot repair {}: {e}", path.display()))?;
    }
    if complete == 0 {
        // Killed before the header was on disk: an empty journal.
        return Ok(MemoryImport::default());
    }
    let text = std::str::from_utf8(&bytes[..complete])
        .map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    parse_import(text, &Limits::default()).map_err(|e| {
        format!(
            "{} is not a journal the app can import ({e}); was it edited by hand?",
            path.display()
        )
    })
}

impl Journal {
    /// Opens the journal at `path`, creating it with its header (at `now_ms`) when it does not
    /// exist; an existing one is checked and a torn last line cut off. Returns its records.
    ///
    /// # Errors
    /// I/O, or an existing file that is not a valid journal.
    pub fn open(path: &Path, now_ms: f64) -> Result<(Journal, MemoryImport), String> {
        let existed = path.exists();
        let import = if existed {
            read(path, true)?
        } else {
            MemoryImport::default()
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the journal {}: {e}", path.display()))?;
        if !existed || import.header.is_none() {
            write_synced(&mut file, &header_line(now_ms))
                .map_err(|e| format!("cannot write the journal {}: {e}", path.display()))?;
        }
        let journal = Journal {
            path: path.to_path_buf(),
            written: ids(&import),
            file,
        };
        Ok((journal, import))
    }

    /// Whether a record of `kind` with `id` is in the journal.
    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.written[kind.index()].contains(id)
    }

    /// Appends `record` as `kind` under `id` unless the journal has it already; returns whether
    /// it was written. The line is on disk when this returns.
    ///
    /// # Errors
    /// The write or the flush failed (disk full, …): nothing after it may be sent.
    pub fn append<T: Serialize>(
        &mut self,
        kind: Kind,
        id: &str,
        record: &T,
    ) -> Result<bool, String> {
        if self.contains(kind, id) {
            return Ok(false);
        }
        self.write_line(kind, id, &record_line(kind, record))
    }

    /// Appends a profile, without its token (see [`Journal::append`]).
    ///
    /// # Errors
    /// See [`Journal::append`].
    pub fn append_profile(&mut self, profile: &Profile) -> Result<bool, String> {
        if self.contains(Kind::Profile, &profile.id) {
            return Ok(false);
        }
        self.write_line(Kind::Profile, &profile.id, &profile_line(profile))
    }

    fn write_line(&mut self, kind: Kind, id: &str, line: &str) -> Result<bool, String> {
        write_synced(&mut self.file, line).map_err(|e| {
            format!(
                "cannot append to the journal {} ({e}); stopped before the next request",
                self.path.display()
            )
        })?;
        self.written[kind.index()].insert(id.to_string());
        Ok(true)
    }
}

/// One whole line in one write, then flushed to the disk.
fn write_synced(file: &mut File, line: &str) -> std::io::Result<()> {
    file.write_all(line.as_bytes())?;
    file.sync_data()
}
