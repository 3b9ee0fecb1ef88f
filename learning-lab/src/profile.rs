//! [`Profile`]: how the app reaches a model — provider template, route (through the edge API,
//! or straight to a local server), model, sampling, timeout, retries — and the rules that keep
//! secrets out of the browser.
//!
//! Invariants:
//! - A profile never holds a provider key. Cloud providers (OpenAI, Anthropic, OpenRouter) are
//!   reachable only through the edge API, which holds their keys as Worker secrets.
//! - At most an edge-API client token is kept (`edge_token`); [`Profile::masked_token`] is
//!   what a screen shows, and [`export_profiles`] never writes it.

use serde::{Deserialize, Serialize};

/// Where a profile's model lives, and the defaults that come with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderTemplate {
    /// LM Studio's local server (`http://localhost:1234/v1`).
    LmStudio,
    /// Ollama's OpenAI-compatible endpoint (`http://localhost:11434/v1`).
    Ollama,
    /// llama.cpp's `llama-server` (`http://localhost:8080/v1`).
    LlamaCpp,
    /// OpenAI, through the edge API.
    OpenAi,
    /// Anthropic, through the edge API (which translates the Messages API).
    Anthropic,
    /// OpenRouter, through the edge API.
    OpenRouter,
    /// Any OpenAI-compatible server.
    Custom,
}

impl ProviderTemplate {
    /// Every template, in the order a picker shows them.
    pub const ALL: [ProviderTemplate; 7] = [
        ProviderTemplate::LmStudio,
        ProviderTemplate::Ollama,
        ProviderTemplate::LlamaCpp,
        ProviderTemplate::OpenAi,
        ProviderTemplate::Anthropic,
        ProviderTemplate::OpenRouter,
        ProviderTemplate::Custom,
    ];

    /// The stable key of the template: its serialized name (`llama_cpp`, `open_ai`, …), for a
    /// picker's option values.
    pub fn key(self) -> &'static str {
        match self {
            ProviderTemplate::LmStudio => "lm_studio",
            ProviderTemplate::Ollama => "ollama",
            ProviderTemplate::LlamaCpp => "llama_cpp",
            ProviderTemplate::OpenAi => "open_ai",
            ProviderTemplate::Anthropic => "anthropic",
            ProviderTemplate::OpenRouter => "open_router",
            ProviderTemplate::Custom => "custom",
        }
    }

    /// The template with this [`key`](ProviderTemplate::key), if any.
    pub fn from_key(key: &str) -> Option<ProviderTemplate> {
        ProviderTemplate::ALL.into_iter().find(|t| t.key() == key)
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            ProviderTemplate::LmStudio => "LM Studio",
            ProviderTemplate::Ollama => "Ollama",
            ProviderTemplate::LlamaCpp => "llama.cpp server",
            ProviderTemplate::OpenAi => "OpenAI",
            ProviderTemplate::Anthropic => "Anthropic",
            ProviderTemplate::OpenRouter => "OpenRouter",
            ProviderTemplate::Custom => "Custom (OpenAI-compatible)",
        }
    }

    /// Whether the provider needs a key, so only the edge API may call it.
    pub fn is_cloud(self) -> bool {
        matches!(
            self,
            ProviderTemplate::OpenAi | ProviderTemplate::Anthropic | ProviderTemplate::OpenRouter
        )
    }

    /// The local server's usual base URL (ending in `/v1`), for local templates.
    pub fn local_base_url(self) -> Option<String> {
        self.proposed_base_url(None)
    }

    /// The port the local server listens on out of the box.
    pub fn local_port(self) -> Option<u16> {
        match self {
            ProviderTemplate::LmStudio => Some(1234),
            ProviderTemplate::Ollama => Some(11434),
            ProviderTemplate::LlamaCpp => Some(8080),
            _ => None,
        }
    }

    /// The base URL to propose for a local template when the app itself is served on
    /// `app_port`: the server's real default port, except that llama.cpp's 8080 cannot be the
    /// model server when the app already listens there, so 8081 is proposed (and
    /// [`ProviderTemplate::connection_help`] says to start `llama-server --port 8081`).
    pub fn proposed_base_url(self, app_port: Option<u16>) -> Option<String> {
        let port = self.local_port()?;
        let port = if port == 8080 && app_port == Some(8080) {
            8081
        } else {
            port
        };
        Some(format!("http://localhost:{port}/v1"))
    }

    /// What to change when a connection test of this template fails, for a person reading the
    /// error. `app_origin` is the app's own origin (what a local server must allow for CORS).
    pub fn connection_help(self, app_origin: &str) -> String {
        match self {
            ProviderTemplate::LmStudio => format!(
                "start LM Studio's local server (Developer tab, port 1234) with a model loaded, and turn on \"Enable CORS\" so {app_origin} may call it; or choose the edge route"
            ),
            ProviderTemplate::Ollama => format!(
                "start Ollama (`ollama serve`, port 11434) with OLLAMA_ORIGINS={app_origin} so the browser may call it, and pull the model first (`ollama pull <model>`); or choose the edge route"
            ),
            ProviderTemplate::LlamaCpp => format!(
                "start `llama-server -m MODEL.gguf --port PORT` on the port in the base URL (8080 by default; use 8081 when this app is on 8080); it allows {app_origin} by default; or choose the edge route"
            ),
            ProviderTemplate::Custom => format!(
                "check the base URL ends in /v1 and the server sends CORS headers allowing {app_origin}; or choose the edge route"
            ),
            ProviderTemplate::OpenAi
            | ProviderTemplate::Anthropic
            | ProviderTemplate::OpenRouter => "the edge API must be reachable (status line at the bottom) and its operator must have configured this provider's key and model; an edge token is needed unless the edge API allows anonymous use".into(),
        }
    }

    /// A model name to start from (the edge API's default alias for edge routes).
    pub fn default_model(self) -> &'static str {
        match self {
            ProviderTemplate::OpenAi => "gpt-4o-mini",
            ProviderTemplate::Anthropic => "claude-3-5-haiku-latest",
            ProviderTemplate::OpenRouter => "openrouter/auto",
            ProviderTemplate::Ollama => "qwen2.5:0.5b",
            _ => "smollm2-135m-instruct",
        }
    }
}

/// How requests travel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Route {
    /// Through the edge API named in `app-config.json` (the default; required for cloud
    /// providers).
    Edge,
    /// Straight from the browser to a local OpenAI-compatible server (keyless).
    Direct {
        /// Base URL ending in `/v1`, e.g. `http://localhost:1234/v1`.
        base_url: String,
    },
}

/// Sampling parameters sent with every request.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// 0..=2.
    pub temperature: f64,
    /// 0 < top_p ≤ 1.
    pub top_p: f64,
    /// Answer budget per move (raised automatically when an answer is cut off).
    pub max_tokens: u32,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 0.2,
            top_p: 0.95,
            max_tokens: 512,
        }
    }
}

fn default_max_unit_items() -> usize {
    crate::unit::retrieve::DEFAULT_MAX_UNIT_ITEMS
}

/// A way to reach a model, chosen per play.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Unique id.
    pub id: String,
    /// Name shown in pickers.
    pub name: String,
    /// The template it was made from.
    pub template: ProviderTemplate,
    /// How requests travel.
    pub route: Route,
    /// Model name sent to the server.
    pub model: String,
    /// Sampling parameters.
    pub sampling: Sampling,
    /// Per-request timeout in milliseconds.
    pub timeout_ms: u32,
    /// Retries of a failed request (before the first byte of an answer).
    pub retries: u32,
    /// Ask the server for format-constrained JSON output (JSON schema), when it supports it.
    pub json_output: bool,
    /// Text appended to the system prompt.
    pub system_prompt_addition: String,
    /// Free tags.
    pub tags: Vec<String>,
    /// Whether new plays use this profile.
    pub is_default: bool,
    /// At most this many learning-unit items go into one move's prompt (default
    /// [`DEFAULT_MAX_UNIT_ITEMS`](crate::unit::retrieve::DEFAULT_MAX_UNIT_ITEMS); 1..=20).
    #[serde(default = "default_max_unit_items")]
    pub max_unit_items: usize,
    /// Edge-API client token (never a provider key); never exported.
    #[serde(default)]
    pub edge_token: Option<String>,
    /// Created (ms since the epoch).
    pub created_at: f64,
    /// Last change (ms since the epoch).
    pub updated_at: f64,
}

/// The model a deployment announces in `app-config.json` (`defaultModel`), reachable through
/// its edge API: the app turns it into a ready profile ([`Profile::announced`]) so that a new
/// person can start a play without any setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnouncedModel {
    /// The model name the edge API serves (one of its `MODEL_ALIASES`/`MODELS`).
    pub model: String,
    /// Name shown in pickers; by default the model name with "(edge API)".
    #[serde(default)]
    pub label: Option<String>,
    /// Ask for format-constrained JSON answers (small models ramble otherwise).
    #[serde(default)]
    pub json_output: bool,
    /// Answer budget per move; by default [`Sampling::default`]'s.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Per-request timeout in milliseconds; by default 60 s.
    #[serde(default)]
    pub timeout_ms: Option<u32>,
}

/// The id of the profile made from the deployment's announced model: one per browser, so a
/// reload finds it instead of making another.
pub const ANNOUNCED_PROFILE_ID: &str = "announced-default";

/// A profile failed validation; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

impl Profile {
    /// A profile with the template's defaults: local templates go straight to their usual
    /// server, everything else through the edge API.
    pub fn from_template(template: ProviderTemplate, id: &str, now: f64) -> Profile {
        Profile::from_template_for_app(template, id, now, None)
    }

    /// [`Profile::from_template`] for an app served on `app_port`: a local template's base URL
    /// is [`ProviderTemplate::proposed_base_url`], never the app's own port.
    pub fn from_template_for_app(
        template: ProviderTemplate,
        id: &str,
        now: f64,
        app_port: Option<u16>,
    ) -> Profile {
        let route = match template.proposed_base_url(app_port) {
            Some(base_url) => Route::Direct { base_url },
            None => Route::Edge,
        };
        Profile {
            id: id.to_string(),
            name: template.label().to_string(),
            template,
            route,
            model: template.default_model().to_string(),
            sampling: Sampling::default(),
            timeout_ms: 60_000,
            retries: 2,
            json_output: false,
            system_prompt_addition: String::new(),
            tags: Vec::new(),
            is_default: false,
            max_unit_items: default_max_unit_items(),
            edge_token: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The ready profile for a deployment's announced model: through the edge API, with the
    /// answer format and budget the deployment says the model needs, default for new plays.
    ///
    /// # Errors
    /// When the announcement itself is unusable (no model name, budget out of range): the
    /// message names the `app-config.json` field to fix.
    pub fn announced(model: &AnnouncedModel, now: f64) -> Result<Profile, ProfileError> {
        let mut profile =
            Profile::from_template(ProviderTemplate::Custom, ANNOUNCED_PROFILE_ID, now);
        profile.route = Route::Edge;
        profile.model = model.model.trim().to_string();
        profile.name = match &model.label {
            Some(label) if !label.trim().is_empty() => label.trim().to_string(),
            _ => format!("{} (edge API)", profile.model),
        };
        profile.json_output = model.json_output;
        if let Some(max_tokens) = model.max_tokens {
            profile.sampling.max_tokens = max_tokens;
        }
        if let Some(timeout_ms) = model.timeout_ms {
            profile.timeout_ms = timeout_ms;
        }
        profile.is_default = true;
        profile.tags = vec!["announced".into()];
        profile
            .validate()
            .map_err(|e| ProfileError(format!("app-config.json defaultModel: {e}")))?;
        Ok(profile)
    }

    /// This profile stored next to `existing`: it stays the default only when no other
    /// profile already is one (a person's choice wins over an announcement).
    pub fn offered_among(mut self, existing: &[Profile]) -> Profile {
        self.is_default = !existing.iter().any(|p| p.is_default && p.id != self.id);
        self
    }

    /// This profile imported next to `existing`: an import never takes the default from a
    /// profile already there.
    pub fn imported_among(mut self, existing: &[Profile]) -> Profile {
        self.is_default = self.is_default && !existing.iter().any(|p| p.is_default);
        self
    }

    /// The other profiles that stop being the default when this one is saved at `now` (all of
    /// them when this one is the default, none otherwise), already changed: no longer the
    /// default, and updated at `now` — a demotion is a change, and lists keyed by the update
    /// time show it (the Profiles screen showed two defaults otherwise).
    pub fn demoted_by_saving(&self, others: &[Profile], now: f64) -> Vec<Profile> {
        if !self.is_default {
            return Vec::new();
        }
        others
            .iter()
            .filter(|o| o.id != self.id && o.is_default)
            .map(|o| Profile {
                is_default: false,
                updated_at: now,
                ..o.clone()
            })
            .collect()
    }

    /// The token as a screen may show it: `md_…last4`, or `None` without a token.
    pub fn masked_token(&self) -> Option<String> {
        self.edge_token.as_ref().map(|token| {
            let tail: String = token
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("••••{tail}")
        })
    }

    /// The profile without its token: what exports and logs may contain.
    pub fn without_secrets(&self) -> Profile {
        Profile {
            edge_token: None,
            ..self.clone()
        }
    }

    /// Checks every field a person or an import can get wrong.
    ///
    /// # Errors
    /// The first problem, with what to do about it.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let fail = |msg: String| Err(ProfileError(format!("profile {:?}: {msg}", self.name)));
        if self.id.trim().is_empty() {
            return fail("the id is empty".into());
        }
        if !(1..=20).contains(&self.max_unit_items) {
            return fail(format!(
                "{} unit items per move is out of range: choose 1 to 20",
                self.max_unit_items
            ));
        }
        if self.name.trim().is_empty() {
            return fail("give the profile a name".into());
        }
        if self.model.trim().is_empty() {
            return fail("enter the model name the server knows".into());
        }
        if let Route::Direct { base_url } = &self.route {
            if self.template.is_cloud() {
                return fail(format!(
                    "{} needs a key, and keys live only in the edge API: choose the edge route",
                    self.template.label()
                ));
            }
            if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                return fail(format!(
                    "base URL {base_url:?} must start with http:// or https:// (e.g. http://localhost:1234/v1)"
                ));
            }
            if base_url.contains('@') || base_url.contains("key=") {
                return fail("the base URL must not carry credentials".into());
            }
        }
        let s = &self.sampling;
        if !(0.0..=2.0).contains(&s.temperature) {
            return fail(format!("temperature {} must be within 0..2", s.temperature));
        }
        if !(s.top_p > 0.0 && s.top_p <= 1.0) {
            return fail(format!("top_p {} must be in (0, 1]", s.top_p));
        }
        if !(16..=32_768).contains(&s.max_tokens) {
            return fail(format!(
                "max_tokens {} must be within 16..32768",
                s.max_tokens
            ));
        }
        if !(1_000..=600_000).contains(&self.timeout_ms) {
            return fail(format!(
                "timeout {} ms must be within 1 s and 10 min",
                self.timeout_ms
            ));
        }
        if self.retries > 10 {
            return fail(format!("{} retries is too many (at most 10)", self.retries));
        }
        if let Some(token) = &self.edge_token {
            if token.trim().is_empty() || token.chars().any(char::is_whitespace) {
                return fail("the edge-API token has spaces in it: paste it again".into());
            }
        }
        Ok(())
    }
}

/// The profile new plays start with: the default one, else the first; `None` without any.
pub fn default_profile(profiles: &[Profile]) -> Option<&Profile> {
    profiles.iter().find(|p| p.is_default).or(profiles.first())
}

/// Profiles as JSON lines, one per profile, without tokens.
pub fn export_profiles(profiles: &[Profile]) -> String {
    profiles
        .iter()
        .map(|p| serde_json::to_string(&p.without_secrets()).expect("profiles serialize") + "\n")
        .collect()
}

/// Reads JSON lines written by [`export_profiles`]; every line is parsed and validated before
/// any is returned, so a bad file imports nothing. Tokens in the file are dropped.
///
/// # Errors
/// The first bad line, by number, with what is wrong.
pub fn import_profiles(text: &str) -> Result<Vec<Profile>, ProfileError> {
    let mut profiles = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let profile: Profile = serde_json::from_str(line)
            .map_err(|e| ProfileError(format!("line {}: not a profile: {e}", index + 1)))?;
        profile
            .validate()
            .map_err(|e| ProfileError(format!("line {}: {e}", index + 1)))?;
        profiles.push(profile.without_secrets());
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_default_profile_and_who_gives_it_up() {
        let p = |id: &str, default: bool| Profile {
            is_default: default,
            ..Profile::from_template(ProviderTemplate::Ollama, id, 1.0)
        };
        assert_eq!(default_profile(&[]), None);
        assert_eq!(
            default_profile(&[p("a", false), p("b", false)]).unwrap().id,
            "a"
        );
        assert_eq!(
            default_profile(&[p("a", false), p("b", true)]).unwrap().id,
            "b"
        );

        assert!(p("n", true).offered_among(&[p("a", false)]).is_default);
        assert!(!p("n", true).offered_among(&[p("a", true)]).is_default);
        assert!(p("n", true).offered_among(&[p("n", true)]).is_default);

        assert!(p("n", true).imported_among(&[p("a", false)]).is_default);
        assert!(!p("n", true).imported_among(&[p("a", true)]).is_default);
        assert!(!p("n", false).imported_among(&[]).is_default);

        let others = [p("a", true), p("b", false), p("n", true)];
        let demoted = p("n", true).demoted_by_saving(&others, 99.0);
        assert_eq!(demoted.len(), 1);
        assert_eq!(
            (demoted[0].id.as_str(), demoted[0].is_default),
            ("a", false)
        );
        assert!(p("n", false).demoted_by_saving(&others, 99.0).is_empty());
    }

    #[test]
    fn a_demoted_default_profile_counts_as_changed_so_lists_show_one_default() {
        let mut old = Profile::from_template(ProviderTemplate::LlamaCpp, "old", 1.0);
        old.is_default = true;
        let mut new = Profile::from_template(ProviderTemplate::LlamaCpp, "new", 2.0);
        new.is_default = true;
        let demoted = new.demoted_by_saving(&[old.clone()], 50.0);
        assert_eq!(demoted.len(), 1);
        assert!(!demoted[0].is_default);
        assert_eq!(demoted[0].updated_at, 50.0, "the demotion is an update");
        assert_eq!(demoted[0].created_at, old.created_at);
    }

    #[test]
    fn unit_items_per_move_default_to_three_load_for_old_profiles_and_stay_in_range() {
        let p = Profile::from_template(ProviderTemplate::LlamaCpp, "local", 1.0);
        assert_eq!(p.max_unit_items, 3);
        p.validate().unwrap();
        // Regression: profiles stored before the limit existed load with the default.
        let mut old = serde_json::to_value(&p).unwrap();
        old.as_object_mut().unwrap().remove("max_unit_items");
        let back: Profile = serde_json::from_value(old).unwrap();
        assert_eq!(back, p);
        for (n, ok) in [(0, false), (1, true), (20, true), (21, false)] {
            let q = Profile {
                max_unit_items: n,
                ..p.clone()
            };
            assert_eq!(q.validate().is_ok(), ok, "{n}");
        }
    }

    #[test]
    fn template_keys_are_the_serialized_names() {
        for t in ProviderTemplate::ALL {
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::Value::String(t.key().into())
            );
            assert_eq!(ProviderTemplate::from_key(t.key()), Some(t));
        }
        assert_eq!(ProviderTemplate::from_key("nope"), None);
    }

    #[test]
    fn templates_route_cloud_providers_through_the_edge() {
        for template in ProviderTemplate::ALL {
            let profile = Profile::from_template(template, "p", 0.0);
            profile.validate().unwrap();
            assert_eq!(
                matches!(profile.route, Route::Edge),
                template.local_base_url().is_none()
            );
        }
        let mut openai = Profile::from_template(ProviderTemplate::OpenAi, "p", 0.0);
        openai.route = Route::Direct {
            base_url: "https://api.openai.com/v1".into(),
        };
        assert!(openai.validate().unwrap_err().0.contains("edge route"));
    }

    #[test]
    fn local_templates_propose_their_real_ports() {
        let url = |t: ProviderTemplate, app| t.proposed_base_url(app).unwrap();
        assert_eq!(
            url(ProviderTemplate::LmStudio, Some(8080)),
            "http://localhost:1234/v1"
        );
        assert_eq!(
            url(ProviderTemplate::Ollama, None),
            "http://localhost:11434/v1"
        );
        assert_eq!(
            url(ProviderTemplate::LlamaCpp, Some(3000)),
            "http://localhost:8080/v1"
        );
        assert_eq!(ProviderTemplate::OpenAi.proposed_base_url(Some(8080)), None);
    }

    /// Regression: the llama.cpp template proposed http://localhost:8080/v1 while the app
    /// itself was served on 8080, so the connection test hit the app and failed with CORS.
    #[test]
    fn regression_llama_cpp_template_proposed_the_apps_own_port() {
        let url = ProviderTemplate::LlamaCpp
            .proposed_base_url(Some(8080))
            .unwrap();
        assert_eq!(url, "http://localhost:8081/v1");
        assert!(ProviderTemplate::LlamaCpp
            .connection_help("http://127.0.0.1:8080")
            .contains("8081"));
    }

    #[test]
    fn connection_help_names_what_to_change() {
        let origin = "http://127.0.0.1:8080";
        assert!(ProviderTemplate::Ollama
            .connection_help(origin)
            .contains("OLLAMA_ORIGINS=http://127.0.0.1:8080"));
        assert!(ProviderTemplate::LmStudio
            .connection_help(origin)
            .contains("CORS"));
        assert!(ProviderTemplate::Anthropic
            .connection_help(origin)
            .contains("edge API"));
    }

    #[test]
    fn an_announced_model_becomes_a_ready_edge_profile() {
        let json = r#"{"model":"smollm2-135m-instruct","jsonOutput":true,"maxTokens":96}"#;
        let model: AnnouncedModel = serde_json::from_str(json).unwrap();
        let profile = Profile::announced(&model, 5.0).unwrap();
        assert_eq!(profile.id, ANNOUNCED_PROFILE_ID);
        assert_eq!(profile.route, Route::Edge);
        assert_eq!(profile.model, "smollm2-135m-instruct");
        assert_eq!(profile.name, "smollm2-135m-instruct (edge API)");
        assert!(profile.json_output && profile.is_default);
        assert_eq!(profile.sampling.max_tokens, 96);
        let bare: AnnouncedModel =
            serde_json::from_str(r#"{"model":"m","label":"Lab model"}"#).unwrap();
        let profile = Profile::announced(&bare, 0.0).unwrap();
        assert_eq!(
            (profile.name.as_str(), profile.json_output),
            ("Lab model", false)
        );
        assert_eq!(profile.sampling.max_tokens, Sampling::default().max_tokens);
    }

    #[test]
    fn an_unusable_announcement_names_the_config_field() {
        let model = AnnouncedModel {
            model: " ".into(),
            label: None,
            json_output: false,
            max_tokens: Some(4),
            timeout_ms: None,
        };
        let error = Profile::announced(&model, 0.0).unwrap_err();
        assert!(
            error.0.starts_with("app-config.json defaultModel:"),
            "{error}"
        );
    }

    #[test]
    fn export_never_contains_the_token_and_import_drops_one() {
        let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "p", 1.0);
        profile.edge_token = Some("md_secret_token_1234".into());
        assert_eq!(profile.masked_token().unwrap(), "••••1234");
        let text = export_profiles(std::slice::from_ref(&profile));
        assert!(!text.contains("md_secret"));
        let back = import_profiles(&text).unwrap();
        assert_eq!(back, vec![profile.without_secrets()]);
        let smuggled = serde_json::to_string(&profile).unwrap();
        assert_eq!(import_profiles(&smuggled).unwrap()[0].edge_token, None);
    }

    #[test]
    fn import_is_all_or_nothing() {
        let good = export_profiles(&[Profile::from_template(ProviderTemplate::Ollama, "a", 0.0)]);
        let mut bad = Profile::from_template(ProviderTemplate::Ollama, "b", 0.0);
        bad.sampling.temperature = 9.0;
        let text = good + &serde_json::to_string(&bad).unwrap() + "\n{oops";
        let error = import_profiles(&text).unwrap_err();
        assert!(error.0.starts_with("line 2:"), "{error}");
        assert!(import_profiles("{oops").unwrap_err().0.contains("line 1"));
    }

    #[test]
    fn validation_messages_say_what_to_do() {
        let mut p = Profile::from_template(ProviderTemplate::Custom, "p", 0.0);
        p.route = Route::Direct {
            base_url: "localhost:1234".into(),
        };
        assert!(p.validate().unwrap_err().0.contains("http://"));
        p.route = Route::Direct {
            base_url: "http://user:pw@host/v1".into(),
        };
        assert!(p.validate().unwrap_err().0.contains("credentials"));
        p.route = Route::Edge;
        p.model = " ".into();
        assert!(p.validate().unwrap_err().0.contains("model"));
    }
}
