// The engine worker's script (web/src/engine): loads the wasm-bindgen glue and the engine's
// wasm, both built by Trunk from web/src/bin/engine_worker.rs (data-type="worker", so their
// names carry no hash). A failed start must reach the page: a missing script throws here, and
// a rejected promise (the wasm did not load or start) is thrown again as an uncaught error,
// which the page sees as the Worker's `error` event instead of nothing at all.
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  const reason = event.reason;
  throw reason instanceof Error ? reason : new Error(`engine worker: ${reason}`);
});
importScripts("./engine_worker.js");
wasm_bindgen({ module_or_path: "./engine_worker_bg.wasm" });
