//! Where the app lives: one build serves at any path (`https://host/` or
//! `https://host/machine-dream/`). The base is taken at startup from the resolved URL of the
//! app's own JS module (the `modulepreload` link Trunk writes into index.html; assets are
//! relative, `public_url = "./"`), so it is right even on a deep link such as
//! `/machine-dream/sessions`. The router, every link, `app-config.json` and the service worker
//! use it.

use std::cell::OnceCell;

/// The base path (no trailing slash; `""` at the site root) of the directory holding the app's
/// module, from that module's URL: `https://h/machine-dream/web-1a2b.js?v#x` → `/machine-dream`.
pub fn base_of(module_url: &str) -> String {
    let path = match module_url.split_once("://") {
        // Skip the authority: the path starts at the first '/' after it.
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => module_url,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    match path.rfind('/') {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

/// `path` (a file or a route) as an absolute path under `base`: home is `base/`, with the
/// slash (`/machine-dream` would lie outside the service worker's scope, and relative asset
/// URLs would not resolve against it).
pub fn join(base: &str, path: &str) -> String {
    format!("{base}/{}", path.trim_start_matches('/'))
}

thread_local! {
    static BASE: OnceCell<String> = const { OnceCell::new() };
}

/// The app's base path, read from the DOM once (later navigation changes the document URL, not
/// where the app was loaded from). `""` when there is no module link (e.g. in wasm tests).
pub fn base() -> String {
    BASE.with(|cell| cell.get_or_init(read_base).clone())
}

fn read_base() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let Some(document) = window.document() else {
        return String::new();
    };
    let href = document
        .query_selector("link[rel=modulepreload][href$='.js']")
        .ok()
        .flatten()
        .and_then(|link| link.get_attribute("href"));
    let (Some(href), Ok(page)) = (href, window.location().href()) else {
        return String::new();
    };
    match web_sys::Url::new_with_base(&href, &page) {
        Ok(url) => base_of(&url.href()),
        Err(_) => String::new(),
    }
}

/// A path under the app's base: a file next to the app (`app-config.json`, `sw.js`) or a route
/// (`/sessions`, `/` for home). `<A href>` takes absolute paths as they are (leptos_router adds
/// the router's base only to relative ones), so every link says `url("/route")`.
pub fn url(path: &str) -> String {
    join(&base(), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_the_directory_of_the_module() {
        assert_eq!(
            base_of("https://lab.example.org/machine-dream/web-1a2b.js"),
            "/machine-dream"
        );
        assert_eq!(base_of("http://127.0.0.1:8080/web-1a2b.js"), "");
        assert_eq!(base_of("https://h/a/b/web.js?v=1#x"), "/a/b");
        assert_eq!(base_of("https://h/a/web.js#x/y"), "/a");
        assert_eq!(base_of("https://h"), "");
        assert_eq!(base_of("/sub/web.js"), "/sub");
        assert_eq!(base_of("web.js"), "");
    }

    #[test]
    fn files_and_routes_under_the_base() {
        assert_eq!(
            join("/machine-dream", "app-config.json"),
            "/machine-dream/app-config.json"
        );
        assert_eq!(join("", "sw.js"), "/sw.js");
        assert_eq!(join("/machine-dream", "/"), "/machine-dream/");
        assert_eq!(join("", "/"), "/");
        assert_eq!(
            join("/machine-dream", "/sessions?id=s1"),
            "/machine-dream/sessions?id=s1"
        );
        assert_eq!(join("", "/llm"), "/llm");
    }
}
