//! `play`, `dream` and a Ctrl-C stop, against the scripted upstream.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn a_play_is_journaled_move_by_move_and_a_dream_over_it_adds_a_unit() {
    let upstream = Upstream::start(0);
    let dir = temp_dir("play");
    let profiles = write_profiles(&dir, &[profile("cold", &upstream.base_url, 0.0)]);
    let out = dir.join("d");
    let played = run(&[
        "play",
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
        "--size",
        "4",
        "--seed",
        "5",
        "--max-attempts",
        "7",
    ]);
    assert_ok(&played);
    let stderr = String::from_utf8_lossy(&played.stderr);
    assert!(stderr.contains("move 1: "), "{stderr}");
    let journal = out.join("journal.jsonl");
    let first = import(&journal);
    assert_eq!(first.sessions.len(), 1);
    assert_eq!(first.puzzles.len(), 1);
    assert_eq!(first.puzzles[0]["id"], "4x4-seed-5");
    let session = &first.sessions[0];
    assert_eq!(first.experiences.len(), session.session.attempts().len());
    assert!(
        session.state == "abandoned" || session.state == "solved",
        "{}",
        session.state
    );

    let dreamt = run(&[
        "dream",
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
    ]);
    assert_ok(&dreamt);
    let after = import(&journal);
    assert_eq!(after.learning_units.len(), 1);
    let unit = &after.learning_units[0];
    assert_eq!(unit["profile_id"], "cold");
    let unit_file = out.join(format!("{}.json", unit["id"].as_str().unwrap()));
    let units = learning_lab::unit::store::import_any(&std::fs::read_to_string(unit_file).unwrap())
        .unwrap();
    assert_eq!(units[0].id, unit["id"].as_str().unwrap());
    // The earlier lines are untouched: the journal only grows.
    assert_eq!(after.experiences, first.experiences);
    assert_eq!(units[0].lineage.version, 1);

    // A second dream evolves the journal's active unit of the profile: version 2 of the first.
    let again = run(&[
        "dream",
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
    ]);
    assert_ok(&again);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains(&format!("v2 of {}", units[0].id)),
        "{stdout}"
    );
    let evolved: Vec<learning_lab::unit::LearningUnit> = import(&journal)
        .learning_units
        .into_iter()
        .map(|u| serde_json::from_value(u).unwrap())
        .collect();
    assert_eq!(evolved.len(), 2);
    assert_eq!(
        evolved[1].lineage.parent_id.as_deref(),
        Some(units[0].id.as_str())
    );
    assert_eq!(evolved[1].lineage.version, 2);
    for item in units[0].items() {
        assert!(
            evolved[1]
                .lineage
                .operations
                .iter()
                .any(|op| op.item() == item.id),
            "every item of v1 has its operation: {}",
            item.id
        );
    }

    // A dream over a profile without experiences says so.
    let other = write_profiles(&dir, &[profile("warm", &upstream.base_url, 0.7)]);
    let empty = run(&[
        "dream",
        "--profile",
        other.to_str().unwrap(),
        "--dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no experiences to dream over"));
}

#[test]
fn ctrl_c_stops_cleanly_and_resume_finishes_the_same_runs() {
    let design = ab_design(vec![1], 2);
    let reference = temp_dir("ctrlc-reference");
    let fast = Upstream::start(0);
    let profiles = write_profiles(
        &reference,
        &[
            profile("cold", &fast.base_url, 0.0),
            profile("warm", &fast.base_url, 0.7),
        ],
    );
    let design_path = write_design(&reference, &design);
    assert_ok(&run(&[
        "experiment",
        "run",
        "--design",
        design_path.to_str().unwrap(),
        "--profile",
        profiles.to_str().unwrap(),
        "--dir",
        reference.join("run").to_str().unwrap(),
        "--max-attempts",
        "6",
    ]));
    let expected = journal_state(&import(&reference.join("run/journal.jsonl")));

    let slow = Upstream::start(30);
    let dir = temp_dir("ctrlc");
    let profiles = write_profiles(
        &dir,
        &[
            profile("cold", &slow.base_url, 0.0),
            profile("warm", &slow.base_url, 0.7),
        ],
    );
    let design_path = write_design(&dir, &design);
    let out = dir.join("run");
    let child = runner()
        .args([
            "experiment",
            "run",
            "--design",
            design_path.to_str().unwrap(),
            "--profile",
            profiles.to_str().unwrap(),
            "--dir",
            out.to_str().unwrap(),
            "--max-attempts",
            "6",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let journal = out.join("journal.jsonl");
    let started = Instant::now();
    while std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .matches("{\"kind\":\"experience\"")
        .count()
        < 3
    {
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stopping after the moves in flight"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "continue with: machine-dream experiment resume --dir {}",
            out.display()
        )),
        "{stderr}"
    );
    let stopped = import(&journal);
    assert!(
        stopped.experiments.is_empty(),
        "not finished, so no experiment record yet"
    );

    assert_ok(&run(&[
        "experiment",
        "resume",
        "--dir",
        out.to_str().unwrap(),
    ]));
    let imported = import(&journal);
    assert_eq!(imported.experiments.len(), 1);
    assert_eq!(imported.sessions.len(), 4);
    let state = journal_state(&imported);
    assert_eq!(
        imported.experiences.len() as u64,
        state.done_results().map(|r| r.attempts).sum::<u64>()
    );
    assert_eq!(normalised(&state), normalised(&expected));
}
