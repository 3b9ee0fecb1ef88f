//! The `sessions` store: [`SessionRecord`]s by id, and the one write that commits an attempt.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode};
use learning_lab::memory::{ExperienceRecord, SessionRecord};
use wasm_bindgen::JsValue;

use super::search::journal;
use super::{durability, stores, to_js, Page, PageCursor, Result, Storage};

/// Which sessions a list shows (newest change first).
#[derive(Debug, Clone, PartialEq)]
pub enum SessionFilter {
    /// Every session.
    All,
    /// Sessions of one profile.
    Profile(String),
    /// Sessions on one puzzle.
    Puzzle(String),
    /// Sessions in one state (`running`, `paused`, `solved`, `abandoned`).
    State(String),
    /// Sessions of one experiment run.
    Experiment(String),
}

impl SessionFilter {
    fn index(&self) -> (&'static str, Option<JsValue>) {
        match self {
            SessionFilter::All => ("updated_at", None),
            SessionFilter::Profile(v) => ("profile_id", Some(v.into())),
            SessionFilter::Puzzle(v) => ("puzzle_id", Some(v.into())),
            SessionFilter::State(v) => ("state", Some(v.into())),
            SessionFilter::Experiment(v) => ("experiment_id", Some(v.into())),
        }
    }
}

impl Storage {
    /// Store a session (replacing one with the same id).
    pub async fn put_session(&self, session: &SessionRecord) -> Result<()> {
        self.put_json(stores::SESSIONS, session).await
    }

    /// The session `id`, if stored.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>> {
        self.get_json(stores::SESSIONS, id).await
    }

    /// Delete session `id` (its experiences stay: they are the memory).
    pub async fn delete_session(&self, id: &str) -> Result<()> {
        self.delete_key(stores::SESSIONS, id).await
    }

    /// Number of sessions.
    pub async fn count_sessions(&self) -> Result<u32> {
        self.count_store(stores::SESSIONS).await
    }

    /// Number of sessions matching `filter` (counted by the index, nothing loaded).
    pub async fn count_sessions_where(&self, filter: &SessionFilter) -> Result<u32> {
        let (index, value) = filter.index();
        self.count_index(stores::SESSIONS, index, value).await
    }

    /// Sessions matching `filter`, most recently changed first.
    pub async fn page_sessions(
        &self,
        filter: &SessionFilter,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<SessionRecord>> {
        let (index, value) = filter.index();
        self.page_typed(stores::SESSIONS, index, "updated_at", value, after, limit)
            .await
    }

    /// Commits a judged attempt: the session's new state, the attempt's experience and its
    /// search journal entry in ONE transaction, awaited before the caller makes the next model call. Either both are on
    /// disk or neither is, so a reload never resumes a session that lost its last attempt.
    pub async fn save_attempt(
        &self,
        session: &SessionRecord,
        experience: &ExperienceRecord,
    ) -> Result<()> {
        let session_value = to_js(session)?;
        let experience_value = to_js(experience)?;
        let tx = self
            .db
            .transaction([
                stores::SESSIONS,
                stores::EXPERIENCES,
                stores::SEARCH_JOURNAL,
            ])
            .with_mode(TransactionMode::Readwrite)
            .with_options(durability(TransactionDurability::Strict))
            .build()?;
        tx.object_store(stores::SESSIONS)?
            .put(session_value)
            .await?;
        tx.object_store(stores::EXPERIENCES)?
            .put(experience_value)
            .await?;
        let seq = journal(&tx, &[experience.id.as_str()]).await?;
        super::commit(tx).await?;
        self.index_put(std::slice::from_ref(experience), seq);
        Ok(())
    }
}
