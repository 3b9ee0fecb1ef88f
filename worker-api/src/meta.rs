//! Bodies of the informational routes: `GET /health` and `GET /v1/models`.

use serde_json::{json, Value};

use crate::config::{Config, SERVICE_NAME, VERSION};

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

/// The configured models in OpenAI's list format, by public name.
pub fn models_body(cfg: &Config) -> Value {
    let data: Vec<Value> = cfg
        .models
        .iter()
        .map(|m| json!({"id": m.public, "object": "model", "created": 0, "owned_by": SERVICE_NAME}))
        .collect();
    json!({"object": "list", "data": data})
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
        let v = models_body(&cfg);
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
}
