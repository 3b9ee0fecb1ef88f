//! wasm-bindgen-test in headless Chromium: the browser LLM client against a real model server.
//!
//! `MD_LLM_TEST_URL` (set at compile time, e.g. by `cargo xtask test`, which starts
//! llama-server with SmolLM2; llama-server answers CORS for any origin) is the server's root
//! URL. Without it the tests that need a model say so and pass without checking; the tests
//! of failures (unreachable server, breaker) always run.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use learning_lab::llm::policy::LengthMode;
use learning_lab::llm::{ChatRequest, Delta, Endpoint, LengthPolicy, LlmError, RetryPolicy};
use learning_lab::play::parse::parse_response;
use learning_lab::play::prompt::{render_board, system_prompt};
use learning_lab::profile::{Profile, ProviderTemplate, Route};
use solver_core::format::parse_line;
use wasm_bindgen_test::*;
use web::llm::{CancelHandle, LlmClient};

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = "smollm2-135m-instruct";

fn server() -> Option<String> {
    let url = option_env!("MD_LLM_TEST_URL").map(|u| u.trim_end_matches('/').to_string());
    if url.is_none() {
        web_sys::console::log_1(
            &"MD_LLM_TEST_URL not set at compile time: model tests skipped".into(),
        );
    }
    url
}

fn profile(base: &str) -> Profile {
    let mut profile = Profile::from_template(ProviderTemplate::LlamaCpp, "test", 0.0);
    profile.route = Route::Direct {
        base_url: format!("{base}/v1"),
    };
    profile.model = MODEL.into();
    profile.sampling.temperature = 0.0;
    profile
}

fn no_retries() -> RetryPolicy {
    RetryPolicy {
        retries: 0,
        base_delay_ms: 10,
        max_delay_ms: 10,
    }
}

fn record() -> (Rc<RefCell<Vec<Delta>>>, impl FnMut(Delta)) {
    let deltas = Rc::new(RefCell::new(Vec::new()));
    let sink = deltas.clone();
    (deltas, move |d| sink.borrow_mut().push(d))
}

#[wasm_bindgen_test]
async fn list_models_names_the_served_model() {
    let Some(base) = server() else { return };
    let client = LlmClient::for_profile(&profile(&base), None).unwrap();
    let (models, latency) = client.list_models().await.unwrap();
    assert!(models.contains(&MODEL.to_string()), "{models:?}");
    assert!(latency < 30_000);
}

#[wasm_bindgen_test]
async fn a_streamed_answer_arrives_whole_with_usage_and_timings() {
    let Some(base) = server() else { return };
    let profile = profile(&base);
    let client = LlmClient::for_profile(&profile, None).unwrap();
    let request = ChatRequest::for_move(&profile, "You play Sudoku.", "Say hello.", 4);
    let (deltas, on_delta) = record();
    let outcome = client
        .chat(request, on_delta, &CancelHandle::new())
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let streamed: String = deltas
        .borrow()
        .iter()
        .map(|d| match d {
            Delta::Content(t) => t.clone(),
            _ => String::new(),
        })
        .collect();
    assert!(!outcome.answer.content.is_empty());
    assert_eq!(streamed, outcome.answer.content);
    assert!(deltas.borrow().len() > 1, "streamed in pieces");
    assert!(outcome.answer.usage.completion_tokens.unwrap() > 0);
    let timings = outcome.timings;
    assert!(timings.first_token_ms.unwrap() <= timings.total_ms.unwrap());
    assert_eq!(outcome.attempts, 1);
}

#[wasm_bindgen_test]
async fn a_cut_off_answer_never_loses_the_run_in_the_browser() {
    // A cut-off answer is asked again with twice the budget (the Restart delta tells the live
    // view), and past the cap the exchange ends in a recorded LengthExhausted error.
    let Some(base) = server() else { return };
    let mut profile = profile(&base);
    profile.sampling.max_tokens = 16;
    let client = LlmClient::for_profile(&profile, None)
        .unwrap()
        .with_length_policy(LengthPolicy {
            mode: LengthMode::Grow,
            factor: 2,
            cap: 32,
            max_continuations: 0,
        });
    let request = ChatRequest::for_move(
        &profile,
        "",
        "Write a long essay about the history of Sudoku, at least ten paragraphs.",
        9,
    );
    let (deltas, on_delta) = record();
    let error = client
        .chat(request, on_delta, &CancelHandle::new())
        .await
        .unwrap_err();
    match error {
        LlmError::LengthExhausted {
            max_tokens,
            partial,
        } => {
            assert_eq!(max_tokens, 32);
            assert!(!partial.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let restarts = deltas
        .borrow()
        .iter()
        .filter(|d| matches!(d, Delta::Restart { .. }))
        .count();
    assert_eq!(restarts, 1);
}

#[wasm_bindgen_test]
async fn assisted_decoding_yields_a_legal_move_from_the_real_model() {
    let Some(base) = server() else { return };
    let mut profile = profile(&base);
    profile.json_output = true;
    profile.sampling.max_tokens = 96;
    let board = parse_line("12.43.1221.343.1").unwrap();
    let client = LlmClient::for_profile(&profile, None).unwrap();
    let request = ChatRequest::for_move(
        &profile,
        &system_prompt(board.shape()),
        &render_board(&board),
        4,
    )
    .with_assisted_decoding(&board, &BTreeSet::new());
    assert!(request.assisted_decoding());
    let outcome = client
        .chat(request, |_| {}, &CancelHandle::new())
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(outcome.assisted_decoding(), "recorded with the experience");
    let parsed = parse_response(&outcome.answer.text_for_parsing(), 4);
    let mv = parsed
        .proposal
        .unwrap_or_else(|e| panic!("{e:?}: {}", outcome.answer.content));
    assert!(board.get(mv.row, mv.col).is_none());
    assert!(board.candidates(mv.row, mv.col).contains(mv.value));
}

#[wasm_bindgen_test]
async fn cancel_mid_stream_stops_the_exchange() {
    let Some(base) = server() else { return };
    let mut profile = profile(&base);
    profile.sampling.max_tokens = 400;
    let client = LlmClient::for_profile(&profile, None).unwrap();
    let cancel = CancelHandle::new();
    let trigger = cancel.clone();
    let seen = Rc::new(RefCell::new(0));
    let count = seen.clone();
    let request = ChatRequest::for_move(&profile, "", "Write a long story.", 9);
    let result = client
        .chat(
            request,
            move |_| {
                *count.borrow_mut() += 1;
                trigger.cancel();
            },
            &cancel,
        )
        .await;
    assert_eq!(result.unwrap_err(), LlmError::Cancelled);
    assert!(*seen.borrow() >= 1);
}

#[wasm_bindgen_test]
async fn a_request_slower_than_the_timeout_is_a_timeout() {
    let Some(base) = server() else { return };
    let mut profile = profile(&base);
    profile.sampling.max_tokens = 400;
    let client = LlmClient::for_profile(&profile, None)
        .unwrap()
        .with_timeout_ms(1)
        .with_retry_policy(no_retries());
    let request = ChatRequest::for_move(&profile, "", "Write a long story.", 9);
    let error = client
        .chat(request, |_| {}, &CancelHandle::new())
        .await
        .unwrap_err();
    assert_eq!(error, LlmError::Timeout { after_ms: 1 });
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_a_network_error_then_the_breaker_opens() {
    // Port 9 (discard) is closed on the test machines, and Chromium refuses it anyway.
    let endpoint = Endpoint::new("http://127.0.0.1:9/v1", None);
    let client = LlmClient::new(endpoint).with_retry_policy(no_retries());
    let profile = profile("http://127.0.0.1:9");
    for _ in 0..5 {
        let request = ChatRequest::for_move(&profile, "", "hi", 4);
        let error = client
            .chat(request, |_| {}, &CancelHandle::new())
            .await
            .unwrap_err();
        assert!(matches!(error, LlmError::Network { .. }), "{error:?}");
        assert!(error.message().contains("could not reach"));
    }
    let request = ChatRequest::for_move(&profile, "", "hi", 4);
    let error = client
        .chat(request, |_| {}, &CancelHandle::new())
        .await
        .unwrap_err();
    assert!(matches!(error, LlmError::BreakerOpen { .. }), "{error:?}");
    let error = client.list_models().await.unwrap_err();
    assert!(matches!(error, LlmError::Network { .. }), "{error:?}");
}
