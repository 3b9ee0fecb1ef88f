// Self-hosting: the committed deploy/workerd/config.capnp, run as the container image runs it
// (`workerd serve --experimental`), with only the socket address and the two directories
// overridden on the command line and every setting and secret in the environment. One origin
// serves the app (offline-capable: its service worker registers and takes over) and the edge API
// (/health, /v1/*), which answers a chat completion from the real local model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, freePort, newToken, sha256 } from "./edge-harness.mjs";
import { env, launchBrowser, watchErrors, waitForPuzzle, go } from "./support.mjs";

const CONFIG = join(ROOT, "deploy/workerd/config.capnp");

async function startSelfHost(vars) {
  const dir = mkdtempSync(join(tmpdir(), "md-selfhost-"));
  const port = await freePort();
  const log = join(dir, "workerd.log");
  const fd = openSync(log, "a");
  const child = spawn(join(ROOT, "node_modules/.bin/workerd"), [
    "serve", "--experimental", CONFIG,
    "--socket-addr", `http=127.0.0.1:${port}`,
    "--directory-path", `app=${env("MD_DIST_DIR")}`,
    "--directory-path", `state=${dir}`,
  ], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...vars }, stdio: ["ignore", fd, fd], detached: true });
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited early:\n${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      throw new Error(`self-hosted workerd not ready:\n${readFileSync(log, "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let stopped = false;
  return {
    url,
    readLog: () => readFileSync(log, "utf8"),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(t);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test("one workerd from deploy/workerd/config.capnp serves the app and the edge API with the real model", async (t) => {
  const token = newToken();
  const model = env("MD_MODEL");
  const defaultModel = { model, jsonOutput: true, maxTokens: 96 };
  const server = await startSelfHost({
    UPSTREAM_URL: env("MD_UPSTREAM_URL"),
    MODEL_ALIASES: `${model}=${model}`,
    ALLOW_ANONYMOUS: "false",
    API_TOKENS: JSON.stringify([{ label: "selfhost-e2e", sha256: sha256(token) }]),
    ALLOWED_ORIGINS: "",
    DEFAULT_MODEL: JSON.stringify(defaultModel),
  });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await server.stop(); server.cleanup(); });
  const { url } = server;

  // The edge API on the same origin.
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  const h = await health.json();
  assert.equal(h.status, "ok");
  assert.equal(h.upstream_configured, true);

  // app-config.json names this origin, with the optional default model from DEFAULT_MODEL.
  const config = await fetch(`${url}/app-config.json`);
  assert.equal(config.headers.get("cache-control"), "no-cache");
  assert.deepEqual(await config.json(), { edgeApiUrl: url, defaultModel });

  // Static files: types and cache headers; routes get the shell; unknown files are 404.
  const index = await fetch(`${url}/`);
  assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(index.headers.get("cache-control"), "no-cache");
  const html = await index.text();
  const wasmPath = html.match(/["'](\.\/web-[0-9a-f]+_bg\.wasm)["']/)?.[1];
  assert.ok(wasmPath, "index.html refers to the hashed wasm by a relative URL");
  const wasm = await fetch(new URL(wasmPath, `${url}/`), { method: "HEAD" });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  assert.match(wasm.headers.get("cache-control"), /immutable/);
  assert.equal((await fetch(`${url}/sw.js`)).headers.get("cache-control"), "no-cache");
  // The build's security headers (dist/_headers) on the app's answers, not on the edge API's.
  for (const answer of [index, wasm, config]) {
    assert.match(answer.headers.get("content-security-policy") ?? "", /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    assert.equal(answer.headers.get("referrer-policy"), "no-referrer");
  }
  assert.equal(health.headers.get("content-security-policy"), null);
  assert.equal((await fetch(`${url}/_headers`)).status, 404, "the headers file is not served");
  const deep = await fetch(`${url}/sessions`);
  assert.equal(deep.status, 200);
  assert.equal(await deep.text(), html, "a deep link gets index.html");
  assert.equal((await fetch(`${url}/no-such-file.js`)).status, 404);

  // The edge API's settings come from the environment: no token, no answer.
  const anonymous = await fetch(`${url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }], max_tokens: 8 }),
  });
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.code, "unauthorized");

  // The app: loads, plays, its service worker registers and controls the page.
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${url}/play`);
  const puzzleId = await waitForPuzzle(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
  await page.waitForFunction(() => /edge API: (ok|unreachable)/.test(document.querySelector("#edge-status")?.textContent ?? ""), null, { timeout: 30_000 });
  assert.equal(await page.textContent("#edge-status"), `edge API: ok (${url})`);

  // A chat completion from the page (same origin, so the browser sends Origin; ALLOWED_ORIGINS is
  // empty) through /v1/chat/completions reaches the real model.
  const answer = await page.evaluate(async ({ token, model }) => {
    const r = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Say hello in one word." }], max_tokens: 16 }),
    });
    return { status: r.status, body: await r.json() };
  }, { token, model });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.choices?.[0]?.message?.content, "string");
  assert.ok(answer.body.usage?.completion_tokens > 0, "the model generated tokens");
  assert.ok(!server.readLog().includes(token), "the token never appears in the log");

  // Offline-capable: with the server gone and the network off, a reload still plays.
  await server.stop();
  await context.setOffline(true);
  await page.reload();
  assert.equal(await waitForPuzzle(page), puzzleId, "offline, the same puzzle comes back");
  await go(page, "Sessions");
  await page.waitForSelector("#sessions-title");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
