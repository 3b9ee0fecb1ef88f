//! The Experiments screen: design an A/B/X experiment (or the learning-curve preset), run it
//! (resumable after a reload), and read the results: per-arm table with intervals, verdicts,
//! charts, CSV/JSON export. Statistics and charts come from learning-lab.

use learning_lab::experiment::ExperimentState;
use learning_lab::play::{AbandonReason, Status};
use learning_lab::profile::{default_profile, Profile};
use learning_lab::unit::LearningUnit;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::db;
use crate::drivers::experiment_runner::{Runner, RunnerLive};
use crate::storage::{ExperimentRecord, PageCursor, SessionFilter};

/// Abandons (as interrupted) the sessions of `record` that are still running or paused but no
/// finished run records: their runs were cut off by a reload or a Stop and are replayed in new
/// sessions, so the old ones must not look like plays still going on. Returns how many.
async fn retire_interrupted(record: &ExperimentRecord) -> Result<usize, String> {
    let db = db::open().await.map_err(|e| e.to_string())?;
    let filter = SessionFilter::Experiment(record.id.clone());
    let mut after: Option<PageCursor> = None;
    let mut retired = 0;
    loop {
        let page = db
            .page_sessions(&filter, after.as_ref(), 200)
            .await
            .map_err(|e| e.to_string())?;
        for mut session in page.items {
            let open = matches!(session.session.status(), Status::Running | Status::Paused);
            if open && !record.state.records_session(&session.id) {
                session
                    .session
                    .abandon(AbandonReason::Interrupted)
                    .map_err(|e| e.to_string())?;
                session.touch(db::now());
                db.put_session(&session).await.map_err(|e| e.to_string())?;
                retired += 1;
            }
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(retired),
        }
    }
}

mod arms;
mod design;
mod options;
mod results;

use arms::ArmForm;
use design::{Design, DesignForm};
use results::ExperimentOutcome;

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    let live = RunnerLive::new();
    let runner = StoredValue::new_local(None::<Runner>);
    let profiles = RwSignal::new(Vec::<Profile>::new());
    let unit_list = RwSignal::new(Vec::<LearningUnit>::new());
    let past = RwSignal::new(Vec::<ExperimentRecord>::new());

    let design = Design::new();

    let load_past = move || {
        spawn_local(async move {
            let Ok(db) = db::open().await else { return };
            if let Ok(page) = db.page_experiments(None, 20).await {
                past.set(page.items);
            }
        });
    };

    // Profiles, units, and the newest experiment (resumable when it was interrupted).
    spawn_local(async move {
        let db = match db::open().await {
            Ok(db) => db,
            Err(e) => return live.status.set(e.to_string()),
        };
        let ps = db.all_profiles().await.unwrap_or_default();
        let first = default_profile(&ps)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        design.arms.set(vec![
            ArmForm::new("memory off", &first, false),
            ArmForm::new("memory on", &first, true),
        ]);
        profiles.set(ps);
        // Ablation variants are an experiment's fixtures, not units to pick.
        let mut units = db.all_units(None).await.unwrap_or_default();
        units.retain(|u| u.lineage.variant_of.is_none());
        unit_list.set(units);
        match db.all_puzzles().await {
            Ok(all) => design.library.set(all),
            Err(e) => live
                .status
                .set(format!("the puzzle library could not be read: {e}")),
        }
        if let Some(current) = Runner::current() {
            // Still running in this tab (the screen was left and opened again).
            current.attach(live);
            runner.set_value(Some(current));
            load_past();
            return;
        }
        if let Ok(page) = db.page_experiments(None, 20).await {
            if let Some(mut newest) = page.items.first().cloned() {
                let requeued = newest.state.requeue_running();
                if requeued > 0 {
                    let _ = db.put_experiment(&newest).await;
                    if let Err(e) = retire_interrupted(&newest).await {
                        live.status
                            .set(format!("interrupted sessions not closed: {e}"));
                    }
                    live.status.set(format!(
                        "{} was interrupted ({requeued} runs to replay); press Resume",
                        newest.name
                    ));
                }
                live.record.set(Some(newest));
            }
            past.set(page.items);
        }
    });

    let launch = move |record: ExperimentRecord| {
        let ps = profiles.get_untracked();
        runner.set_value(Some(Runner::start(record, ps, live)));
    };

    let run = move |_| {
        let designed = unit_list.with_untracked(|units| design.experiment(units));
        let (experiment, variants) = match designed {
            Ok(designed) => designed,
            Err(e) => return live.status.set(format!("cannot run this design: {e}")),
        };
        let experiment = match ExperimentState::new(experiment) {
            Ok(state) => state,
            Err(e) => return live.status.set(format!("cannot run this design: {e}")),
        };
        let record = ExperimentRecord::new(
            experiment,
            design.max_attempts.get_untracked(),
            design.dream_with_model.get_untracked(),
            db::now(),
        );
        live.record.set(Some(record.clone()));
        spawn_local(async move {
            let saved = match db::open().await {
                // The variants first: the record's runs name them.
                Ok(db) => match db.put_units(&variants).await {
                    Ok(()) => db.put_experiment(&record).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e.to_string()),
            };
            match saved {
                Ok(()) => {
                    launch(record);
                    load_past();
                }
                Err(e) => live.status.set(format!("not started: {e}")),
            }
        });
    };

    // The design as the headless runner's `--design` file: try it small here, run it long there.
    // An ablation's variants follow from the whole unit: the runner needs only it (--units).
    let download_design = move |_| match unit_list.with_untracked(|u| design.experiment(u)) {
        Ok((experiment, _)) => {
            let name = format!("{}-design.json", experiment.id);
            if let Err(e) = crate::download::download_text(&name, &experiment.design_json()) {
                live.status.set(e);
            }
        }
        Err(e) => live.status.set(format!("cannot export this design: {e}")),
    };

    let stop = move |_| {
        runner.with_value(|r| {
            if let Some(r) = r {
                r.stop();
            }
        })
    };
    let resume = move |_| {
        if live.running.get_untracked() {
            return;
        }
        let Some(mut record) = live.record.get_untracked() else {
            return;
        };
        // Running from the click on: a second Resume must not start a second runner.
        live.running.set(true);
        record.state.requeue_running();
        record.state.retry_failed();
        spawn_local(async move {
            // The sessions of runs a Stop cut off are replayed afresh: close the old ones first.
            if let Err(e) = retire_interrupted(&record).await {
                live.status
                    .set(format!("interrupted sessions not closed: {e}"));
            }
            launch(record);
        });
    };
    let can_resume = move || {
        !live.running.get()
            && live
                .record
                .with(|r| r.as_ref().is_some_and(|r| r.state.can_continue()))
    };

    view! {
        <section aria-labelledby="experiments-title" class="experiments">
            <h2 id="experiments-title">"Experiments"</h2>
            <DesignForm design profiles units=unit_list>
                <div class="row">
                    <button id="experiment-run" type="button" on:click=run disabled=move || live.running.get()>"Run"</button>
                    <button id="experiment-stop" type="button" on:click=stop disabled=move || !live.running.get()>"Stop"</button>
                    <button id="experiment-resume" type="button" on:click=resume disabled=move || !can_resume()>"Resume"</button>
                    <button id="experiment-download-design" type="button" on:click=download_design
                        title="The design as a file for the headless runner: machine-dream experiment run --design FILE">"Download design"</button>
                </div>
            </DesignForm>
            <p id="experiment-status" role="status" aria-live="polite">{move || live.status.get()}</p>
            <ExperimentOutcome live/>
            <h3>"Past experiments"</h3>
            <ul id="experiment-list">
                {move || past.get().into_iter().map(|r| {
                    let p = r.state.progress();
                    let label = format!("{} · {} of {} runs", r.name, p.done, p.total);
                    let id = r.id.clone();
                    view! { <li data-experiment-id=id><button type="button" disabled=move || live.running.get()
                        on:click=move |_| live.record.set(Some(r.clone()))>{label}</button></li> }
                }).collect_view()}
            </ul>
        </section>
    }
}
