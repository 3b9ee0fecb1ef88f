//! Where the edge API is, and whether it answers. The app never holds a provider key: it only
//! talks to the edge API (or, later, directly to a local model server the user names).

use std::cell::RefCell;

use learning_lab::profile::AnnouncedModel;
use serde::Deserialize;

/// `app-config.json`, served next to the app (under its base path): written by the operator for a deployment, or
/// answered by `cargo xtask serve` for local development.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    pub edge_api_url: String,
    /// The model the deployment offers through its edge API, made into a ready profile.
    #[serde(default)]
    pub default_model: Option<AnnouncedModel>,
}

thread_local! {
    /// `app-config.json` as read once per page load (`None` inside: there is none).
    static CONFIG: RefCell<Option<Option<AppConfig>>> = const { RefCell::new(None) };
}

/// The edge API's `/health` answer (only the fields the UI shows).
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    pub status: String,
}

/// What the status line says about the edge API.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeStatus {
    Checking,
    Ok { url: String },
    NotConfigured,
    Unreachable { url: String, reason: String },
}

impl EdgeStatus {
    pub fn text(&self) -> String {
        match self {
            EdgeStatus::Checking => "edge API: checking…".into(),
            EdgeStatus::Ok { url } => format!("edge API: ok ({url})"),
            EdgeStatus::NotConfigured => {
                "edge API: not configured (no app-config.json); LLM play is unavailable, everything else works".into()
            }
            EdgeStatus::Unreachable { url, reason } => format!(
                "edge API: unreachable at {url} ({reason}); puzzles still work offline, LLM play needs it"
            ),
        }
    }
}

/// The edge API's base URL from `app-config.json` (no trailing slash), or `None` when the app
/// is deployed without one.
pub async fn edge_url() -> Option<String> {
    let config = app_config().await?;
    Some(config.edge_api_url.trim_end_matches('/').to_string())
}

/// `app-config.json`, fetched on first use and kept for the page's life; `None` when the app
/// is deployed without one (or it is unreadable: the status line then says "not configured").
pub async fn app_config() -> Option<AppConfig> {
    if let Some(known) = CONFIG.with(|c| c.borrow().clone()) {
        return known;
    }
    let config = match gloo_net::http::Request::get(&crate::base_path::url("app-config.json"))
        .send()
        .await
    {
        Ok(response) if response.ok() => response.json::<AppConfig>().await.ok(),
        _ => None,
    };
    CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
    config
}

/// The app's own origin, e.g. `http://127.0.0.1:8080` (what a local model server must allow).
pub fn app_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The port the app is served on, when the URL names one.
pub fn app_port() -> Option<u16> {
    web_sys::window()
        .and_then(|w| w.location().port().ok())
        .and_then(|port| port.parse().ok())
}

/// Ask the edge API for its health.
pub async fn check() -> EdgeStatus {
    let Some(url) = edge_url().await else {
        return EdgeStatus::NotConfigured;
    };
    match gloo_net::http::Request::get(&format!("{url}/health"))
        .send()
        .await
    {
        Ok(response) if response.ok() => match response.json::<Health>().await {
            Ok(health) if health.status == "ok" => EdgeStatus::Ok { url },
            Ok(health) => EdgeStatus::Unreachable {
                url,
                reason: format!("status {}", health.status),
            },
            Err(e) => EdgeStatus::Unreachable {
                url,
                reason: e.to_string(),
            },
        },
        Ok(response) => EdgeStatus::Unreachable {
            url,
            reason: format!("HTTP {}", response.status()),
        },
        Err(e) => EdgeStatus::Unreachable {
            url,
            reason: e.to_string(),
        },
    }
}
