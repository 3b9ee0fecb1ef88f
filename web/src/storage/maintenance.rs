//! Clearing memory and reporting how much storage is used.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{stores, Result, Storage, StorageError};

/// What [`Storage::clear_memory`] removes besides experiences, sessions, learning units and
/// experiments (which it always removes). The screen asks the person to confirm first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClearScope {
    /// Also remove profiles (and their tokens).
    pub profiles: bool,
    /// Also remove settings.
    pub settings: bool,
}

/// The browser's storage estimate for this origin, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageEstimate {
    /// Bytes used.
    pub usage: f64,
    /// Bytes the browser may grant.
    pub quota: f64,
}

impl Storage {
    /// Remove memory in ONE transaction: all of it goes, or (on error) nothing does.
    pub async fn clear_memory(&self, scope: ClearScope) -> Result<()> {
        let mut names = vec![
            stores::EXPERIENCES,
            stores::SESSIONS,
            stores::LEARNING_UNITS,
            stores::EXPERIMENTS,
            stores::SEARCH_INDEX,
            stores::SEARCH_JOURNAL,
        ];
        if scope.profiles {
            names.push(stores::PROFILES);
        }
        if scope.settings {
            names.push(stores::SETTINGS);
        }
        let tx = self
            .db
            .transaction(names.as_slice())
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // Profiles that stay keep a sealed token: its key stays with them.
        let token_key: Option<JsValue> = if scope.settings && !scope.profiles {
            tx.object_store(stores::SETTINGS)?
                .get(super::sealed::TOKEN_KEY)
                .await?
        } else {
            None
        };
        for name in &names {
            tx.object_store(name)?.clear()?;
        }
        if let Some(token_key) = token_key {
            tx.object_store(stores::SETTINGS)?
                .put(token_key.unchecked_into::<js_sys::Object>())
                .build()?;
        }
        super::commit(tx).await?;
        self.reset_search();
        tracing::info!(stores = ?names, "memory cleared");
        Ok(())
    }
}

/// `navigator.storage.estimate()`: usage and quota for this origin.
pub async fn estimate() -> Result<StorageEstimate> {
    let fail = |e| StorageError::js("cannot read the storage estimate", e);
    let manager = web_sys::window()
        .ok_or_else(|| StorageError("no window".into()))?
        .navigator()
        .storage();
    let promise = manager.estimate().map_err(fail)?;
    let value = JsFuture::from(promise).await.map_err(fail)?;
    let estimate: web_sys::StorageEstimate = value.unchecked_into();
    Ok(StorageEstimate {
        usage: estimate.get_usage().unwrap_or(0.0),
        quota: estimate.get_quota().unwrap_or(0.0),
    })
}

fn storage_manager() -> Result<web_sys::StorageManager> {
    Ok(web_sys::window()
        .ok_or_else(|| StorageError("no window".into()))?
        .navigator()
        .storage())
}

/// `navigator.storage.persisted()`: whether the browser keeps this origin's data under
/// storage pressure.
pub async fn persisted() -> Result<bool> {
    let fail = |e| StorageError::js("cannot ask whether storage is persistent", e);
    let promise = storage_manager()?.persisted().map_err(fail)?;
    Ok(JsFuture::from(promise).await.map_err(fail)?.as_bool() == Some(true))
}

/// `navigator.storage.persist()`: ask the browser to keep this origin's data; its answer.
pub async fn persist() -> Result<bool> {
    let fail = |e| StorageError::js("cannot ask for persistent storage", e);
    let promise = storage_manager()?.persist().map_err(fail)?;
    Ok(JsFuture::from(promise).await.map_err(fail)?.as_bool() == Some(true))
}
