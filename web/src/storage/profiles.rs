//! The `profiles` store: [`Profile`]s by id, with their edge token (the browser is where the
//! token lives; exports drop it).

use learning_lab::profile::Profile;

use super::{stores, Page, PageCursor, Result, Storage};

impl Storage {
    /// Store a profile (replacing one with the same id).
    pub async fn put_profile(&self, profile: &Profile) -> Result<()> {
        self.put_json(stores::PROFILES, profile).await
    }

    /// The profile `id`, if stored.
    pub async fn profile(&self, id: &str) -> Result<Option<Profile>> {
        self.get_json(stores::PROFILES, id).await
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
        self.page_typed(
            stores::PROFILES,
            "created_at",
            "created_at",
            None,
            after,
            limit,
        )
        .await
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
