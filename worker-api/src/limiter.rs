//! The `Limiter` Durable Object (wasm32 only): one instance per limiter key (`ip:…`,
//! `token:…`), so all requests for a key are counted in one place, in production and in local
//! `wrangler dev` alike. It stores a [`LimiterState`] and applies [`crate::limits::apply`];
//! nothing is decided here.
//!
//! The state is kept in memory and written to storage lazily: the first change schedules an
//! alarm [`PERSIST_DELAY_MS`] later (unconfirmed, so the reply is not held for it) and the alarm
//! writes the latest state. An awaited write per request cost ~1.5 ms per limiter call, because
//! the runtime holds the reply until the write is durable. The price: a crash of the object can
//! lose up to that much of counting, which only makes limits briefly more lenient.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsValue;
use worker::{
    durable_object, Date, DurableObject, Env, Method, Request, RequestInit, Response,
    SetAlarmOptions, State,
};

use crate::errors::{ApiError, ErrorCode};
use crate::limits::{apply, LimitOp, LimitReply, LimiterState};

/// The binding name in wrangler.toml (`[[durable_objects.bindings]]`).
pub const BINDING: &str = "LIMITER";
const STORAGE_KEY: &str = "state";
/// How long a change may wait in memory before the alarm writes it to storage.
pub const PERSIST_DELAY_MS: i64 = 1000;

#[durable_object(alarm)]
pub struct Limiter {
    state: State,
    cached: RefCell<Option<LimiterState>>,
    /// An alarm is scheduled that will write `cached`.
    persist_pending: Cell<bool>,
}

impl DurableObject for Limiter {
    fn new(state: State, _env: Env) -> Self {
        Limiter {
            state,
            cached: RefCell::new(None),
            persist_pending: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let op: LimitOp = req.json().await?;
        let loaded = self.cached.borrow().clone();
        let mut st = match loaded {
            Some(s) => s,
            None => self
                .state
                .storage()
                .get::<LimiterState>(STORAGE_KEY)
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        };
        let reply = apply(&mut st, &op, Date::now().as_millis());
        let changed = !matches!(op, LimitOp::Read);
        *self.cached.borrow_mut() = Some(st.clone());
        if changed && !self.persist_pending.get() {
            // Usage counters survive eviction and restarts, written by the alarm.
            self.persist_pending.set(true);
            let options = SetAlarmOptions {
                allow_unconfirmed: Some(true),
                ..SetAlarmOptions::default()
            };
            if let Err(e) = self
                .state
                .storage()
                .set_alarm_with_options(PERSIST_DELAY_MS, options)
                .await
            {
                self.persist_pending.set(false);
                return Err(e);
            }
        }
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.persist_pending.set(false);
        let latest = self.cached.borrow().clone();
        if let Some(st) = latest {
            self.state.storage().put(STORAGE_KEY, &st).await?;
        }
        Response::ok("")
    }
}

fn limiter_error(e: worker::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("The edge API could not reach its rate limiter ({e}). Retry; the operator must check the LIMITER Durable Object binding."),
    )
}

/// Send one command to the limiter of `key`.
pub async fn call(env: &worker::Env, key: &str, op: &LimitOp) -> Result<LimitReply, ApiError> {
    let ns = env.durable_object(BINDING).map_err(limiter_error)?;
    let object = ns
        .id_from_name(key)
        .and_then(|id| id.get_stub())
        .map_err(limiter_error)?;
    let body = serde_json::to_string(op).unwrap_or_default();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    let req =
        Request::new_with_init("https://limiter.internal/op", &init).map_err(limiter_error)?;
    let mut resp = object
        .fetch_with_request(req)
        .await
        .map_err(limiter_error)?;
    resp.json::<LimitReply>().await.map_err(limiter_error)
}
