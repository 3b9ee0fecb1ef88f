//! Export and import of memory in learning-lab's JSON-lines format
//! (`learning_lab::memory::transfer`).
//!
//! Export is streamed: one readonly transaction (a consistent snapshot) reads each store in
//! batches of [`EXPORT_BATCH`] by key, turns each stored value straight into a line (`JSON.stringify`, never a Rust struct,
//! except profiles, which must lose their token), and collects the text in ~1 MiB JS string
//! parts that become a `Blob`. Import is in `import.rs`: the text or file is streamed, checked
//! whole, then written in one transaction.

use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;
use learning_lab::memory::transfer::{header_line, profile_line, raw_record_line, Kind};
use learning_lab::profile::Profile;
use wasm_bindgen::{JsCast, JsValue};

use super::{from_js, get_field, js_to_json, stores, Result, Storage, StorageError};

/// Size of one Blob part: big enough that parts are few, small enough to stay cheap.
const PART_BYTES: usize = 1 << 20;
/// Records read per request while exporting (~1 MB of experiences).
const EXPORT_BATCH: u32 = 1000;

/// What an import wrote, per kind.
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
    /// Games written.
    pub games: usize,
    /// Settings written.
    pub settings: usize,
}

impl ImportSummary {
    /// Count one more record of `kind`.
    pub fn add(&mut self, kind: Kind) {
        *self.slot(kind) += 1;
    }

    fn slot(&mut self, kind: Kind) -> &mut usize {
        match kind {
            Kind::Experience => &mut self.experiences,
            Kind::Session => &mut self.sessions,
            Kind::Puzzle => &mut self.puzzles,
            Kind::LearningUnit => &mut self.learning_units,
            Kind::Experiment => &mut self.experiments,
            Kind::Profile => &mut self.profiles,
            Kind::Game => &mut self.games,
            Kind::Setting => &mut self.settings,
        }
    }
}

impl std::fmt::Display for ImportSummary {
    /// "12 experiences, 1 session… " over every kind, in export order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut copy = *self;
        let parts: Vec<String> = Kind::ALL
            .iter()
            .map(|kind| format!("{} {}", *copy.slot(*kind), kind.plural()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

pub(super) fn store_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Experience => stores::EXPERIENCES,
        Kind::Session => stores::SESSIONS,
        Kind::Puzzle => stores::PUZZLES,
        Kind::LearningUnit => stores::LEARNING_UNITS,
        Kind::Experiment => stores::EXPERIMENTS,
        Kind::Profile => stores::PROFILES,
        Kind::Game => stores::GAMES,
        Kind::Setting => stores::SETTINGS,
    }
}

struct Parts {
    parts: js_sys::Array,
    current: String,
}

impl Parts {
    fn push(&mut self, line: &str) -> Result<()> {
        self.current.push_str(line);
        if self.current.len() >= PART_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Turns the text so far into a Blob part. Each part is encoded as it fills (a few ms),
    /// so the final Blob only joins parts instead of encoding 100 MB in one task.
    fn flush(&mut self) -> Result<()> {
        if !self.current.is_empty() {
            let text: js_sys::Array = [js_sys::JsString::from(self.current.as_str())]
                .iter()
                .collect();
            let part = web_sys::Blob::new_with_str_sequence(&text)
                .map_err(|e| StorageError::js("cannot build the export file", e))?;
            self.parts.push(&part);
            self.current.clear();
        }
        Ok(())
    }
}

impl Storage {
    /// Everything (profiles without tokens, settings, puzzles, games, experiments, learning
    /// units, sessions, experiences) as a JSON-lines `Blob`, stamped `exported_at` (ms). The
    /// token key (a `CryptoKey`, the one setting that is not a string) stays behind.
    pub async fn export_blob(&self, exported_at: f64) -> Result<web_sys::Blob> {
        let mut out = Parts {
            parts: js_sys::Array::new(),
            current: String::with_capacity(PART_BYTES + 4096),
        };
        out.push(&header_line(exported_at))?;
        let names: Vec<&str> = Kind::ALL.iter().map(|k| store_of(*k)).collect();
        let tx = self.db.transaction(names).build()?;
        for kind in Kind::ALL {
            let store = tx.object_store(store_of(kind))?;
            // Batches by key (every key here is a string id, and every string is >= ""): one
            // request per batch instead of one event-loop turn per record, and a bounded
            // slice of work between requests. The transaction stays one snapshot throughout.
            let mut after: Option<String> = None;
            loop {
                let range = match &after {
                    Some(id) => KeyRange::LowerBound(js_sys::JsString::from(id.as_str()), true),
                    None => KeyRange::LowerBound(js_sys::JsString::from(""), false),
                };
                let batch: Vec<JsValue> = store
                    .get_all()
                    .with_query::<js_sys::JsString, _>(range)
                    .with_limit(EXPORT_BATCH)
                    .await?
                    .collect::<std::result::Result<_, _>>()?;
                let Some(last) = batch.last() else { break };
                after = get_field(last, kind.key_field()).as_string();
                for value in batch {
                    if kind == Kind::Setting && get_field(&value, "value").as_string().is_none() {
                        continue;
                    }
                    if kind == Kind::Profile {
                        let profile: Profile = from_js(value)?;
                        out.push(&profile_line(&profile))?;
                    } else {
                        out.push(&raw_record_line(kind, &js_to_json(&value)?))?;
                    }
                }
                if after.is_none() {
                    return Err(StorageError(format!(
                        "a stored {} has no id; the export stopped",
                        kind.tag()
                    )));
                }
            }
        }
        out.flush()?;
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/x-ndjson");
        web_sys::Blob::new_with_blob_sequence_and_options(&out.parts, &options)
            .map_err(|e| StorageError::js("cannot build the export file", e))
    }

    /// Import a JSON-lines export held as text: [`Storage::import_blob`] over it.
    ///
    /// # Errors
    /// The bad lines by number (nothing written), or a storage error such as a full disk
    /// (nothing written either).
    pub async fn import_text(&self, text: &str) -> Result<ImportSummary> {
        let parts: js_sys::Array = [js_sys::JsString::from(text)].iter().collect();
        let blob = web_sys::Blob::new_with_str_sequence(&parts)
            .map_err(|e| StorageError::js("cannot read the text", e))?;
        self.import_blob(&blob).await
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
