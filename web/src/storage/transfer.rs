//! Export and import of memory in learning-lab's JSON-lines format
//! (`learning_lab::memory::transfer`).
//!
//! Export is streamed: one readonly transaction (a consistent snapshot) walks each store with a
//! cursor, turns each stored value straight into a line (`JSON.stringify`, never a Rust struct,
//! except profiles, which must lose their token), and collects the text in ~1 MiB JS string
//! parts that become a `Blob`. Import parses and validates every line first, then writes all of
//! it in one readwrite transaction over every store: a corrupt file, a quota error or a closed
//! tab changes nothing.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use learning_lab::memory::transfer::{
    header_line, parse_import, profile_line, raw_record_line, Kind, Limits,
};
use learning_lab::profile::Profile;
use wasm_bindgen::JsCast;

use super::{from_js, js_to_json, stores, to_js, Result, Storage, StorageError};

/// Size of one Blob part: big enough that parts are few, small enough to stay cheap.
const PART_BYTES: usize = 1 << 20;

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Experiences written.
    pub experiences: usize,
    /// Sessions written.
    pub sessions: usize,
    /// Puzzles written.
    pub puzzles: usize,
    /// Learning units written.
    pub learning_units: usize,
    /// Experiments written.
    pub experiments: usize,
    /// Profiles written (a local profile with the same id keeps its token).
    pub profiles: usize,
}

fn store_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Experience => stores::EXPERIENCES,
        Kind::Session => stores::SESSIONS,
        Kind::Puzzle => stores::PUZZLES,
        Kind::LearningUnit => stores::LEARNING_UNITS,
        Kind::Experiment => stores::EXPERIMENTS,
        Kind::Profile => stores::PROFILES,
    }
}

struct Parts {
    parts: js_sys::Array,
    current: String,
}

impl Parts {
    fn push(&mut self, line: &str) {
        self.current.push_str(line);
        if self.current.len() >= PART_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.parts
                .push(&js_sys::JsString::from(self.current.as_str()));
            self.current.clear();
        }
    }
}

impl Storage {
    /// The whole memory (profiles without tokens, puzzles, experiments, learning units,
    /// sessions, experiences) as a JSON-lines `Blob`, stamped `exported_at` (ms).
    pub async fn export_blob(&self, exported_at: f64) -> Result<web_sys::Blob> {
        let mut out = Parts {
            parts: js_sys::Array::new(),
            current: String::with_capacity(PART_BYTES + 4096),
        };
        out.push(&header_line(exported_at));
        let names: Vec<&str> = Kind::ALL.iter().map(|k| store_of(*k)).collect();
        let tx = self.db.transaction(names).build()?;
        for kind in Kind::ALL {
            let store = tx.object_store(store_of(kind))?;
            // Every key in these stores is a string, and every string is >= "".
            let all = KeyRange::LowerBound(js_sys::JsString::from(""), false);
            let Some(mut cursor) = store
                .open_cursor()
                .with_query::<js_sys::JsString, _>(all)
                .await?
            else {
                continue;
            };
            while let Some(value) = cursor.next_record::<js_sys::Object>().await? {
                if kind == Kind::Profile {
                    let profile: Profile = from_js(value.into())?;
                    out.push(&profile_line(&profile));
                } else {
                    out.push(&raw_record_line(kind, &js_to_json(&value)?));
                }
            }
        }
        out.flush();
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/x-ndjson");
        web_sys::Blob::new_with_str_sequence_and_options(&out.parts, &options)
            .map_err(|e| StorageError::js("cannot build the export file", e))
    }

    /// Import a JSON-lines export. Every line is validated before anything is written; then
    /// everything is written in ONE transaction. Records replace stored ones with the same id.
    ///
    /// # Errors
    /// The bad lines by number (nothing written), or a storage error such as a full disk
    /// (nothing written either).
    pub async fn import_text(&self, text: &str) -> Result<ImportSummary> {
        let import =
            parse_import(text, &Limits::default()).map_err(|e| StorageError(e.to_string()))?;
        // Convert before the transaction opens: a transaction left idle across non-IndexedDB
        // work would auto-commit half-way.
        let convert = |values: &[serde_json::Value]| -> Result<Vec<js_sys::Object>> {
            values.iter().map(to_js).collect()
        };
        let experiences = import
            .experiences
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>>>()?;
        let sessions = import
            .sessions
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>>>()?;
        let puzzles = convert(&import.puzzles)?;
        let units = convert(&import.learning_units)?;
        let experiments = convert(&import.experiments)?;

        let names: Vec<&str> = Kind::ALL.iter().map(|k| store_of(*k)).collect();
        let tx = self
            .db
            .transaction(names)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let profiles = tx.object_store(stores::PROFILES)?;
        for profile in &import.profiles {
            let mut profile = profile.clone();
            let existing: Option<js_sys::Object> = profiles.get(profile.id.as_str()).await?;
            if let Some(existing) = existing {
                let token = js_sys::Reflect::get(&existing, &"edge_token".into())
                    .ok()
                    .and_then(|t| t.as_string());
                profile.edge_token = token;
            }
            profiles.put(to_js(&profile)?).build()?;
        }
        for (store, values) in [
            (stores::PUZZLES, &puzzles),
            (stores::EXPERIMENTS, &experiments),
            (stores::LEARNING_UNITS, &units),
            (stores::SESSIONS, &sessions),
            (stores::EXPERIENCES, &experiences),
        ] {
            let store = tx.object_store(store)?;
            for value in values {
                store.put(value.unchecked_ref::<js_sys::Object>()).build()?;
            }
        }
        tx.commit().await?;
        self.reset_search();
        Ok(ImportSummary {
            experiences: import.experiences.len(),
            sessions: import.sessions.len(),
            puzzles: import.puzzles.len(),
            learning_units: import.learning_units.len(),
            experiments: import.experiments.len(),
            profiles: import.profiles.len(),
        })
    }
}

/// Offer `blob` as a download named `filename` (object URL + a clicked link).
pub fn download(blob: &web_sys::Blob, filename: &str) -> Result<()> {
    let fail = |e| StorageError::js("cannot start the download", e);
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document to download from".into()))?;
    let link: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)?;
    Ok(())
}
