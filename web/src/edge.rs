//! Where the edge API is, and whether it answers. The app never holds a provider key: it only
//! talks to the edge API (or, later, directly to a local model server the user names).

use serde::Deserialize;

/// `app-config.json`, served next to the app (under its base path): written by the operator for a deployment, or
/// answered by `cargo xtask serve` for local development.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    pub edge_api_url: String,
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
    let config = match gloo_net::http::Request::get(&crate::base_path::url("app-config.json"))
        .send()
        .await
    {
        Ok(response) if response.ok() => response.json::<AppConfig>().await.ok(),
        _ => None,
    }?;
    Some(config.edge_api_url.trim_end_matches('/').to_string())
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
