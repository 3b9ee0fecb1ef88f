// Hundreds of moves unattended: the app keeps up, the page stays responsive and memory stays
// flat. A scripted OpenAI-compatible server (deterministic and instant, so the figures are the
// app's own cost, not the model's) answers every move; the profile talks to it directly, as it
// would to LM Studio or Ollama.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { go, openApp, saveProfile } from "./support.mjs";

/** Moves r1c1=1, r1c1=2, … in order: never a repeat, some correct, most invalid. */
function startScriptedServer() {
  let n = 0;
  const bodies = [];
  const server = createServer((req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "content-type, authorization");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    if (req.method === "OPTIONS") { res.writeHead(204).end(); return; }
    if (req.url.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id: "scripted", object: "model" }] }));
      return;
    }
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      bodies.push(body);
      const i = n++;
      const value = (i % 9) + 1, cell = Math.floor(i / 9) % 81;
      const row = Math.floor(cell / 9) + 1, col = (cell % 9) + 1;
      const chunk = (obj) => `data: ${JSON.stringify(obj)}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk({ choices: [{ index: 0, delta: { role: "assistant", content: `Trying the next candidate. ROW: ${row} ` } }] }));
      res.write(chunk({ choices: [{ index: 0, delta: { content: `COL: ${col} VALUE: ${value}` }, finish_reason: null }] }));
      res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 } }));
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, bodies, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

async function heapUsed(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value;
}

test("300 moves unattended: responsive page, flat memory, every move stored", async (t) => {
  const scripted = await startScriptedServer();
  t.after(() => scripted.server.close());
  const { page, errors } = await openApp(t);
  page.setDefaultTimeout(60_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");

  await go(page, "Profiles");
  await page.selectOption("#profile-template", "custom");
  await page.click("#profile-create");
  await page.fill("#profile-name", "scripted");
  await page.selectOption("#profile-route", "direct");
  await page.fill("#profile-base-url", scripted.url);
  await page.fill("#profile-model", "scripted");
  await saveProfile(page);

  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.selectOption("#llm-size", "9");
  await page.fill("#llm-max-attempts", "300");
  // Long tasks (> 50 ms) on the main thread while the model plays: the page must stay usable.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: "longtask", buffered: false });
  });
  const started = Date.now();
  await page.click("#llm-start");
  const attemptsNow = () => page.$eval("#llm-stats", (e) => Number(e.dataset.attempts ?? 0));
  await page.waitForFunction(() => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= 50, null, { timeout: 120_000 });
  const heapAt50 = await heapUsed(cdp);
  await page.waitForFunction(() => /ended|solved/.test(document.querySelector("#llm-status")?.textContent ?? ""), null, { timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const total = await attemptsNow();
  const heapAtEnd = await heapUsed(cdp);
  const overhead = await page.$eval("#llm-stats", (e) => Number(e.dataset.overheadMs));
  const longTasks = await page.evaluate(() => window.__longTasks);
  const worst = Math.max(0, ...longTasks);
  console.log(`# long run: ${total} moves in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(1)} moves/s); ` +
    `median app time per move (judge + store, no model) ${overhead} ms; JS heap ${(heapAt50 / 1e6).toFixed(1)} MB at 50 moves, ` +
    `${(heapAtEnd / 1e6).toFixed(1)} MB at ${total}; ${longTasks.length} long tasks, worst ${worst.toFixed(0)} ms`);

  assert.equal(total, 300, "the play ran to its attempt limit unattended");
  assert.ok(heapAtEnd < heapAt50 + 8e6, `JS heap stays flat (${heapAt50} → ${heapAtEnd} bytes)`);
  assert.ok(worst < 1_000, `the main thread is never blocked for a second (worst long task ${worst} ms)`);

  // Every attempt is in memory, paged (the list shows one page, the count all of them).
  await go(page, "Memory");
  await page.waitForFunction(() => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === 300);
  assert.ok((await page.$$("#memory-list li")).length <= 25, "the list pages instead of loading everything");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
});

test("assisted decoding is opt-in research mode: legal moves only in the request, labelled in every record", async (t) => {
  const scripted = await startScriptedServer();
  t.after(() => scripted.server.close());
  const { page, errors } = await openApp(t);
  await go(page, "Profiles");
  await page.selectOption("#profile-template", "custom");
  await page.click("#profile-create");
  await page.selectOption("#profile-route", "direct");
  await page.fill("#profile-base-url", scripted.url);
  await page.fill("#profile-model", "scripted");
  await saveProfile(page);
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.selectOption("#llm-size", "4");
  await page.fill("#llm-max-attempts", "3");
  assert.equal(await page.isChecked("#llm-assisted"), false, "off by default");
  await page.check("#llm-assisted");
  await page.click("#llm-start");
  await page.waitForFunction(() => /ended|solved/.test(document.querySelector("#llm-status")?.textContent ?? ""));
  const requests = scripted.bodies.filter((b) => b.includes("messages")).map((b) => JSON.parse(b));
  assert.ok(requests.length >= 1);
  for (const r of requests) {
    const schema = r.response_format?.json_schema?.schema;
    assert.ok(schema, "every request carries the legal-move schema");
    assert.match(JSON.stringify(schema), /enum|anyOf|oneOf/, "restricted to listed moves");
  }
  await go(page, "Sessions");
  await page.waitForSelector("#session-list li");
  assert.match(await page.textContent("#session-list"), /assisted decoding \(research mode\)/);
  await go(page, "Memory");
  await page.waitForSelector("#memory-list li button");
  await page.click("#memory-list li button");
  assert.match(await page.textContent("#experience-detail"), /assisted decoding \(research mode\)/);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
});
