//! The app's security headers, one definition for every place it is served.
//!
//! `cargo xtask build` writes them into `dist/_headers` (the format Cloudflare Pages reads):
//! a `/*` block with the Content-Security-Policy, `X-Content-Type-Options`, `Referrer-Policy`
//! and friends, then long caching for Trunk's hashed files. The local static server and the
//! self-hosted front door (`deploy/workerd/front.js`) read the same `/*` block from the build
//! and add the edge API origin they were configured with to `connect-src`; so a policy change
//! is made once, here, and tested on all three.
//!
//! The policy allows only the app itself: its scripts (Trunk's one inline start-up script by
//! its SHA-256, nothing else inline), its wasm (`'wasm-unsafe-eval'`, which compiling
//! WebAssembly needs and which allows no JavaScript eval), its worker and service worker, and
//! connections to its own origin, the edge API and local model servers on loopback (the
//! templates' "direct to a local server" routes).

use std::path::Path;

use crate::token::{base64_std, sha256};
use crate::Result;

/// The file in dist/ that holds the headers.
pub const FILE: &str = "_headers";

/// Origins the app may always connect to besides its own: local model servers (LM Studio,
/// Ollama, llama.cpp, any port) on this machine.
const LOOPBACK: [&str; 2] = ["http://localhost:*", "http://127.0.0.1:*"];

/// The `'sha256-…'` source of every inline `<script>` in `html` (one without `src`).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let body = &rest[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = sha256(&body.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", base64_std(&digest)));
        }
        rest = &body[close..];
    }
    hashes
}

/// The Content-Security-Policy for the app whose shell is `index_html`, allowed to connect to
/// `connect` (origins such as `https://edge.example.workers.dev`) besides itself and loopback.
pub fn content_security_policy(index_html: &str, connect: &[String]) -> String {
    let mut scripts = vec!["'self'".to_string(), "'wasm-unsafe-eval'".into()];
    scripts.extend(inline_script_hashes(index_html));
    let mut connects = vec!["'self'".to_string()];
    connects.extend(LOOPBACK.iter().map(|s| s.to_string()));
    connects.extend(connect.iter().cloned());
    [
        "default-src 'self'".to_string(),
        format!("script-src {}", scripts.join(" ")),
        // Leptos sets `style` attributes (board sizes, bars); no stylesheet comes from elsewhere.
        "style-src 'self' 'unsafe-inline'".into(),
        "img-src 'self' data:".into(),
        format!("connect-src {}", connects.join(" ")),
        "worker-src 'self'".into(),
        "manifest-src 'self'".into(),
        "object-src 'none'".into(),
        "base-uri 'self'".into(),
        "form-action 'self'".into(),
        "frame-ancestors 'none'".into(),
    ]
    .join("; ")
}

/// Every header of the `/*` block, in order.
pub fn app_headers(index_html: &str, connect: &[String]) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            content_security_policy(index_html, connect),
        ),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("X-Frame-Options", "DENY".into()),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()".into(),
        ),
    ]
}

/// `dist/_headers`: the `/*` block, then long caching for the hashed files.
pub fn headers_file(index_html: &str, connect: &[String]) -> String {
    let mut out = String::from("/*\n");
    for (name, value) in app_headers(index_html, connect) {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    for pattern in ["/web-*", "/style-*"] {
        out.push_str(&format!(
            "{pattern}\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }
    out
}

/// The `/*` block of a `_headers` text.
pub fn parse_app_block(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if !line.starts_with([' ', '\t']) {
            in_block = line.trim() == "/*";
            continue;
        }
        if let (true, Some((name, value))) = (in_block, line.trim().split_once(':')) {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

/// `headers` with `origin` added to the policy's `connect-src`.
pub fn allow_connect(headers: &mut [(String, String)], origin: &str) {
    for (name, value) in headers.iter_mut() {
        if name.eq_ignore_ascii_case("content-security-policy") {
            *value = value
                .split("; ")
                .map(|directive| match directive.strip_prefix("connect-src ") {
                    Some(sources) if !sources.split(' ').any(|s| s == origin) => {
                        format!("connect-src {sources} {origin}")
                    }
                    _ => directive.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
    }
}

/// The origin (`scheme://host[:port]`) of `url`, if it has one.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && matches!(scheme, "http" | "https")).then(|| format!("{scheme}://{host}"))
}

/// Writes `dist/_headers` for the built app; `MD_EDGE_API_URL` (the deployment's edge API)
/// is allowed in `connect-src` when set.
pub fn write(dist: &Path) -> Result {
    let index = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("cannot read {}/index.html: {e}", dist.display()))?;
    let connect: Vec<String> = std::env::var("MD_EDGE_API_URL")
        .ok()
        .and_then(|url| origin_of(&url))
        .into_iter()
        .collect();
    let path = dist.join(FILE);
    std::fs::write(&path, headers_file(&index, &connect))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The `/*` headers of the build in `dist` (none when it has no `_headers`), with `edge_api`'s
/// origin allowed.
pub fn for_build(dist: &Path, edge_api: Option<&str>) -> Vec<(String, String)> {
    let mut headers = std::fs::read_to_string(dist.join(FILE))
        .map(|text| parse_app_block(&text))
        .unwrap_or_default();
    if let Some(origin) = edge_api.and_then(origin_of) {
        allow_connect(&mut headers, &origin);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = format!("'sha256-{}'", base64_std(&sha256(b"init()")));
        assert_eq!(hashes[0], expected);
        assert!(content_security_policy(html, &[]).contains(&expected));
    }

    #[test]
    fn the_policy_allows_the_app_and_nothing_foreign() {
        let csp = content_security_policy("", &["https://edge.example.dev".into()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
        let sources: Vec<&str> = csp.split([' ', ';']).collect();
        assert!(!sources.contains(&"'unsafe-eval'"));
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.contains(
            "connect-src 'self' http://localhost:* http://127.0.0.1:* https://edge.example.dev"
        ));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("object-src 'none'"));
    }

    #[test]
    fn the_headers_file_reads_back_and_takes_an_edge_origin() {
        let text = headers_file("", &[]);
        let mut headers = parse_app_block(&text);
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Content-Security-Policy",
                "X-Content-Type-Options",
                "Referrer-Policy",
                "X-Frame-Options",
                "Permissions-Policy"
            ]
        );
        assert!(
            !text.contains("/*\n  Cache-Control"),
            "hashed-file caching is its own block"
        );
        allow_connect(&mut headers, "http://127.0.0.1:8787");
        allow_connect(&mut headers, "http://127.0.0.1:8787");
        assert_eq!(
            headers[0].1.matches("http://127.0.0.1:8787").count(),
            1,
            "an origin is added once"
        );
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:8787/v1?x").as_deref(),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(
            origin_of("https://edge.example.dev").as_deref(),
            Some("https://edge.example.dev")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("/relative"), None);
    }
}
