//! `cargo xtask serve`: the app, the edge API in workerd and a model, on loopback.

use std::path::Path;
use std::sync::mpsc;

use crate::env::{cache_dir, dist_dir, root};
use crate::model_server::MODEL_ALIAS;
use crate::proc::{self, cmd, free_port, port_is_free, Service};
use crate::setup::{self, Needs, Tools};
use crate::static_server::{AppConfig, DefaultModel, StaticServer};
use crate::{build, Result};

struct Options {
    port: Option<u16>,
    llm_url: Option<String>,
    llm_model: Option<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        port: None,
        llm_url: std::env::var("MD_LLM_URL").ok().filter(|s| !s.is_empty()),
        llm_model: std::env::var("MD_LLM_MODEL").ok().filter(|s| !s.is_empty()),
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().cloned().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => options.port = Some(value()?.parse().map_err(|_| "--port needs a number")?),
            "--llm-url" => options.llm_url = Some(value()?),
            "--llm-model" => options.llm_model = Some(value()?),
            "--lm-studio" => options.llm_url = Some("http://127.0.0.1:1234".into()),
            "--ollama" => options.llm_url = Some("http://127.0.0.1:11434".into()),
            other => {
                return Err(format!(
                    "unknown serve option `{other}` (see `cargo xtask help`)"
                ))
            }
        }
    }
    Ok(options)
}

/// The edge API (worker-api) under `wrangler dev`, which runs it in workerd on loopback.
pub struct EdgeApi {
    pub url: String,
    _service: Service,
}

pub fn start_edge_api(
    tools: &Tools,
    upstream_url: &str,
    upstream_model: &str,
    allowed_origin: &str,
    log: &Path,
) -> Result<EdgeApi> {
    let port = free_port()?;
    let inspector = free_port()?;
    let mut command = cmd(root().join("node_modules/.bin/wrangler"), &tools.env());
    command
        .current_dir(root())
        .args(["dev", "--local", "--ip", "127.0.0.1"])
        .args([
            "--port",
            &port.to_string(),
            "--inspector-port",
            &inspector.to_string(),
        ])
        .args(["--show-interactive-dev-session=false"])
        // The Worker's one-line JSON request logs are console.log, wrangler's level "log"
        // (more verbose than "info"): keep them in the log file.
        .env("WRANGLER_LOG", "log")
        .args(["--var", &format!("UPSTREAM_URL:{upstream_url}")])
        .args([
            "--var",
            &format!("MODEL_ALIASES:{upstream_model}={upstream_model}"),
        ])
        .args(["--var", &format!("ALLOWED_ORIGINS:{allowed_origin}")])
        // Loopback only: the committed wrangler.toml requires tokens, as a deploy must.
        .args(["--var", "ALLOW_ANONYMOUS:true"]);
    let mut service = Service::spawn("edge API (wrangler dev / workerd)", &mut command, log)?;
    let host_port = format!("127.0.0.1:{port}");
    // wrangler runs worker-build first: allow for a cold compile.
    proc::wait_ready(
        &mut service,
        log,
        &host_port,
        "/health",
        std::time::Duration::from_secs(900),
    )?;
    Ok(EdgeApi {
        url: format!("http://{host_port}"),
        _service: service,
    })
}

/// The model upstream: the user's server, or our own llama-server with SmolLM2.
pub fn start_upstream(
    tools: &Tools,
    llm_url: Option<&str>,
    log: &Path,
) -> Result<(String, Option<Service>)> {
    if let Some(url) = llm_url {
        return Ok((url.trim_end_matches('/').to_string(), None));
    }
    let server = tools
        .model_server
        .as_ref()
        .ok_or("setup did not prepare the model server")?;
    let port = free_port()?;
    let service = server.start(port, log)?;
    Ok((format!("http://127.0.0.1:{port}"), Some(service)))
}

pub fn run(args: &[String]) -> Result {
    let options = parse(args)?;
    let tools = setup::run(Needs {
        browser: false,
        model: options.llm_url.is_none(),
    })?;
    build::web(&tools)?;

    let logs = cache_dir().join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let (upstream, _model_service) = start_upstream(
        &tools,
        options.llm_url.as_deref(),
        &logs.join("model-server.log"),
    )?;
    let model = options.llm_model.unwrap_or_else(|| MODEL_ALIAS.to_string());

    let app_port = match options.port {
        Some(port) => port,
        None if port_is_free(8080) => 8080,
        None => free_port()?,
    };
    let app_origin = format!("http://127.0.0.1:{app_port}");
    let edge = start_edge_api(
        &tools,
        &upstream,
        &model,
        &app_origin,
        &logs.join("edge-api.log"),
    )?;
    // The app offers a ready profile for the model behind the edge API: the built-in one with
    // the format and budget it needs, a server of the person's own with its defaults.
    let default_model = if options.llm_url.is_none() {
        DefaultModel::built_in(&model)
    } else {
        DefaultModel {
            model: model.clone(),
            json_output: false,
            max_tokens: None,
        }
    };
    let config = AppConfig {
        edge_api: edge.url.clone(),
        default_model: Some(default_model),
    };
    let app = StaticServer::start(dist_dir(), app_port, Some(config))?;

    println!();
    println!("  Machine Dream is running:  {}", app.url);
    println!(
        "  edge API:                  {}  (logs: {})",
        edge.url,
        logs.join("edge-api.log").display()
    );
    println!("  model upstream:            {upstream}  (model `{model}`)");
    println!("  press Ctrl-C to stop everything");
    println!();

    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    let _ = stop_rx.recv();
    println!("stopping…");
    Ok(())
}
