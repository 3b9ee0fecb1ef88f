//! Cancelling a move's exchange from the UI: aborts the request in flight (AbortController)
//! and wakes a backoff wait, so "Stop" takes effect at once.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::AbortController;

#[derive(Default)]
struct State {
    cancelled: bool,
    controller: Option<AbortController>,
    wake: Option<js_sys::Function>,
}

/// A cancel button's handle; clones share the state.
#[derive(Clone, Default)]
pub struct CancelHandle(Rc<RefCell<State>>);

impl CancelHandle {
    /// A handle not yet cancelled.
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Cancels: the request in flight is aborted, a wait ends, nothing new is sent.
    pub fn cancel(&self) {
        // Take what to call out of the borrow first: abort() runs event handlers
        // synchronously, and those must be free to look at this handle.
        let (controller, wake) = {
            let mut state = self.0.borrow_mut();
            state.cancelled = true;
            (state.controller.take(), state.wake.take())
        };
        if let Some(controller) = controller {
            controller.abort();
        }
        if let Some(wake) = wake {
            let _ = wake.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }

    /// Whether [`CancelHandle::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.borrow().cancelled
    }

    pub(crate) fn set_controller(&self, controller: Option<AbortController>) {
        self.0.borrow_mut().controller = controller;
    }

    pub(crate) fn set_wake(&self, wake: Option<js_sys::Function>) {
        self.0.borrow_mut().wake = wake;
    }
}
