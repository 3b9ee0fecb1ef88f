//! A static file server for dist/ on loopback: correct MIME types (wasm streaming compilation
//! needs `application/wasm`), no caching of the shell files the service worker manages, and an
//! optional `app-config.json` that tells the app where the edge API is. With a base path
//! (`--base /sub/`) the app is served under that prefix only, as on a host that puts it in a
//! sub-directory.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use tiny_http::{Header, Response, Server};

use crate::Result;

pub struct StaticServer {
    pub url: String,
    server: Arc<Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticServer {
    /// Serve `root` on 127.0.0.1:`port` (0 = any free port) in a background thread.
    pub fn start(root: PathBuf, port: u16, config: Option<AppConfig>) -> Result<StaticServer> {
        Self::start_under(root, port, config, "/")
    }

    /// As `start`, with the app under `base` (`/` or `/sub/`); `url` is then the app's URL.
    pub fn start_under(
        root: PathBuf,
        port: u16,
        config: Option<AppConfig>,
        base: &str,
    ) -> Result<StaticServer> {
        let base = normalize_base(base)?;
        let prefix = base.clone();
        let server = Server::http(("127.0.0.1", port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("static server has no IP address")?;
        let server = Arc::new(server);
        let worker = Arc::clone(&server);
        let config = config.map(|c| c.to_json());
        let thread = std::thread::spawn(move || {
            for request in worker.incoming_requests() {
                let response = respond_under(&root, &base, request.url(), config.as_deref());
                let _ = request.respond(response);
            }
        });
        let url = format!("http://127.0.0.1:{port}");
        Ok(StaticServer {
            url: if prefix == "/" {
                url
            } else {
                format!("{url}{prefix}")
            },
            server,
            thread: Some(thread),
        })
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What `app-config.json` tells the app: where the edge API is and, optionally, the model it
/// serves with the answer format and budget that model needs (the app makes a ready profile).
pub struct AppConfig {
    pub edge_api: String,
    pub default_model: Option<DefaultModel>,
}

/// `defaultModel` of `app-config.json`.
pub struct DefaultModel {
    pub model: String,
    pub json_output: bool,
    pub max_tokens: Option<u32>,
}

impl DefaultModel {
    /// The built-in SmolLM2-135M: it rambles past any budget unless its answers are
    /// format-constrained JSON, and 96 tokens hold one move with a short reason.
    pub fn built_in(model: &str) -> DefaultModel {
        DefaultModel {
            model: model.to_string(),
            json_output: true,
            max_tokens: Some(96),
        }
    }
}

/// A JSON string literal's content: quotes and backslashes dropped, so a value can never
/// break out of its string (the values are URLs and model names, which need neither).
fn json_text(value: &str) -> String {
    value
        .replace(['\\', '"'], "")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

impl AppConfig {
    fn to_json(&self) -> String {
        let mut json = format!("{{\"edgeApiUrl\":\"{}\"", json_text(&self.edge_api));
        if let Some(model) = &self.default_model {
            json += &format!(
                ",\"defaultModel\":{{\"model\":\"{}\",\"jsonOutput\":{}",
                json_text(&model.model),
                model.json_output
            );
            if let Some(max_tokens) = model.max_tokens {
                json += &format!(",\"maxTokens\":{max_tokens}");
            }
            json += "}";
        }
        json + "}"
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Map a request path to a file under `root`, refusing anything that climbs out of it.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let mut resolved = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => resolved.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    Some(resolved)
}

/// `/sub`, `sub`, `/sub/` → `/sub/`; `/` stays `/`. Only plain path segments are accepted.
fn normalize_base(base: &str) -> Result<String> {
    let inner = base.trim_matches('/');
    if inner.is_empty() {
        return Ok("/".into());
    }
    let plain = inner.split('/').all(|seg| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    });
    if !plain {
        return Err(format!(
            "--base {base:?}: use plain path segments, like /machine-dream/"
        ));
    }
    Ok(format!("/{inner}/"))
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

/// Serve under `base` (`/` or `/sub/`): `/sub` redirects to `/sub/` (relative asset URLs need
/// the slash), anything outside the prefix is 404.
fn respond_under(root: &Path, base: &str, url: &str, config: Option<&str>) -> Reply {
    if base == "/" {
        return respond(root, url, config);
    }
    let (path, query) = url
        .split_once('?')
        .map_or((url, None), |(p, q)| (p, Some(q)));
    if path == base.trim_end_matches('/') {
        let location = match query {
            Some(q) => format!("{base}?{q}"),
            None => base.to_string(),
        };
        return Response::from_string("moved")
            .with_status_code(301)
            .with_header(header("Location", &location));
    }
    match url.strip_prefix(base.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => respond(root, rest, config),
        _ => Response::from_string("not found (outside the base path)").with_status_code(404),
    }
}

fn respond(root: &Path, url: &str, config: Option<&str>) -> Reply {
    let no_cache = header("Cache-Control", "no-cache");
    if config.is_some() && url.split('?').next() == Some("/app-config.json") {
        return Response::from_data(config.unwrap_or_default().as_bytes().to_vec())
            .with_header(header("Content-Type", "application/json"))
            .with_header(no_cache);
    }
    let Some(mut file) = resolve(root, url) else {
        return Response::from_string("bad path").with_status_code(400);
    };
    // Client-side routes (no extension) get the app shell.
    if !file.exists() && file.extension().is_none() {
        file = root.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => Response::from_data(bytes)
            .with_header(header("Content-Type", content_type(&file)))
            .with_header(no_cache),
        Err(_) => Response::from_string("not found").with_status_code(404),
    }
}

/// `cargo xtask static DIR [--port N] [--edge-api URL [--model NAME]] [--base /sub/]`: serve
/// until killed. `--model` announces the built-in model's profile (JSON answers, 96 tokens).
pub fn run_cli(args: &[String]) -> Result {
    let mut dir = None;
    let mut port = 0u16;
    let mut edge_api = None;
    let mut model = None;
    let mut base = "/".to_string();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--port" => {
                port = iter
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number")?
            }
            "--edge-api" => edge_api = Some(iter.next().ok_or("--edge-api needs a URL")?.clone()),
            "--model" => model = Some(iter.next().ok_or("--model needs a name")?.clone()),
            "--base" => base = iter.next().ok_or("--base needs a path like /sub/")?.clone(),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.ok_or(
        "usage: cargo xtask static DIR [--port N] [--edge-api URL [--model NAME]] [--base /sub/]",
    )?;
    let config = edge_api.map(|edge_api| AppConfig {
        edge_api,
        default_model: model.as_deref().map(DefaultModel::built_in),
    });
    let server = StaticServer::start_under(dir, port, config, &base)?;
    println!("listening on {}", server.url);
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_root() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/../../x"), None);
        assert_eq!(
            resolve(root, "/app.wasm?v=1"),
            Some(PathBuf::from("/srv/dist/app.wasm"))
        );
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(content_type(Path::new("x/app_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("manifest.webmanifest")),
            "application/manifest+json"
        );
    }

    #[test]
    fn a_base_path_is_a_prefix_of_plain_segments() {
        assert_eq!(normalize_base("/").unwrap(), "/");
        assert_eq!(normalize_base("").unwrap(), "/");
        assert_eq!(normalize_base("sub").unwrap(), "/sub/");
        assert_eq!(normalize_base("/a/b/").unwrap(), "/a/b/");
        assert!(normalize_base("/../x/").is_err());
        assert!(normalize_base("/a b/").is_err());
    }

    #[test]
    fn under_a_base_only_the_prefix_is_served() {
        let root = Path::new("/nonexistent-md-dist");
        let config = Some("{}");
        let at = |url: &str| respond_under(root, "/sub/", url, config);
        let moved = at("/sub?x=1");
        assert_eq!(moved.status_code().0, 301);
        assert!(moved
            .headers()
            .iter()
            .any(|h| h.field.equiv("Location") && h.value.as_str() == "/sub/?x=1"));
        assert_eq!(at("/app-config.json").status_code().0, 404);
        assert_eq!(at("/subway/app-config.json").status_code().0, 404);
        assert_eq!(at("/sub/app-config.json").status_code().0, 200);
    }

    #[test]
    fn app_config_cannot_be_broken_out_of() {
        let config = AppConfig {
            edge_api: "http://x\"}, \"evil\": \"1".into(),
            default_model: None,
        };
        assert_eq!(config.to_json(), "{\"edgeApiUrl\":\"http://x}, evil: 1\"}");
    }

    #[test]
    fn app_config_announces_the_built_in_model() {
        let config = AppConfig {
            edge_api: "http://127.0.0.1:9".into(),
            default_model: Some(DefaultModel::built_in("smollm2-135m-instruct")),
        };
        assert_eq!(
            config.to_json(),
            "{\"edgeApiUrl\":\"http://127.0.0.1:9\",\"defaultModel\":{\"model\":\"smollm2-135m-instruct\",\"jsonOutput\":true,\"maxTokens\":96}}"
        );
    }
}
