//! The engine worker's entry point: Trunk builds this binary separately (`data-type="worker"`
//! in web/index.html) and `assets/engine_loader.js` starts it inside a Web Worker.

use gloo_worker::Registrable;
use web::engine::worker::EngineWorker;

fn main() {
    console_error_panic_hook::set_once();
    EngineWorker::registrar().register();
}
