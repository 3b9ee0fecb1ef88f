//! What a command reads: the profile file (the app's profile export), the design (the app's
//! experiment JSON), learning units (the app's unit export), and credentials from the
//! environment — never from a file.

use std::path::Path;

use learning_lab::experiment::Experiment;
use learning_lab::llm::Endpoint;
use learning_lab::profile::{import_profiles, Profile};
use learning_lab::unit::store::import_any;
use learning_lab::unit::LearningUnit;

use crate::llm::{Breakers, LlmClient};

/// The edge API client token.
pub const EDGE_TOKEN_VAR: &str = "MD_EDGE_TOKEN";
/// A key for a direct OpenAI-compatible provider that wants one.
pub const API_KEY_VAR: &str = "MD_API_KEY";
/// Where the edge API is, when `--edge-url` is not given.
pub const EDGE_URL_VAR: &str = "MD_EDGE_URL";

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} {} ({e})", path.display()))
}

/// The profiles of a profile export (JSON lines, as the app's Profiles screen exports them);
/// any token in the file is dropped.
///
/// # Errors
/// Unreadable, or a bad line (by number).
pub fn profiles(path: &Path) -> Result<Vec<Profile>, String> {
    let profiles = import_profiles(&read(path, "profile file")?).map_err(|e| {
        format!(
            "the profile file {} is not a profile export: {e}",
            path.display()
        )
    })?;
    if profiles.is_empty() {
        return Err(format!(
            "the profile file {} holds no profile: export one from the app's Profiles screen",
            path.display()
        ));
    }
    Ok(profiles)
}

/// The profile `id` of `profiles`, or the only / default one when no id is given.
///
/// # Errors
/// No such profile.
pub fn pick_profile(profiles: &[Profile], id: Option<&str>) -> Result<Profile, String> {
    let ids = || {
        profiles
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match id {
        Some(id) => profiles
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| format!("no profile {id:?} in the profile file (it has: {})", ids())),
        None => learning_lab::profile::default_profile(profiles)
            .cloned()
            .ok_or_else(|| "the profile file holds no profile".to_string()),
    }
}

/// The experiment design in the app's JSON (an `Experiment`), validated.
///
/// # Errors
/// Unreadable, not JSON of a design (with the line and column), or an invalid design.
pub fn design(path: &Path) -> Result<Experiment, String> {
    let text = read(path, "design")?;
    Experiment::from_design_json(&text).map_err(|e| format!("the design {} is {e}", path.display()))
}

/// Learning units from the app's unit export (JSON or JSON lines).
///
/// # Errors
/// Unreadable or not a unit export.
pub fn units(path: &Path) -> Result<Vec<LearningUnit>, String> {
    import_any(&read(path, "unit file")?)
        .map_err(|e| format!("the unit file {} is not a unit export: {e}", path.display()))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The edge API URL: the flag, else [`EDGE_URL_VAR`].
pub fn edge_url(flag: Option<String>) -> Option<String> {
    flag.or_else(|| env(EDGE_URL_VAR))
}

/// A client for `profile`, its credentials from the environment.
///
/// # Errors
/// The setting the profile's route needs and does not have.
pub fn client(
    profile: &Profile,
    edge_api_url: Option<&str>,
    breakers: &Breakers,
) -> Result<LlmClient, String> {
    let endpoint = Endpoint::for_runner(
        profile,
        edge_api_url,
        env(EDGE_TOKEN_VAR).as_deref(),
        env(API_KEY_VAR).as_deref(),
    )
    .map_err(|e| e.to_string())?;
    Ok(LlmClient::for_profile(profile, endpoint, breakers.clone()))
}
