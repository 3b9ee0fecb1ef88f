//! Files in and out of the browser: a text download (an object URL on a Blob) and reading the
//! file a person picked in an `<input type=file>`.

use wasm_bindgen::JsCast;

/// Offer `parts` (concatenated) as a download named `name`. Parts let big exports be built
/// piece by piece without one giant string.
///
/// # Errors
/// When the browser refuses to build the file.
pub fn download_parts(name: &str, parts: &js_sys::Array) -> Result<(), String> {
    let fail = |what: &str| format!("could not offer the download ({what})");
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/x-ndjson");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(parts, &options)
        .map_err(|_| fail("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("url"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("anchor"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has started the download; the URL can go once the event loop moves on.
    let revoke = url.clone();
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(1_000).await;
        let _ = web_sys::Url::revoke_object_url(&revoke);
    });
    Ok(())
}

/// Offer `text` as a download named `name`.
///
/// # Errors
/// When the browser refuses to build the file.
pub fn download_text(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    download_parts(name, &parts)
}

/// The file picked in the `<input type="file">` that fired `event`, if any; the input is
/// cleared so picking the same file again fires again.
pub fn picked_file(event: &web_sys::Event) -> Option<web_sys::File> {
    let input = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// The text of the file picked in the `<input type=file>` that fired `event`; `None` when no
/// file was picked. The input is reset so picking the same file again fires again.
///
/// # Errors
/// When the file cannot be read (gone, not text).
pub async fn read_file_text(event: &web_sys::Event) -> Result<Option<String>, String> {
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Ok(None);
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| format!("could not read {}: {e:?}", file.name()))?;
    input.set_value("");
    Ok(text.as_string())
}
