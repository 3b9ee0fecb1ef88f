//! The `profiles` store: [`Profile`]s by id. A profile's edge token is kept sealed
//! (`sealed.rs`): the stored record has `edge_token` empty and `edge_token_sealed` set, and the
//! token exists in plain text only in memory. Exports drop it either way.

use learning_lab::profile::Profile;
use serde::{Deserialize, Serialize};

use super::sealed::SealedToken;
use super::{stores, to_js, Page, PageCursor, Result, Storage};

/// A profile as the store holds it.
#[derive(Serialize, Deserialize)]
struct StoredProfile {
    #[serde(flatten)]
    profile: Profile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    edge_token_sealed: Option<SealedToken>,
}

/// The fields of a stored profile that belong to this browser, not to the profile's settings:
/// an import that replaces a local profile keeps them.
const LOCAL_FIELDS: [&str; 2] = ["edge_token_sealed", "edge_token"];

/// `imported` as a record to store over `existing`: the imported settings with the local
/// (sealed) token kept.
pub(crate) fn over_local(
    imported: &Profile,
    existing: Option<&js_sys::Object>,
) -> Result<js_sys::Object> {
    let mut profile = imported.clone();
    profile.edge_token = None;
    let record = to_js(&profile)?;
    if let Some(existing) = existing {
        for field in LOCAL_FIELDS {
            let value = js_sys::Reflect::get(existing, &field.into()).unwrap_or_default();
            if !value.is_undefined() && !value.is_null() {
                let _ = js_sys::Reflect::set(&record, &field.into(), &value);
            }
        }
    }
    Ok(record)
}

impl Storage {
    /// Store a profile (replacing one with the same id); its token is sealed first.
    pub async fn put_profile(&self, profile: &Profile) -> Result<()> {
        let record = self.sealed_record(profile).await?;
        self.put_json(stores::PROFILES, &record).await
    }

    async fn sealed_record(&self, profile: &Profile) -> Result<StoredProfile> {
        let edge_token_sealed = match &profile.edge_token {
            Some(token) => Some(self.seal(token).await?),
            None => None,
        };
        let mut profile = profile.clone();
        profile.edge_token = None;
        Ok(StoredProfile {
            profile,
            edge_token_sealed,
        })
    }

    /// The profile a stored record holds, its token unsealed. A token stored in plain text
    /// (before tokens were sealed) is sealed now. A token that cannot be unsealed (its key
    /// was cleared with part of the site data) is dropped with a warning: the profile stays
    /// usable and Profiles asks for the token again when the edge API refuses the call.
    async fn opened(&self, stored: StoredProfile) -> Profile {
        let StoredProfile {
            mut profile,
            edge_token_sealed,
        } = stored;
        if let Some(sealed) = edge_token_sealed {
            match self.unseal(&sealed).await {
                Ok(token) => profile.edge_token = Some(token),
                Err(e) => tracing::warn!(profile = %profile.id, "{e}"),
            }
        } else if profile.edge_token.is_some() {
            if let Err(e) = self.put_profile(&profile).await {
                tracing::warn!(profile = %profile.id, "the token could not be sealed yet: {e}");
            }
        }
        profile
    }

    /// The profile `id`, if stored.
    pub async fn profile(&self, id: &str) -> Result<Option<Profile>> {
        match self.get_json::<StoredProfile>(stores::PROFILES, id).await? {
            Some(stored) => Ok(Some(self.opened(stored).await)),
            None => Ok(None),
        }
    }

    /// Delete profile `id`.
    pub async fn delete_profile(&self, id: &str) -> Result<()> {
        self.delete_key(stores::PROFILES, id).await
    }

    /// Number of profiles.
    pub async fn count_profiles(&self) -> Result<u32> {
        self.count_store(stores::PROFILES).await
    }

    /// Profiles, newest first.
    pub async fn page_profiles(
        &self,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Page<Profile>> {
        let page: Page<StoredProfile> = self
            .page_typed(
                stores::PROFILES,
                "created_at",
                "created_at",
                None,
                after,
                limit,
            )
            .await?;
        let mut items = Vec::with_capacity(page.items.len());
        for stored in page.items {
            items.push(self.opened(stored).await);
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// Every profile (a handful), oldest first, read page by page.
    pub async fn all_profiles(&self) -> Result<Vec<Profile>> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self.page_profiles(after.as_ref(), 100).await?;
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        all.reverse();
        Ok(all)
    }
}
