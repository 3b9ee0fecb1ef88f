//! Registers the service worker that makes the app work offline after one visit.

/// Register `sw.js` (next to index.html, so its scope is the app's base path). Failure only costs offline support, so it is logged,
/// not shown as an error.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let promise = container.register(&crate::base_path::url("sw.js"));
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_1(&format!("service worker not registered: {e:?}").into());
        }
    });
}
