//! A static file server for dist/ on loopback: correct MIME types (wasm streaming compilation
//! needs `application/wasm`), no caching of the shell files the service worker manages, and an
//! optional `app-config.json` that tells the app where the edge API is. With a base path
//! (`--base /sub/`) the app is served under that prefix only, as on a host that puts it in a
//! sub-directory.
//!
//! Like real hosts, it compresses: a client whose `Accept-Encoding` takes gzip gets text, JSON
//! and wasm gzipped (`Content-Encoding: gzip`, and `Vary: Accept-Encoding` on every
//! compressible file either way), so load times and transfer sizes measured locally match a
//! deployment. Each file is compressed once and kept until it changes (size or mtime), so
//! `serve` picks up rebuilds. Every answer carries the build's security headers
//! (`dist/_headers`, see `security.rs`), with the configured edge API allowed in `connect-src`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use flate2::write::GzEncoder;
use flate2::Compression;
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
        let security: Vec<Header> =
            crate::security::for_build(&root, config.as_ref().map(|c| c.edge_api.as_str()))
                .iter()
                .map(|(name, value)| header(name, value))
                .collect();
        let config = config.map(|c| c.to_json());
        let thread = std::thread::spawn(move || {
            let mut gzipped = GzipCache::default();
            for request in worker.incoming_requests() {
                let gzip = request
                    .headers()
                    .iter()
                    .filter(|h| h.field.equiv("Accept-Encoding"))
                    .any(|h| accepts_gzip(h.value.as_str()));
                let wanted = Wanted {
                    url: request.url(),
                    gzip: gzip.then_some(&mut gzipped),
                };
                let mut response = respond_under(&root, &base, wanted, config.as_deref());
                for header in &security {
                    response.add_header(header.clone());
                }
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

/// Whether an `Accept-Encoding` value takes gzip: `gzip` or `*` listed without `q=0`.
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding == "gzip" || coding == "*") && !refused
    })
}

/// Whether a content type is worth compressing (images here are already compressed).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/") && content_type != "application/octet-stream"
        || content_type == "image/svg+xml"
}

/// A gzipped body and the file size and mtime it was made from.
struct Gzipped {
    len: u64,
    modified: Option<SystemTime>,
    body: Arc<Vec<u8>>,
}

/// Gzipped bodies by file.
#[derive(Default)]
struct GzipCache {
    files: HashMap<PathBuf, Gzipped>,
}

impl GzipCache {
    /// `bytes` (the content of `file` now) gzipped, from the cache while the file is unchanged.
    fn get(&mut self, file: &Path, bytes: &[u8]) -> Arc<Vec<u8>> {
        let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok();
        let len = bytes.len() as u64;
        if let Some(cached) = self.files.get(file) {
            if cached.len == len && cached.modified == modified && modified.is_some() {
                return Arc::clone(&cached.body);
            }
        }
        let body = Arc::new(gzip(bytes));
        let cached = Gzipped {
            len,
            modified,
            body: Arc::clone(&body),
        };
        self.files.insert(file.to_path_buf(), cached);
        body
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .expect("writing to memory cannot fail")
}

/// A request as the responder sees it: its URL and, when the client takes gzip, the cache.
struct Wanted<'a> {
    url: &'a str,
    gzip: Option<&'a mut GzipCache>,
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
fn respond_under(root: &Path, base: &str, wanted: Wanted<'_>, config: Option<&str>) -> Reply {
    let url = wanted.url;
    if base == "/" {
        return respond(root, wanted, config);
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
        Some(rest) if rest.starts_with('/') => respond(
            root,
            Wanted {
                url: rest,
                gzip: wanted.gzip,
            },
            config,
        ),
        _ => Response::from_string("not found (outside the base path)").with_status_code(404),
    }
}

fn respond(root: &Path, wanted: Wanted<'_>, config: Option<&str>) -> Reply {
    let url = wanted.url;
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
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(_) => return Response::from_string("not found").with_status_code(404),
    };
    let kind = content_type(&file);
    if !compressible(kind) {
        return Response::from_data(bytes)
            .with_header(header("Content-Type", kind))
            .with_header(no_cache);
    }
    let body = match wanted.gzip {
        Some(cache) => Response::from_data(cache.get(&file, &bytes).to_vec())
            .with_header(header("Content-Encoding", "gzip")),
        None => Response::from_data(bytes),
    };
    body.with_header(header("Content-Type", kind))
        .with_header(header("Vary", "Accept-Encoding"))
        .with_header(no_cache)
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
        let at = |url: &str| respond_under(root, "/sub/", Wanted { url, gzip: None }, config);
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
    fn accept_encoding_is_read_as_hosts_read_it() {
        assert!(accepts_gzip("gzip, deflate, br, zstd"));
        assert!(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, identity"));
        assert!(!accepts_gzip(""));
    }

    fn header_value<'a>(reply: &'a Reply, name: &'static str) -> Option<&'a str> {
        reply
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str())
    }

    fn body(reply: Reply) -> Vec<u8> {
        use std::io::Read as _;
        let mut out = Vec::new();
        reply.into_reader().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn text_and_wasm_are_gzipped_for_clients_that_take_it_and_recompressed_on_change() {
        use std::io::Read as _;
        let root = std::env::temp_dir().join(format!("xtask-gzip-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let js = "console.log('hello');\n".repeat(200);
        std::fs::write(root.join("app.js"), &js).unwrap();
        std::fs::write(root.join("icon.png"), [0x89u8, b'P', b'N', b'G']).unwrap();
        let mut cache = GzipCache::default();

        let plain = respond(
            &root,
            Wanted {
                url: "/app.js",
                gzip: None,
            },
            None,
        );
        assert_eq!(header_value(&plain, "Content-Encoding"), None);
        assert_eq!(header_value(&plain, "Vary"), Some("Accept-Encoding"));
        assert_eq!(body(plain), js.as_bytes());

        let wanted = Wanted {
            url: "/app.js",
            gzip: Some(&mut cache),
        };
        let zipped = respond(&root, wanted, None);
        assert_eq!(header_value(&zipped, "Content-Encoding"), Some("gzip"));
        assert_eq!(header_value(&zipped, "Vary"), Some("Accept-Encoding"));
        let compressed = body(zipped);
        assert!(
            compressed.len() < js.len() / 10,
            "{} bytes",
            compressed.len()
        );
        let mut back = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, js);

        // A changed file is compressed again, not served stale.
        std::fs::write(root.join("app.js"), "changed();").unwrap();
        let wanted = Wanted {
            url: "/app.js",
            gzip: Some(&mut cache),
        };
        let mut back = String::new();
        flate2::read::GzDecoder::new(&body(respond(&root, wanted, None))[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, "changed();");

        // Already-compressed images go as they are.
        let wanted = Wanted {
            url: "/icon.png",
            gzip: Some(&mut cache),
        };
        let png = respond(&root, wanted, None);
        assert_eq!(header_value(&png, "Content-Encoding"), None);
        assert_eq!(header_value(&png, "Vary"), None);
        std::fs::remove_dir_all(&root).unwrap();
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
