// Test-only helpers for the edge API: a scripted OpenAI/Anthropic upstream whose behaviour is
// chosen by the upstream model name, and a second `wrangler dev` instance of the edge API with
// its own vars and secrets (written to a generated .dev.vars in a temporary directory that is
// removed afterwards). Ports are picked free at run time. Used by edge-*.test.mjs and by
// tests/bench/edge-overhead.mjs.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer as createNetServer } from "node:net";

export const ROOT = resolve(new URL("../..", import.meta.url).pathname);

export const sha256 = (s) => createHash("sha256").update(s).digest("hex");
export const newToken = () => `md_${randomBytes(24).toString("base64url")}`;

/** A free loopback port (bound and released). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

const completion = (model, content = "ROW: 1 COL: 2 VALUE: 3") => ({
  id: "chatcmpl-scripted", object: "chat.completion", created: 1, model,
  choices: [{ index: 0, message: { role: "assistant", content, reasoning_content: "thought" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
});
const chunk = (model, delta, finish = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const anthropicMessage = {
  id: "msg_scripted", type: "message", role: "assistant", model: "claude-scripted",
  content: [{ type: "thinking", thinking: "Row 1 lacks 3.", signature: "s" }, { type: "text", text: "ROW: 1 COL: 2 VALUE: 3" }],
  stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 21, output_tokens: 9 },
};
const anthropicEvents = [
  ["message_start", { type: "message_start", message: { id: "msg_scripted", type: "message", role: "assistant", content: [], model: "claude-scripted", usage: { input_tokens: 21, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["ping", { type: "ping" }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "ROW: 1 " } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "COL: 2 VALUE: 3" } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 9 } }],
  ["message_stop", { type: "message_stop" }],
];

/**
 * The scripted upstream. Scenarios by upstream model name:
 *   ok, flaky (503 twice per request id, then ok), busy (429 + Retry-After: 0 once, then ok),
 *   down (always 500), bad (400), garbage (200 with malformed JSON), hang (no headers until the
 *   connection closes), slow-stream (a chunk every 250 ms), endless (a chunk every 50 ms until
 *   the client goes away), echo (400 whose message repeats the key it was sent), tool (answers with a tool call). Streams end with
 *   a usage chunk when `stream_options.include_usage` is set. POST /v1/messages answers as
 *   Anthropic; its model `claude-endless` streams until the client goes away.
 *   Model `cycle` answers a different move each time (r1c1=1, r1c1=2, … r4c4=4, then again), so
 *   an app's play of a 4x4 puzzle goes on without banned repeats.
 * `requests` records method, path, headers and parsed body of each call; `events` records
 * stream closes ("closed:<model>").
 * Options: `cors` (answer a page's preflight and GET /v1/models, for a direct profile), `port` (listen there, e.g. to come back on the same address after `stop`), `control`
 * (an object the caller changes while it runs: `mode` "down" or "hang" makes every chat call
 * fail that way whatever its model, null again gives the scripted answers; `delayMs` waits
 * before each answer; `moves` counts the `cycle` moves answered).
 */
export async function startScriptedUpstream({ port = 0, cors = false, control = { mode: null, delayMs: 0, moves: 0 } } = {}) {
  const requests = [];
  const events = [];
  const seen = new Map();
  const server = createServer((req, res) => {
    // `cors`: a page may call it straight (a profile's direct route), as it would LM Studio.
    if (cors) {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Headers", "content-type, authorization");
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      if (req.method === "OPTIONS") return res.writeHead(204).end();
      if (req.method === "GET" && req.url === "/v1/models") {
        return res.writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ object: "list", data: [{ id: "cycle", object: "model" }] }));
      }
    }
    let raw = "";
    req.on("data", (d) => { raw += d; });
    req.on("end", () => {
      let body = null;
      try { body = JSON.parse(raw); } catch { /* recorded as null */ }
      requests.push({ method: req.method, path: req.url, headers: req.headers, body });
      if (req.url === "/v1/messages") return anthropic(req, res, body);
      if (req.url !== "/v1/chat/completions") { res.writeHead(404); return res.end(); }
      if (control.delayMs > 0) {
        const timer = setTimeout(() => answer(req, res, body), control.delayMs);
        req.socket.once("close", () => clearTimeout(timer));
        return;
      }
      answer(req, res, body);
    });
  });
  function answer(req, res, body) {
    {
      const model = control.mode ?? body?.model ?? "ok";
      const key = `${model}:${req.headers["x-request-id"]}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const json = (status, v, headers = {}) => { res.writeHead(status, { "content-type": "application/json", ...headers }); res.end(JSON.stringify(v)); };
      const ok = () => {
        let move = ["ROW: 1 ", "COL: 2 VALUE: 3"];
        if (model === "cycle") {
          const i = control.moves++ % 64, cell = Math.floor(i / 4);
          move = [`ROW: ${Math.floor(cell / 4) + 1} `, `COL: ${(cell % 4) + 1} VALUE: ${(i % 4) + 1}`];
        }
        if (!body?.stream) return json(200, completion(model, move.join("")));
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunk(model, { role: "assistant", content: "" }));
        res.write(chunk(model, { content: move[0], reasoning_content: "r" }));
        res.write(chunk(model, { content: move[1] }));
        res.write(chunk(model, {}, "stop"));
        if (body.stream_options?.include_usage) {
          res.write(`data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1, model, choices: [], usage: completion(model).usage })}\n\n`);
        }
        res.end("data: [DONE]\n\n");
      };
      switch (model) {
        case "flaky": return n <= 2 ? json(503, { error: { message: "warming up" } }) : ok();
        case "busy": return n <= 1 ? json(429, { error: { message: "slow down" } }, { "retry-after": "0" }) : ok();
        case "down": return json(500, { error: { message: "internal" } });
        case "bad": return json(400, { error: { message: "unsupported parameter" } });
        // A provider that echoes the key it was sent in its error message.
        case "tool": return json(200, { ...completion(model), choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "place", arguments: "{\"row\":1,\"col\":2,\"value\":3}" } }] }, finish_reason: "tool_calls" }] });
        case "echo": return json(400, { error: { message: `key ${String(req.headers.authorization).slice(7)} may not use this model` } });
        case "garbage": res.writeHead(200, { "content-type": "application/json" }); return res.end("{\"choices\": [ {\"mess");
        case "hang": req.socket.on("close", () => events.push("closed:hang")); return;
        case "slow-stream":
        case "endless": {
          res.writeHead(200, { "content-type": "text/event-stream" });
          const every = model === "endless" ? 50 : 250;
          let i = 0;
          const timer = setInterval(() => {
            i++;
            if (model === "slow-stream" && i > 4) { clearInterval(timer); res.write(chunk(model, {}, "stop")); return res.end("data: [DONE]\n\n"); }
            res.write(chunk(model, { content: `part${i} ` }));
          }, every);
          res.on("close", () => { clearInterval(timer); if (!res.writableEnded) events.push(`closed:${model}`); });
          return;
        }
        default: return ok();
      }
    }
  }
  function anthropic(req, res, body) {
    if (!body?.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(anthropicMessage));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = ([name, data]) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    if (body.model === "claude-endless") {
      anthropicEvents.slice(0, 2).forEach(send);
      const timer = setInterval(() => send(anthropicEvents[3]), 50);
      res.on("close", () => { clearInterval(timer); if (!res.writableEnded) events.push("closed:claude-endless"); });
      return;
    }
    anthropicEvents.forEach(send);
    res.end();
  }
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url, requests, events, control, port: server.address().port,
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/**
 * Start `wrangler dev` for the already built worker (worker-api/build) with a generated config:
 * `vars` become [vars], `secrets` go to a .dev.vars next to the config; `port` fixes the port
 * (otherwise a free one). Returns
 * { url, log, stop, readLog }.
 */
export async function startEdge({ vars, secrets = {}, name = "scripted", script = null, port: wanted = null }) {
  const dir = mkdtempSync(join(tmpdir(), `md-edge-${name}-`));
  // `script`: the source of a stand-in JS worker (no Durable Object), for the bench's floor.
  let main = join(ROOT, "worker-api/build/worker/shim.mjs");
  if (script !== null) {
    main = join(dir, "worker.mjs");
    writeFileSync(main, script);
  }
  const toml = [
    `name = "md-edge-${name}"`,
    `main = ${JSON.stringify(main)}`,
    `compatibility_date = "2025-09-01"`,
    `send_metrics = false`,
    ``,
    ...(script !== null ? [] : [
      `[[durable_objects.bindings]]`, `name = "LIMITER"`, `class_name = "Limiter"`, ``,
      `[[migrations]]`, `tag = "v1"`, `new_sqlite_classes = ["Limiter"]`, ``,
    ]),
    `[vars]`,
    ...Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(String(v))}`),
  ].join("\n");
  writeFileSync(join(dir, "wrangler.toml"), toml + "\n");
  // Single quotes: dotenv takes the value literally (JSON stays JSON).
  writeFileSync(join(dir, ".dev.vars"), Object.entries(secrets).map(([k, v]) => `${k}='${v}'`).join("\n") + "\n");
  // `port`: listen there (a restarted edge API comes back on the address the app knows).
  const port = wanted ?? await freePort();
  const inspector = await freePort();
  const log = join(dir, "wrangler.log");
  const fd = openSync(log, "a");
  const wrangler = join(ROOT, "node_modules/.bin/wrangler");
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true",
    // "log" (not "info"): the Worker's console.log request lines are at level "log".
    WRANGLER_LOG: "log",
  };
  const child = spawn(wrangler, [
    "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
    "--show-interactive-dev-session=false", "--persist-to", join(dir, "state"), "-c", join(dir, "wrangler.toml"),
  ], { cwd: dir, env, stdio: ["ignore", fd, fd], detached: true });
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const fail = (message) => {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      const text = readFileSync(log, "utf8");
      rmSync(dir, { recursive: true, force: true });
      return new Error(`${message}\n${text}`);
    };
    if (child.exitCode !== null) throw fail("wrangler exited early:");
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
      // Answering, but not healthy (a config error): fail now with the reason.
      throw fail(`edge API answered /health with ${r.status}: ${await r.text()}`);
    } catch (e) { if (e.message.startsWith("edge API answered")) throw e; /* not up yet */ }
    if (Date.now() > deadline) throw fail("edge API not ready in 120 s:");
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, log, dir,
    readLog: () => readFileSync(log, "utf8"),
    stop: async () => {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The same worker under raw `workerd serve` (the runtime without wrangler's dev proxy), with a
 * generated capnp config: vars and secrets as text bindings, the LIMITER Durable Object with
 * on-disk SQLite storage. `script` as for startEdge. Returns { url, pid, readLog, stop }.
 */
export async function startWorkerd({ vars, secrets = {}, name = "workerd", script = null }) {
  const dir = mkdtempSync(join(tmpdir(), `md-workerd-${name}-`));
  const build = join(ROOT, "worker-api/build");
  const modules = [];
  if (script !== null) {
    writeFileSync(join(dir, "worker.mjs"), script);
    modules.push(`(name = "worker.mjs", esModule = embed "worker.mjs")`);
  } else {
    for (const f of ["index.js", "index_bg.wasm"]) writeFileSync(join(dir, f), readFileSync(join(build, f)));
    modules.push(`(name = "index.js", esModule = embed "index.js")`, `(name = "index_bg.wasm", wasm = embed "index_bg.wasm")`);
  }
  const bindings = Object.entries({ ...vars, ...secrets }).map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(String(v))})`);
  if (script === null) bindings.push(`(name = "LIMITER", durableObjectNamespace = "Limiter")`);
  const port = await freePort();
  mkdirSync(join(dir, "state"));
  const capnp = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .edge),
    (name = "internet", network = (allow = ["public", "private", "local"])),
    (name = "state", disk = (path = ${JSON.stringify(join(dir, "state"))}, writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const edge :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = "2025-09-01",
  bindings = [${bindings.join(", ")}],
  ${script === null ? `durableObjectNamespaces = [(className = "Limiter", uniqueKey = "md-edge-limiter", enableSql = true)],
  durableObjectStorage = (localDisk = "state"),` : ""}
  globalOutbound = "internet",
);
`;
  writeFileSync(join(dir, "config.capnp"), capnp);
  const log = join(dir, "workerd.log");
  const fd = openSync(log, "a");
  const child = spawn(join(ROOT, "node_modules/.bin/workerd"), ["serve", "--experimental", join(dir, "config.capnp")],
    { cwd: dir, stdio: ["ignore", fd, fd], detached: true });
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited early:\n${readFileSync(log, "utf8")}`);
    try { if ((await fetch(`${url}/health`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } throw new Error(`workerd not ready:\n${readFileSync(log, "utf8")}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, dir, pid: child.pid,
    readLog: () => readFileSync(log, "utf8"),
    stop: async () => {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Read an SSE response body into its data payloads. */
export async function readSse(response) {
  const out = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const part of response.body) {
    buffer += decoder.decode(part, { stream: true });
    let i;
    while ((i = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      for (const line of event.split("\n")) if (line.startsWith("data:")) out.push(line.slice(5).trim());
    }
  }
  return out;
}
