//! The `settings` store: string values by key.

use serde::{Deserialize, Serialize};

use super::{stores, Result, Storage};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Setting {
    key: String,
    value: String,
}

impl Storage {
    /// Set setting `key` to `value`.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let setting = Setting {
            key: key.into(),
            value: value.into(),
        };
        self.put_json(stores::SETTINGS, &setting).await
    }

    /// Setting `key`, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .get_json::<Setting>(stores::SETTINGS, key)
            .await?
            .map(|s| s.value))
    }
}
