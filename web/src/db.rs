//! The app's one open database, shared by every screen.
//!
//! Opening IndexedDB takes a round trip and an upgrade check; screens come and go, so the
//! handle is opened once per page load and kept here (not `Send`: it wraps JS objects, and the
//! app is single-threaded).

use std::cell::RefCell;
use std::rc::Rc;

use learning_lab::profile::{default_profile, Profile};
use learning_lab::unit::{store, LearningUnit, UnknownUnit};

use crate::storage::{Storage, StorageError, DB_NAME};

thread_local! {
    static OPEN: RefCell<Option<Rc<Storage>>> = const { RefCell::new(None) };
}

/// The open app database, opening (and upgrading) it on first use.
///
/// # Errors
/// When the browser refuses storage (private mode, blocked, quota): the message says so.
pub async fn open() -> Result<Rc<Storage>, StorageError> {
    if let Some(db) = OPEN.with(|open| open.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(Storage::open(DB_NAME).await.inspect_err(|e| {
        tracing::error!("storage does not open: {e}");
    })?);
    tracing::debug!("storage open");
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::clone(&db)));
    Ok(db)
}

/// Milliseconds since the epoch, the clock every record uses.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// Every profile and the id of the one new plays start with ([`default_profile`]), for a
/// screen's profile picker.
///
/// # Errors
/// When storage cannot be opened or read.
pub async fn profiles_for_picker() -> Result<(Vec<Profile>, String), String> {
    let db = open().await.map_err(|e| e.to_string())?;
    offer_announced_profile(&db).await?;
    let list = db.all_profiles().await.map_err(|e| e.to_string())?;
    let chosen = default_profile(&list)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    Ok((list, chosen))
}

/// The setting that records that the announced profile was offered once: a person who
/// deletes it does not get it back on the next load.
const ANNOUNCED_OFFERED: &str = "announced_profile_offered";

/// When the deployment announces a model (`app-config.json` `defaultModel`), store the ready
/// profile for it once, as the default unless the person already chose one.
///
/// # Errors
/// Storage failures, or an announcement that is not a usable profile (the message names the
/// config field).
pub async fn offer_announced_profile(db: &Storage) -> Result<(), String> {
    let Some(model) = crate::edge::app_config()
        .await
        .and_then(|c| c.default_model)
    else {
        return Ok(());
    };
    let offered = db
        .setting(ANNOUNCED_OFFERED)
        .await
        .map_err(|e| e.to_string())?;
    if offered.as_deref() == Some(model.model.as_str()) {
        return Ok(());
    }
    let existing = db.all_profiles().await.map_err(|e| e.to_string())?;
    let profile = Profile::announced(&model, now())
        .map_err(|e| e.to_string())?
        .offered_among(&existing);
    db.put_profile(&profile).await.map_err(|e| e.to_string())?;
    db.set_setting(ANNOUNCED_OFFERED, &model.model)
        .await
        .map_err(|e| e.to_string())
}

/// A random number that tells apart ids made in the same millisecond.
pub fn nonce() -> u32 {
    (js_sys::Math::random() * 1e6) as u32
}

/// A fresh id for a unit or experiment: `{prefix}-{ms}-{nonce}`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}-{}", now() as u64, nonce())
}

/// The learning unit `profile_id`'s next play uses, by learning-lab's rule
/// ([`store::active_unit`]: the pinned one, else the newest). Storage only fetches what the
/// rule looks at: the pinned unit and the profile's newest.
///
/// # Errors
/// Storage failures, or a pinned unit that no longer exists (never a silent fallback).
pub async fn active_unit(db: &Storage, profile_id: &str) -> Result<Option<LearningUnit>, String> {
    let s = |e: StorageError| e.to_string();
    let pinned = db.pinned_unit_id(profile_id).await.map_err(s)?;
    let mut fetched = Vec::with_capacity(2);
    if let Some(id) = &pinned {
        fetched.extend(db.unit(id).await.map_err(s)?);
    }
    fetched.extend(db.newest_unit(profile_id).await.map_err(s)?);
    match store::active_unit(&fetched, profile_id, pinned.as_deref()) {
        Ok(unit) => Ok(unit.cloned()),
        Err(UnknownUnit(id)) => Err(format!(
            "the pinned learning unit {id} is gone: pick another on the Learning Units screen"
        )),
    }
}

/// Experiences a unit's ledger is computed from at most (the profile's newest), on the Units
/// screen and for a dream's judgement of the active unit's items alike.
pub const LEDGER_MAX_EXPERIENCES: usize = 10_000;

/// The newest `max` experiences of `profile_id` (what a unit's ledger is computed from, by
/// learning-lab's `unit::ledger`), paged; and whether older ones were left out.
///
/// # Errors
/// Storage failures.
pub async fn profile_experiences(
    db: &Storage,
    profile_id: &str,
    max: usize,
) -> Result<(Vec<learning_lab::play::Experience>, bool), String> {
    let filter = crate::storage::ExperienceFilter::Profile(profile_id.to_string());
    let mut out = Vec::new();
    let mut after: Option<crate::storage::PageCursor> = None;
    loop {
        let page = db
            .page_experiences(&filter, after.as_ref(), 500)
            .await
            .map_err(|e| e.to_string())?;
        for r in page.items {
            if out.len() == max {
                return Ok((out, true));
            }
            out.push(r.experience);
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok((out, false)),
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}
