//! The System screen: how much the app stores and whether the browser keeps it, whether the
//! edge API and each profile's model answer, the app's version and schema, the optimize
//! actions, backup and restore of everything, and the app's log.

use leptos::prelude::*;

mod backup;
mod diagnostics;
mod logs;
mod optimize;
mod storage_panel;

use backup::Backup;
use diagnostics::Diagnostics;
use logs::Logs;
use optimize::Optimize;
use storage_panel::{StoragePanel, StoreCounts};

#[component]
pub fn SystemPage() -> impl IntoView {
    let counts = StoreCounts::new();
    counts.refresh();
    view! {
        <section aria-labelledby="system-title" class="system">
            <h2 id="system-title">"System"</h2>
            <StoragePanel counts/>
            <Optimize counts/>
            <Backup counts/>
            <Diagnostics/>
            <Logs/>
        </section>
    }
}
