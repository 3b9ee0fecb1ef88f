//! Bodies of the informational routes: `GET /health` and `GET /v1/models`.

use serde_json::{json, Value};

use crate::auth::{Principal, TokenEntry};
use crate::config::{Config, SERVICE_NAME, VERSION};
use crate::limits::Usage;

/// `{"status":"ok","service":"machine-dream-edge-api","version":"..","upstream_configured":bool}`.
/// No URL, model or key is revealed; `/health` needs no token.
pub fn health_body(upstream_configured: bool) -> Value {
    json!({
        "status": "ok",
        "service": SERVICE_NAME,
        "version": VERSION,
        "upstream_configured": upstream_configured,
    })
}

/// The configured models the caller may use, in OpenAI's list format, by public name.
pub fn models_body(cfg: &Config, who: &Principal) -> Value {
    let data: Vec<Value> = cfg
        .models
        .iter()
        .filter(|m| who.may_use(&m.public))
        .map(|m| json!({"id": m.public, "object": "model", "created": 0, "owned_by": SERVICE_NAME}))
        .collect();
    json!({"object": "list", "data": data})
}

/// One token's line in `GET /v1/usage` (label and counters; never the hash).
pub fn usage_row(t: &TokenEntry, u: &Usage, day_tokens: u64) -> Value {
    json!({
        "label": t.label,
        "requests": u.requests,
        "rate_limited": u.rate_limited,
        "budget_refused": u.budget_refused,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "tokens_today": day_tokens,
        "daily_token_budget": t.daily_token_budget,
        "last_request_ms": u.last_request_ms,
    })
}

/// `{"object":"list","data":[rows]}`.
pub fn usage_body(rows: Vec<Value>) -> Value {
    json!({"object": "list", "data": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health() {
        let v = health_body(true);
        assert_eq!(v["status"], "ok");
        assert_eq!(v["service"], "machine-dream-edge-api");
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["upstream_configured"], true);
        assert_eq!(health_body(false)["upstream_configured"], false);
    }

    #[test]
    fn models_list_public_names_only() {
        let cfg =
            Config::from_lookup(|k| (k == "MODEL_ALIASES").then(|| "a=upstream-a,b".to_string()))
                .unwrap();
        let v = models_body(&cfg, &Principal::Anonymous);
        assert_eq!(v["object"], "list");
        let ids: Vec<&str> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["a", "b"]);
        assert_eq!(v["data"][0]["object"], "model");
        assert!(!v.to_string().contains("upstream-a"));
    }

    #[test]
    fn models_follow_the_token_allowlist_and_usage_rows_hide_hashes() {
        let cfg =
            Config::from_lookup(|k| (k == "MODEL_ALIASES").then(|| "a,b".to_string())).unwrap();
        let t = TokenEntry {
            label: "app".into(),
            sha256: crate::auth::sha256(b"x"),
            models: Some(vec!["b".into()]),
            daily_token_budget: Some(10),
        };
        let v = models_body(&cfg, &Principal::Token(t.clone()));
        assert_eq!(v["data"].as_array().unwrap().len(), 1);
        assert_eq!(v["data"][0]["id"], "b");
        let row = usage_row(
            &t,
            &Usage {
                requests: 3,
                ..Usage::default()
            },
            5,
        );
        assert_eq!(row["label"], "app");
        assert_eq!(row["requests"], 3);
        assert_eq!(row["tokens_today"], 5);
        assert_eq!(row["daily_token_budget"], 10);
        let body = usage_body(vec![row]).to_string();
        assert!(!body.contains(&crate::auth::to_hex(&t.sha256)));
    }
}
