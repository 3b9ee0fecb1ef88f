//! `machine-dream`: the headless runner. It drives learning-lab's state machines — the play
//! session, the chat driver, the dream, the experiment plan — exactly as the app does, with
//! files instead of IndexedDB and threads instead of browser tasks. It decides nothing the lab
//! decides: this crate only reads and writes files, sends HTTP, keeps time and draws a bar.

mod checkpoint;
mod cli;
mod clock;
mod dream;
mod experiment;
mod inputs;
mod journal;
mod llm;
mod play;
mod report;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cli::{Args, Command};

/// Exit code of bad usage (unknown command or flag).
const USAGE_ERROR: u8 = 2;
/// Exit code after a Ctrl-C stop (128 + SIGINT, as shells report it).
const STOPPED: u8 = 130;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Args::new(args).and_then(cli::parse) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("machine-dream: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(USAGE_ERROR);
        }
    };
    if let Command::Help = command {
        println!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    let halt = Arc::new(AtomicBool::new(false));
    {
        let halt = halt.clone();
        // The first Ctrl-C stops before the next request (every finished move is on disk);
        // a second one quits at once, which loses only the moves in flight.
        let installed = ctrlc::set_handler(move || {
            if halt.swap(true, Ordering::SeqCst) {
                eprintln!("machine-dream: stopped at once");
                std::process::exit(i32::from(STOPPED));
            }
            eprintln!(
                "machine-dream: stopping after the moves in flight (Ctrl-C again to quit now)…"
            );
        });
        if let Err(e) = installed {
            eprintln!("machine-dream: Ctrl-C will not stop cleanly ({e})");
        }
    }
    match cli::execute(command, halt) {
        Ok(cli::Done::Finished) => ExitCode::SUCCESS,
        Ok(cli::Done::Stopped) => ExitCode::from(STOPPED),
        Err(e) => {
            eprintln!("machine-dream: {e}");
            ExitCode::FAILURE
        }
    }
}
