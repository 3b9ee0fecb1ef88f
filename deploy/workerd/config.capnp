# Self-hosted Machine Dream: one workerd serves the app (dist/) and the edge API (worker-api) on
# one origin. The container image (Dockerfile) runs exactly this file; so does
# tests/e2e/selfhost.test.mjs, with the paths and the port overridden on the command line:
#
#   workerd serve --experimental deploy/workerd/config.capnp \
#     --socket-addr http=127.0.0.1:8080 \
#     --directory-path app=$PWD/dist \
#     --directory-path state=/var/lib/machine-dream
#
# (`--experimental`: the Durable Object storage on local disk is an experimental workerd
# feature.) The modules are embedded at start-up, relative to this file: run `cargo xtask build`
# first, or use the image, which has the same layout under /srv/machine-dream.
#
# No value in this file is a secret or a deployment setting: every var and secret of the edge
# API comes from the process environment (`fromEnvironment`; unset = the edge API's default, see
# wrangler.toml for each one). Required in production: ALLOW_ANONYMOUS unset or "false", and
# API_TOKENS (`cargo xtask token LABEL`). See DEPLOYMENT.md, "Self-hosting".

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "front", worker = .front),
    (name = "edge", worker = .edge),
    # The built app, read-only. Relative paths would be relative to workerd's working directory,
    # so the image's absolute path is the default; override with --directory-path app=DIR.
    (name = "app", disk = (path = "/srv/machine-dream/dist", writable = false)),
    # The LIMITER Durable Object's SQLite files (rate limits, budgets, usage). Keep it on a volume.
    (name = "state", disk = (path = "/var/lib/machine-dream", writable = true)),
    # The edge API's way out to the model upstream, which may be on this host (127.0.0.1), on a
    # private network (a compose service) or public (HTTPS, checked against the browsers' CAs).
    (name = "internet", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [
    # Plain HTTP: put TLS in a reverse proxy in front. X-Forwarded-Proto from that proxy makes the
    # request URL (and so app-config.json's edgeApiUrl) say https.
    (name = "http", address = "*:8080", http = (forwardedProtoHeader = "X-Forwarded-Proto"), service = "front"),
  ],
);

const front :Workerd.Worker = (
  modules = [(name = "front.js", esModule = embed "front.js")],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "EDGE", service = "edge"),
    (name = "APP", service = "app"),
    (name = "EDGE_API_URL", fromEnvironment = "EDGE_API_URL"),
    (name = "DEFAULT_MODEL", fromEnvironment = "DEFAULT_MODEL"),
    (name = "CLIENT_IP_HEADER", fromEnvironment = "CLIENT_IP_HEADER"),
  ],
);

const edge :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "../../worker-api/build/index.js"),
    (name = "index_bg.wasm", wasm = embed "../../worker-api/build/index_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    # Vars (wrangler.toml [vars] documents each one and its default).
    (name = "UPSTREAM_URL", fromEnvironment = "UPSTREAM_URL"),
    (name = "MODEL_ALIASES", fromEnvironment = "MODEL_ALIASES"),
    (name = "PROVIDERS", fromEnvironment = "PROVIDERS"),
    (name = "MODELS", fromEnvironment = "MODELS"),
    (name = "ALLOWED_ORIGINS", fromEnvironment = "ALLOWED_ORIGINS"),
    (name = "ALLOW_ANONYMOUS", fromEnvironment = "ALLOW_ANONYMOUS"),
    (name = "MAX_BODY_BYTES", fromEnvironment = "MAX_BODY_BYTES"),
    (name = "MAX_TOKENS_CAP", fromEnvironment = "MAX_TOKENS_CAP"),
    (name = "MAX_MESSAGES", fromEnvironment = "MAX_MESSAGES"),
    (name = "RATE_LIMIT_PER_TOKEN", fromEnvironment = "RATE_LIMIT_PER_TOKEN"),
    (name = "RATE_LIMIT_PER_IP", fromEnvironment = "RATE_LIMIT_PER_IP"),
    (name = "RATE_LIMIT_WINDOW_SECONDS", fromEnvironment = "RATE_LIMIT_WINDOW_SECONDS"),
    (name = "UPSTREAM_TIMEOUT_MS", fromEnvironment = "UPSTREAM_TIMEOUT_MS"),
    (name = "UPSTREAM_RETRIES", fromEnvironment = "UPSTREAM_RETRIES"),
    (name = "RETRY_BASE_MS", fromEnvironment = "RETRY_BASE_MS"),
    (name = "BREAKER_THRESHOLD", fromEnvironment = "BREAKER_THRESHOLD"),
    (name = "BREAKER_OPEN_SECONDS", fromEnvironment = "BREAKER_OPEN_SECONDS"),
    # Secrets. Provider keys named by a PROVIDERS entry's "key_secret" need a line of their own;
    # the three usual names are here.
    (name = "API_TOKENS", fromEnvironment = "API_TOKENS"),
    (name = "ADMIN_TOKEN_SHA256", fromEnvironment = "ADMIN_TOKEN_SHA256"),
    (name = "UPSTREAM_API_KEY", fromEnvironment = "UPSTREAM_API_KEY"),
    (name = "OPENAI_API_KEY", fromEnvironment = "OPENAI_API_KEY"),
    (name = "ANTHROPIC_API_KEY", fromEnvironment = "ANTHROPIC_API_KEY"),
    (name = "OPENROUTER_API_KEY", fromEnvironment = "OPENROUTER_API_KEY"),
    (name = "LIMITER", durableObjectNamespace = "Limiter"),
  ],
  durableObjectNamespaces = [
    # Keep uniqueKey as it is: the stored objects' ids derive from it.
    (className = "Limiter", uniqueKey = "machine-dream-edge-limiter", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "state"),
  globalOutbound = "internet",
);
