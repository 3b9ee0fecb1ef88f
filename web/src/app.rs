//! The app shell: header, navigation between screens, the edge API status line.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::base_path;
use crate::components::tour::{Tour, TourState};
use crate::edge::{self, EdgeStatus};
use crate::pages::compare::ComparePage;
use crate::pages::dream::DreamPage;
use crate::pages::experiments::ExperimentsPage;
use crate::pages::generate::GeneratePage;
use crate::pages::help::HelpPage;
use crate::pages::home::HomePage;
use crate::pages::library::LibraryPage;
use crate::pages::llm_play::LlmPlayPage;
use crate::pages::memory::MemoryPage;
use crate::pages::play::PlayPage;
use crate::pages::profiles::ProfilesPage;
use crate::pages::sessions::SessionsPage;
use crate::pages::system::SystemPage;
use crate::pages::units::UnitsPage;

#[component]
pub fn App() -> impl IntoView {
    crate::pwa::register_service_worker();
    let edge_status = RwSignal::new(EdgeStatus::Checking);
    spawn_local(async move { edge_status.set(edge::check().await) });

    view! {
        <Router base=base_path::base()>
            <header class="top">
                <h1>"Machine Dream"</h1>
                <p class="tagline">"Watch a language model learn Sudoku from its own experience."</p>
                <nav aria-label="Screens" class="screens">
                    <A href=base_path::url("/") exact=true>"Home"</A>
                    <A href=base_path::url("/play")>"Play"</A>
                    <A href=base_path::url("/library")>"Library"</A>
                    <A href=base_path::url("/generate")>"Generate"</A>
                    <A href=base_path::url("/llm")>"LLM Play"</A>
                    <A href=base_path::url("/sessions")>"Sessions"</A>
                    <A href=base_path::url("/memory")>"Memory"</A>
                    <A href=base_path::url("/dream")>"Dream"</A>
                    <A href=base_path::url("/units")>"Units"</A>
                    <A href=base_path::url("/experiments")>"Experiments"</A>
                    <A href=base_path::url("/profiles")>"Profiles"</A>
                    <A href=base_path::url("/system")>"System"</A>
                    <A href=base_path::url("/help")>"Help"</A>
                </nav>
            </header>
            <main>
                <Routes fallback=|| view! { <p id="not-found">"No such screen. Pick one above."</p> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/play") view=PlayPage/>
                    <Route path=path!("/library") view=LibraryPage/>
                    <Route path=path!("/generate") view=GeneratePage/>
                    <Route path=path!("/help") view=HelpPage/>
                    <Route path=path!("/llm") view=LlmPlayPage/>
                    <Route path=path!("/sessions") view=SessionsPage/>
                    <Route path=path!("/memory") view=MemoryPage/>
                    <Route path=path!("/dream") view=DreamPage/>
                    <Route path=path!("/units") view=UnitsPage/>
                    <Route path=path!("/experiments") view=ExperimentsPage/>
                    <Route path=path!("/compare") view=ComparePage/>
                    <Route path=path!("/profiles") view=ProfilesPage/>
                    <Route path=path!("/system") view=SystemPage/>
                </Routes>
            </main>
            <TourHost/>
            <footer>
                <p id="edge-status" class="muted">{move || edge_status.get().text()}</p>
            </footer>
        </Router>
    }
}

/// Provides the tour's state inside the router (it navigates) and shows its card.
#[component]
fn TourHost() -> impl IntoView {
    TourState::provide();
    view! { <Tour/> }
}
