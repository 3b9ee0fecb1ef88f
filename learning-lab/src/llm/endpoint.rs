//! Where requests go and which credentials go with them.
//!
//! Edge routes go to `{edgeApiUrl}/v1/…` with the profile's edge-API client token as
//! `Authorization: Bearer` (when the profile has one; loopback development is anonymous).
//! Direct routes go to the profile's local base URL without credentials: the browser never
//! holds a provider key. Edge routes always carry the profile's edge token, so a cloud model
//! is reachable without any key in the browser (`tests::edge_routes_carry_the_edge_token`).
//! The token is never shown:
//! `Debug` masks it.

use serde_json::Value;

use super::LlmError;
use crate::profile::{Profile, Route};

/// A model server's base URL (ending in `/v1`) and the bearer token for it, if any.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    base_url: String,
    token: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "••••"))
            .finish()
    }
}

impl Endpoint {
    /// `base_url` (trailing `/` dropped) with an optional bearer token (blank means none).
    pub fn new(base_url: &str, token: Option<&str>) -> Endpoint {
        Endpoint {
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            token: token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        }
    }

    /// The endpoint of a profile: the edge API at `edge_api_url` (from `app-config.json`)
    /// with the profile's token, or the profile's direct base URL without one.
    ///
    /// # Errors
    /// An edge route without a configured edge API.
    pub fn for_profile(
        profile: &Profile,
        edge_api_url: Option<&str>,
    ) -> Result<Endpoint, LlmError> {
        match &profile.route {
            Route::Edge => {
                let edge = edge_api_url
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| LlmError::Network {
                        detail: "no edge API is configured (app-config.json has no edgeApiUrl); choose a direct route to a local server, or ask the operator".into(),
                    })?;
                Ok(Endpoint::new(
                    &format!("{}/v1", edge.trim_end_matches('/')),
                    profile.edge_token.as_deref(),
                ))
            }
            Route::Direct { base_url } => Ok(Endpoint::new(base_url, None)),
        }
    }

    /// The endpoint of a profile for a headless runner, whose credentials come from its
    /// environment and never from a file: an edge route goes to `edge_api_url` with
    /// `edge_token` (required: a runner is not the loopback browser a local edge API lets in
    /// anonymously, and an unauthenticated batch would only collect 401s); a direct route
    /// goes to the profile's base URL with `api_key` when one is given (an OpenAI-compatible
    /// provider that wants a key), else without credentials.
    ///
    /// # Errors
    /// [`RunnerEndpointError`] naming the missing setting and the variable or flag to set.
    pub fn for_runner(
        profile: &Profile,
        edge_api_url: Option<&str>,
        edge_token: Option<&str>,
        api_key: Option<&str>,
    ) -> Result<Endpoint, RunnerEndpointError> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|t| !t.is_empty())
        }
        match &profile.route {
            Route::Edge => {
                let edge = present(edge_api_url).ok_or_else(|| RunnerEndpointError {
                    profile_id: profile.id.clone(),
                    missing: RunnerSetting::EdgeApiUrl,
                })?;
                let token = present(edge_token).ok_or_else(|| RunnerEndpointError {
                    profile_id: profile.id.clone(),
                    missing: RunnerSetting::EdgeToken,
                })?;
                Ok(Endpoint::new(
                    &format!("{}/v1", edge.trim_end_matches('/')),
                    Some(token),
                ))
            }
            Route::Direct { base_url } => Ok(Endpoint::new(base_url, present(api_key))),
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether a token goes with requests.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `POST` here for chat completions.
    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    /// `GET` here for the model list.
    pub fn models_url(&self) -> String {
        format!("{}/models", self.base_url)
    }

    /// The request headers (`Authorization` only with a token).
    pub fn headers(&self, streaming: bool) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Content-Type", "application/json".to_string()),
            (
                "Accept",
                if streaming {
                    "text/event-stream"
                } else {
                    "application/json"
                }
                .to_string(),
            ),
        ];
        if let Some(token) = &self.token {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        headers
    }
}

/// What a runner's profile needs and was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerSetting {
    /// Where the edge API is (`--edge-url` or `MD_EDGE_URL`).
    EdgeApiUrl,
    /// The edge API client token (`MD_EDGE_TOKEN`).
    EdgeToken,
}

/// A runner's profile cannot be reached without a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerEndpointError {
    /// The profile.
    pub profile_id: String,
    /// What is missing.
    pub missing: RunnerSetting,
}

impl std::fmt::Display for RunnerEndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = &self.profile_id;
        match self.missing {
            RunnerSetting::EdgeApiUrl => write!(
                f,
                "profile {id} goes through the edge API, but no edge API URL is set: pass --edge-url https://… or set MD_EDGE_URL"
            ),
            RunnerSetting::EdgeToken => write!(
                f,
                "profile {id} goes through the edge API, but MD_EDGE_TOKEN is not set: export MD_EDGE_TOKEN=<your client token> (the operator makes one with `cargo xtask token`); tokens are never read from files"
            ),
        }
    }
}

impl std::error::Error for RunnerEndpointError {}

/// The model names in a `/v1/models` answer (OpenAI `data[].id`; Ollama-style
/// `models[].name` as a fallback), sorted and without duplicates.
///
/// # Errors
/// [`LlmError::BadStream`] for a body that is not a model list, [`LlmError::Server`] for an
/// error object.
pub fn parse_model_list(body: &str) -> Result<Vec<String>, LlmError> {
    let value: Value = serde_json::from_str(body).map_err(|e| LlmError::BadStream {
        detail: format!("the model list is not JSON ({e})"),
    })?;
    if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
        return Err(LlmError::Server {
            code: error
                .get("code")
                .map(|c| c.to_string().trim_matches('"').to_string()),
            message: error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
                .to_string(),
        });
    }
    let ids = |key: &str, field: &str| -> Option<Vec<String>> {
        value.get(key).and_then(Value::as_array).map(|list| {
            list.iter()
                .filter_map(|m| m.get(field).and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
    };
    let mut names = ids("data", "id")
        .or_else(|| ids("models", "name"))
        .ok_or_else(|| LlmError::BadStream {
            detail: "the answer has no model list (`data`)".into(),
        })?;
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProviderTemplate;

    #[test]
    fn edge_routes_carry_the_edge_token() {
        // A request to a cloud provider without any credential would always be refused: edge
        // routes carry the profile's edge token as a bearer token.
        let mut profile = Profile::from_template(ProviderTemplate::OpenAi, "p", 0.0);
        profile.edge_token = Some("md_live_abcd1234".into());
        let endpoint = Endpoint::for_profile(&profile, Some("https://edge.example/")).unwrap();
        assert_eq!(
            endpoint.chat_url(),
            "https://edge.example/v1/chat/completions"
        );
        assert!(endpoint
            .headers(true)
            .contains(&("Authorization", "Bearer md_live_abcd1234".to_string())));
        assert!(!format!("{endpoint:?}").contains("md_live"));
    }

    #[test]
    fn anonymous_edge_and_direct_routes_send_no_authorization() {
        let profile = Profile::from_template(ProviderTemplate::OpenAi, "p", 0.0);
        let edge = Endpoint::for_profile(&profile, Some("http://127.0.0.1:8787")).unwrap();
        assert_eq!(edge.models_url(), "http://127.0.0.1:8787/v1/models");
        assert!(edge
            .headers(false)
            .iter()
            .all(|(k, _)| *k != "Authorization"));
        let mut local = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 0.0);
        local.edge_token = Some("md_x".into());
        let direct = Endpoint::for_profile(&local, None).unwrap();
        assert_eq!(
            direct.chat_url(),
            "http://localhost:8080/v1/chat/completions"
        );
        assert!(!direct.has_token());
        let error = Endpoint::for_profile(&profile, None).unwrap_err();
        assert!(error.message().contains("edgeApiUrl"));
        assert!(!Endpoint::new("http://x/v1", Some("  ")).has_token());
    }

    #[test]
    fn model_lists_of_llama_server_openai_and_ollama() {
        // fixtures/llm/llama-server-models.json: recorded from llama-server.
        let recorded = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/llm/llama-server-models.json"
        ))
        .unwrap();
        assert_eq!(
            parse_model_list(&recorded).unwrap(),
            vec!["smollm2-135m-instruct".to_string()]
        );
        assert_eq!(
            parse_model_list(r#"{"object":"list","data":[{"id":"b"},{"id":"a"},{"id":"b"}]}"#)
                .unwrap(),
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(
            parse_model_list(r#"{"models":[{"name":"qwen2.5:0.5b"}]}"#).unwrap(),
            vec!["qwen2.5:0.5b".to_string()]
        );
        assert!(matches!(
            parse_model_list("<html>"),
            Err(LlmError::BadStream { .. })
        ));
        assert!(matches!(
            parse_model_list(r#"{"error":{"code":"unauthorized","message":"no"}}"#),
            Err(LlmError::Server { .. })
        ));
    }

    #[test]
    fn a_runner_takes_credentials_from_its_caller_and_says_which_one_is_missing() {
        let mut edge =
            Profile::from_template(crate::profile::ProviderTemplate::OpenAi, "cloud", 0.0);
        edge.route = Route::Edge;
        edge.edge_token = Some("from-a-file".into());
        let e = Endpoint::for_runner(&edge, Some("https://edge.example"), None, None).unwrap_err();
        assert_eq!(e.missing, RunnerSetting::EdgeToken);
        assert!(e.to_string().contains("MD_EDGE_TOKEN") && e.to_string().contains("cloud"));
        let e = Endpoint::for_runner(&edge, Some("  "), Some("t"), None).unwrap_err();
        assert_eq!(e.missing, RunnerSetting::EdgeApiUrl);
        assert!(e.to_string().contains("--edge-url"));
        let ok =
            Endpoint::for_runner(&edge, Some("https://edge.example/"), Some("t0k"), None).unwrap();
        assert_eq!(ok.chat_url(), "https://edge.example/v1/chat/completions");
        assert!(ok
            .headers(true)
            .contains(&("Authorization", "Bearer t0k".to_string())));
        let mut local = edge.clone();
        local.route = Route::Direct {
            base_url: "http://127.0.0.1:9/v1".into(),
        };
        let keyless = Endpoint::for_runner(&local, None, Some("edge"), None).unwrap();
        assert!(!keyless.has_token());
        let keyed = Endpoint::for_runner(&local, None, None, Some("sk")).unwrap();
        assert!(keyed
            .headers(false)
            .contains(&("Authorization", "Bearer sk".to_string())));
    }
}
