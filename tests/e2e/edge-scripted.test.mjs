// The edge API in workerd against a scripted upstream: auth, limits, retries, timeouts, circuit
// breaker, fallback, the Anthropic adapter, streaming, client disconnect, clean 4xx, no key
// leaks, a 1,000-request burst, and the official `openai` Python client. A second `wrangler dev`
// instance is started here with its own vars and a generated .dev.vars (see edge-harness.mjs).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { freePort, newToken, readSse, ROOT, sha256, startEdge, startScriptedUpstream } from "./edge-harness.mjs";

const UPSTREAM_KEY = `sk-fake-upstream-${newToken()}`;
const ANTHROPIC_KEY = `sk-ant-fake-${newToken()}`;
const MAIN = newToken(), BURST = newToken(), LIMITED = newToken(), STREAMER = newToken(), ADMIN = newToken();
const TOKEN_CAP = 40, IP_CAP = 1300, MAX_TOKENS_CAP = 64;
let up, edge;
const seen = []; // every response (status, headers, body) for the leak check

before(async () => {
  up = await startScriptedUpstream();
  const dead = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  const models = ["ok", "flaky", "busy", "bad", "garbage", "slow-stream", "endless", "echo", "tool"].map((m) => ({ public: m, provider: "s" }));
  models.push(
    { public: "down", provider: "s2" },
    { public: "hang", provider: "s3" },
    { public: "claude", provider: "a", upstream: "claude-scripted" },
    { public: "claude-endless", provider: "a", upstream: "claude-endless" },
    { public: "fb", provider: "dead", upstream: "ok", fallback: { provider: "s", upstream: "ok" } },
  );
  edge = await startEdge({
    vars: {
      PROVIDERS: JSON.stringify([
        { name: "s", url: up.url, key_secret: "UPSTREAM_API_KEY" },
        // Own providers for the failure cases, so their open circuits do not pause "s".
        { name: "s2", url: up.url, key_secret: "UPSTREAM_API_KEY" },
        { name: "s3", url: up.url, key_secret: "UPSTREAM_API_KEY", timeout_ms: 500 },
        { name: "a", kind: "anthropic", url: up.url, key_secret: "ANTHROPIC_API_KEY" },
        { name: "dead", url: dead },
      ]),
      MODELS: JSON.stringify(models),
      ALLOW_ANONYMOUS: "false",
      ALLOWED_ORIGINS: "http://app.example",
      MAX_BODY_BYTES: "4096",
      MAX_TOKENS_CAP: String(MAX_TOKENS_CAP),
      MAX_MESSAGES: "8",
      RATE_LIMIT_PER_TOKEN: String(TOKEN_CAP),
      RATE_LIMIT_PER_IP: String(IP_CAP),
      RATE_LIMIT_WINDOW_SECONDS: "3600",
      RETRY_BASE_MS: "10",
      BREAKER_THRESHOLD: "3",
    },
    secrets: {
      UPSTREAM_API_KEY: UPSTREAM_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      API_TOKENS: JSON.stringify([
        { label: "main", sha256: sha256(MAIN) },
        { label: "burst", sha256: sha256(BURST) },
        { label: "limited", sha256: sha256(LIMITED), models: ["ok"], daily_token_budget: 90 },
        { label: "streamer", sha256: sha256(STREAMER), models: ["ok", "claude"], daily_token_budget: 100 },
      ]),
      ADMIN_TOKEN_SHA256: sha256(ADMIN),
    },
  });
});

after(async () => {
  await edge?.stop();
  await up?.stop();
});

async function call(path, { token = MAIN, body, headers = {}, method } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && !("content-type" in h)) h["content-type"] = "application/json";
  const r = await fetch(`${edge.url}${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  seen.push(`${r.status} ${JSON.stringify([...r.headers])} ${text}`);
  let json = null;
  try { json = JSON.parse(text); } catch { /* SSE or empty */ }
  return { status: r.status, headers: r.headers, text, json };
}
const chat = (model, extra = {}, opts = {}) =>
  call("/v1/chat/completions", { ...opts, body: { model, messages: [{ role: "user", content: "hi" }], ...extra } });
const upstreamCalls = (pred) => up.requests.filter(pred).length;
const rid = () => `t-${Math.random().toString(36).slice(2)}`;

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(typeof res.json.error.message, "string");
  assert.equal(typeof res.json.error.type, "string");
}

test("auth: missing, malformed and unknown tokens get 401 JSON; a valid token works", async () => {
  assertError(await chat("ok", {}, { token: null }), 401, "unauthorized");
  assertError(await chat("ok", {}, { token: null, headers: { authorization: "Basic abc" } }), 401, "unauthorized");
  assertError(await chat("ok", {}, { token: "md_not-a-real-token" }), 401, "unauthorized");
  assertError(await call("/v1/models", { token: null }), 401, "unauthorized");
  const ok = await chat("ok");
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.choices[0].message.content, "ROW: 1 COL: 2 VALUE: 3");
  assert.equal(ok.json.choices[0].message.reasoning_content, "thought");
  // The upstream got the provider key from the secret, never the client's token.
  const last = up.requests.at(-1);
  assert.equal(last.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.ok(!JSON.stringify(last).includes(MAIN));
});

test("per-token model allowlist, /v1/models filtered, daily token budget", async () => {
  const models = await call("/v1/models", { token: LIMITED });
  assert.deepEqual(models.json.data.map((m) => m.id), ["ok"]);
  assertError(await chat("flaky", {}, { token: LIMITED }), 400, "model_not_allowed");
  // Budget 90 tokens a day; each request reserves max_tokens and settles to the real 18.
  assert.equal((await chat("ok", { max_tokens: 60 }, { token: LIMITED })).status, 200);
  await new Promise((r) => setTimeout(r, 200)); // the settle runs after the response
  assert.equal((await chat("ok", { max_tokens: 60 }, { token: LIMITED })).status, 200);
  await new Promise((r) => setTimeout(r, 200));
  const over = await chat("ok", { max_tokens: 64 }, { token: LIMITED });
  assertError(over, 429, "daily_budget_exhausted");
  assert.ok(Number(over.headers.get("retry-after")) > 0);
});

test("clean 4xx: oversized body, huge max_tokens is capped, unknown model, bad JSON, wrong type, too many messages", async () => {
  assertError(await chat("ok", { pad: "x".repeat(5000) }), 413, "body_too_large");
  const before = up.requests.length;
  assert.equal((await chat("ok", { max_tokens: 10_000_000 })).status, 200);
  assert.equal(up.requests[before].body.max_tokens, MAX_TOKENS_CAP);
  assertError(await chat("gpt-4o"), 400, "model_not_allowed");
  assertError(await call("/v1/chat/completions", { body: "{not json" }), 400, "invalid_json");
  assertError(await call("/v1/chat/completions", { body: "{}", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
  const many = Array.from({ length: 9 }, () => ({ role: "user", content: "x" }));
  assertError(await call("/v1/chat/completions", { body: { model: "ok", messages: many } }), 400, "invalid_request");
  assertError(await chat("ok", { max_tokens: -3 }), 400, "invalid_request");
  assertError(await call("/v1/chat/completions", { method: "GET" }), 405, "method_not_allowed");
  assertError(await call("/v1/nope"), 404, "not_found");
  assertError(await chat("ok", {}, { headers: { origin: "http://evil.example" } }), 403, "origin_not_allowed");
});

test("retries: 503 twice then success, 429 with Retry-After then success; a 400 is not retried", async () => {
  let id = rid();
  const flaky = await chat("flaky", {}, { headers: { "x-request-id": id } });
  assert.equal(flaky.status, 200, flaky.text);
  assert.equal(upstreamCalls((r) => r.headers["x-request-id"] === id), 3);
  id = rid();
  assert.equal((await chat("busy", {}, { headers: { "x-request-id": id } })).status, 200);
  assert.equal(upstreamCalls((r) => r.headers["x-request-id"] === id), 2);
  id = rid();
  assertError(await chat("bad", {}, { headers: { "x-request-id": id } }), 400, "upstream_rejected");
  assert.equal(upstreamCalls((r) => r.headers["x-request-id"] === id), 1);
});

test("timeout: no response headers within the provider timeout gives 504 after the retries", async () => {
  const t0 = Date.now();
  assertError(await chat("hang"), 504, "upstream_timeout");
  const took = Date.now() - t0;
  assert.ok(took >= 1400 && took < 10_000, `3 attempts × 500 ms (took ${took} ms)`);
});

test("malformed upstream JSON gives 502 upstream_invalid_response", async () => {
  assertError(await chat("garbage"), 502, "upstream_invalid_response");
});

test("fallback: a provider that refuses connections falls back to the second provider", async () => {
  const res = await chat("fb");
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.model, "ok");
  // wrangler writes the Worker's log line a moment after the response (later on a busy machine).
  const id = res.headers.get("x-request-id");
  let line;
  for (let i = 0; i < 50 && !line; i++) {
    line = edge.readLog().split("\n").filter((l) => l.includes(id)).at(-1);
    if (!line) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(line, `no log line for ${id}`);
  const log = JSON.parse(line.slice(line.indexOf("{")));
  assert.equal(log.provider, "s");
  assert.equal(log.attempts, 4, "3 attempts on the dead provider, then 1 on the fallback");
});

test("circuit breaker: a failing provider is paused after 3 failures", async () => {
  assertError(await chat("down"), 502, "upstream_error");
  const n = upstreamCalls((r) => r.body?.model === "down");
  assert.equal(n, 3);
  const t0 = Date.now();
  const open = await chat("down");
  assertError(open, 503, "upstream_unavailable");
  assert.ok(Date.now() - t0 < 1000, "refused at once");
  assert.equal(upstreamCalls((r) => r.body?.model === "down"), n, "no new upstream call while open");
});

test("streaming: chunks arrive as they are produced, not at the end", async () => {
  const t0 = Date.now();
  const r = await fetch(`${edge.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${MAIN}` },
    body: JSON.stringify({ model: "slow-stream", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  const times = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const part of r.body) {
    buffer += decoder.decode(part, { stream: true });
    const n = (buffer.match(/\n\n/g) ?? []).length;
    while (times.length < n) times.push(Date.now() - t0);
  }
  assert.ok(buffer.includes("data: [DONE]"));
  assert.ok(times.length >= 5, `${times.length} events`);
  assert.ok(times.at(-1) - times[0] >= 700, `spread over time: ${times.join(",")}`);
});

/** Start a stream on `model`, read two chunks, disconnect; the upstream must see the close. */
async function assertDisconnectCancelsUpstream(model) {
  const controller = new AbortController();
  const r = await fetch(`${edge.url}/v1/chat/completions`, {
    method: "POST",
    signal: controller.signal,
    headers: { "content-type": "application/json", authorization: `Bearer ${MAIN}` },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(r.status, 200);
  const reader = r.body.getReader();
  await reader.read();
  await reader.read();
  controller.abort();
  const deadline = Date.now() + 5000;
  while (!up.events.includes(`closed:${model}`) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  assert.ok(up.events.includes(`closed:${model}`), "the upstream saw the stream closed");
}

test("client disconnect cancels the upstream stream", async () => {
  await assertDisconnectCancelsUpstream("endless");
});

test("Anthropic adapter: JSON and streamed answers come back in OpenAI format", async () => {
  const res = await chat("claude", { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, "chat.completion");
  assert.equal(res.json.model, "claude");
  assert.equal(res.json.choices[0].message.content, "ROW: 1 COL: 2 VALUE: 3");
  assert.equal(res.json.choices[0].message.reasoning_content, "Row 1 lacks 3.");
  assert.equal(res.json.usage.total_tokens, 30);
  const sent = up.requests.filter((r) => r.path === "/v1/messages").at(-1);
  assert.equal(sent.headers["x-api-key"], ANTHROPIC_KEY);
  assert.equal(sent.headers.authorization, undefined);
  assert.equal(sent.body.system, "Be brief.");
  assert.equal(sent.body.model, "claude-scripted");
  const r = await fetch(`${edge.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${MAIN}` },
    body: JSON.stringify({ model: "claude", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(r.status, 200);
  const data = await readSse(r);
  assert.equal(data.at(-1), "[DONE]");
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk"));
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join(""), "ROW: 1 COL: 2 VALUE: 3");
  assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
  assert.equal(chunks.at(-1).usage.completion_tokens, 9);
});

async function stream(model, token, extra = {}) {
  const r = await fetch(`${edge.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
  if (r.status !== 200) return { status: r.status, json: await r.json(), data: [] };
  const data = await readSse(r);
  seen.push(`${r.status} ${data.join("\n")}`);
  return { status: r.status, data, chunks: data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)) };
}
const settled = () => new Promise((r) => setTimeout(r, 300)); // settling runs after the stream ends

test("streams settle the daily budget exactly from the final usage chunk (OpenAI and Anthropic)", async () => {
  // Budget 100. Each stream reserves max_tokens; only an exact settle (18, 30, 18 tokens) leaves
  // room for the next one. Without it the second request (60 + 60 > 100) would be refused.
  const a = await stream("ok", STREAMER, { max_tokens: 60 });
  assert.equal(a.status, 200);
  assert.equal(a.data.at(-1), "[DONE]");
  assert.equal(up.requests.at(-1).body.stream_options.include_usage, true, "the edge asked for usage");
  assert.ok(a.chunks.every((c) => c.choices.length > 0 && c.usage === undefined), "the client did not ask: no usage chunk");
  await settled();
  const b = await stream("claude", STREAMER, { max_tokens: 60 });
  assert.equal(b.status, 200, JSON.stringify(b.json));
  assert.ok(b.chunks.every((c) => c.usage === undefined));
  await settled();
  // Asked for by the client: the usage chunk is passed on.
  const c = await stream("ok", STREAMER, { max_tokens: 50, stream_options: { include_usage: true } });
  assert.equal(c.status, 200, JSON.stringify(c.json));
  assert.deepEqual(c.chunks.at(-1).usage, { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
  await settled();
  // 18 + 30 + 18 = 66 used: 34 more fit, 35 do not.
  const over = await stream("ok", STREAMER, { max_tokens: 35 });
  assert.equal(over.status, 429);
  assert.equal(over.json.error.code, "daily_budget_exhausted");
  assert.equal((await stream("ok", STREAMER, { max_tokens: 34 })).status, 200);
  await settled();
  const usage = await call("/v1/usage", { token: ADMIN });
  const row = usage.json.data.find((r) => r.label === "streamer");
  assert.equal(row.prompt_tokens, 11 + 21 + 11 + 11, JSON.stringify(row));
  assert.equal(row.completion_tokens, 7 + 9 + 7 + 7, JSON.stringify(row));
});

test("client disconnect cancels the upstream call for Anthropic streams too", async () => {
  await assertDisconnectCancelsUpstream("claude-endless");
});

test("tool calls and other OpenAI fields pass through unchanged; an Anthropic model gets them translated", async () => {
  const tools = [{ type: "function", function: { name: "place", description: "Place a digit", parameters: { type: "object", properties: { row: { type: "integer" } } } } }];
  const messages = [
    { role: "user", content: "move?" },
    { role: "assistant", content: null, tool_calls: [{ id: "call_0", type: "function", function: { name: "place", arguments: "{\"row\":1}" } }] },
    { role: "tool", tool_call_id: "call_0", content: "ok" },
  ];
  const extra = { messages, tools, tool_choice: "auto", parallel_tool_calls: false, response_format: { type: "json_object" }, seed: 7, temperature: 0.2, user: "u1" };
  const res = await chat("tool", extra);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].finish_reason, "tool_calls");
  assert.equal(res.json.choices[0].message.tool_calls[0].function.name, "place");
  const sent = up.requests.at(-1).body;
  for (const [k, v] of Object.entries(extra)) assert.deepEqual(sent[k], v, `${k} passes through`);
  // An Anthropic model: tools, tool calls and tool results are translated to Messages blocks.
  const viaClaude = await chat("claude", extra);
  assert.equal(viaClaude.status, 200, viaClaude.text);
  const toClaude = up.requests.filter((r) => r.path === "/v1/messages").at(-1).body;
  assert.deepEqual(toClaude.tools, [{ name: "place", description: "Place a digit", input_schema: tools[0].function.parameters }]);
  assert.deepEqual(toClaude.tool_choice, { type: "auto", disable_parallel_tool_use: true });
  assert.deepEqual(toClaude.messages[1].content, [{ type: "tool_use", id: "call_0", name: "place", input: { row: 1 } }]);
  assert.deepEqual(toClaude.messages[2].content, [{ type: "tool_result", tool_use_id: "call_0", content: "ok" }]);
  // What Messages cannot carry gets a clean 400.
  const refused = await chat("claude", { functions: [{ name: "place" }] });
  assertError(refused, 400, "invalid_request");
  assert.match(refused.json.error.message, /not supported/);
});

test("an upstream error message that echoes the provider key is not relayed", async () => {
  const res = await chat("echo");
  assertError(res, 400, "upstream_rejected");
  assert.ok(!res.text.includes(UPSTREAM_KEY.slice(0, 20)), res.text);
  assert.ok(!res.text.includes("Upstream said"), res.text);
});

test("GET /v1/usage: admin only, per-token counters", async () => {
  assertError(await call("/v1/usage"), 401, "unauthorized");
  assertError(await call("/v1/usage", { token: null }), 401, "unauthorized");
  const res = await call("/v1/usage", { token: ADMIN });
  assert.equal(res.status, 200, res.text);
  const main = res.json.data.find((r) => r.label === "main");
  assert.ok(main.requests >= 10, JSON.stringify(main));
  assert.ok(main.completion_tokens > 0);
  // Without a budget nothing is reserved: the day's tokens are exactly what was reported
  // (regression: requests admitted on credit had their max_tokens "released" from zero).
  assert.equal(main.tokens_today, main.prompt_tokens + main.completion_tokens, JSON.stringify(main));
  const limited = res.json.data.find((r) => r.label === "limited");
  assert.equal(limited.budget_refused, 1);
  assert.equal(limited.daily_token_budget, 90);
  assert.ok(!res.text.includes(sha256(MAIN)), "hashes are not reported");
});

test("the official openai Python client: list models, chat, stream", async () => {
  const python = process.env.MD_PYTHON ?? join(homedir(), ".cache/machine-dream/py-tools/bin/python");
  assert.ok(existsSync(python), `${python} missing: run cargo xtask setup`);
  // Asynchronously: the scripted upstream runs in this process and must keep answering.
  const out = await new Promise((resolve) => {
    execFile(python, [join(ROOT, "tests/e2e/openai_client_check.py")], {
      env: { ...process.env, MD_EDGE_URL: edge.url, MD_TOKEN: MAIN, MD_MODEL: "ok" },
      encoding: "utf8",
      timeout: 60_000,
    }, (error, stdout, stderr) => resolve({ status: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
  assert.equal(out.status, 0, `${out.stdout}\n${out.stderr}`);
  assert.match(out.stdout.trim().split("\n").at(-1), /^3 passed, 0 failed$/);
});

test("a 1,000-request burst against one token is limited with 429 and nothing else breaks", async () => {
  const statuses = new Map();
  const body = JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }] });
  let next = 0;
  const worker = async () => {
    while (next < 1000) {
      next++;
      const r = await fetch(`${edge.url}/v1/chat/completions`, {
        method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${BURST}` }, body,
      });
      const text = await r.text();
      if (r.status === 429) assert.equal(JSON.parse(text).error.code, "rate_limited");
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status !== 200 && r.status !== 429) seen.push(`${r.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: 25 }, worker));
  assert.deepEqual([...statuses.keys()].sort(), [200, 429], JSON.stringify([...statuses]));
  assert.equal(statuses.get(200), TOKEN_CAP);
  assert.equal(statuses.get(429), 1000 - TOKEN_CAP);
  // Other tokens and the health check still work.
  assert.equal((await call("/health", { token: null })).status, 200);
  assert.equal((await chat("ok")).status, 200);
});

test("per-IP limit: past RATE_LIMIT_PER_IP every /v1 request from the address gets 429", async () => {
  let res;
  for (let i = 0; i < IP_CAP; i++) {
    res = await call("/v1/models", { token: null });
    if (res.status === 429) break;
    assert.equal(res.status, 401);
  }
  assertError(res, 429, "rate_limited");
  assert.match(res.json.error.message, /IP address/);
  assert.equal((await call("/health", { token: null })).status, 200, "/health is not limited");
});

test("no response and no log line contains a key or a client token", () => {
  const log = edge.readLog();
  assert.ok(log.includes('"msg":"request"'), "the log has request lines");
  for (const secret of [UPSTREAM_KEY, ANTHROPIC_KEY, MAIN, BURST, LIMITED, ADMIN, "sk-fake-upstream", "sk-ant-fake"]) {
    assert.ok(!log.includes(secret), `log leaks ${secret.slice(0, 12)}…`);
    for (const s of seen) assert.ok(!s.includes(secret), `a response leaks ${secret.slice(0, 12)}…`);
  }
  assert.ok(seen.length > 40);
});
