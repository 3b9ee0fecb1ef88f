// The Generate screen: batches are made in the engine worker. A fixed-seed batch is exported
// as a one-line file, that file imported on the Library screen, and one of its puzzles played;
// a 25x25 batch is cancelled mid-way; while batches run the page's thread has no long task
// (PerformanceObserver 'longtask': nothing over 50 ms).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { go, launchBrowser, openApp, startApp, takeLongTasks, watchErrors, watchLongTasks } from "./support.mjs";

const state = (page) => page.getAttribute("#gen-status", "data-state");

async function waitForState(page, wanted, timeout = 120_000) {
  await page.waitForFunction(
    (w) => w.includes(document.querySelector("#gen-status")?.dataset.state),
    wanted,
    { timeout },
  );
}

async function longTasks(page, what) {
  const tasks = await takeLongTasks(page);
  console.log(`long tasks on the main thread during ${what}: ${tasks.length}` +
    (tasks.length ? ` (${tasks.join(", ")} ms)` : " (none over 50 ms)"));
  return tasks;
}

async function generate(page, { size = "9", band = "any", symmetry = "none", seed = "", count }) {
  await page.selectOption("#gen-size", size);
  await page.selectOption("#gen-band", band);
  await page.selectOption("#gen-symmetry", symmetry);
  await page.fill("#gen-seed", seed);
  await page.fill("#gen-count", String(count));
  await page.click("#gen-start");
}

test("a generated batch is exported, imported on the Library screen and played", async (t) => {
  const { page, errors } = await openApp(t);
  await go(page, "Generate");
  await page.waitForSelector("#gen-start");

  await generate(page, { band: "easy", seed: "41", count: 5 });
  await waitForState(page, ["complete"]);
  assert.equal(await page.textContent("#gen-status"), "done: 5 puzzles");
  assert.equal(await page.$eval("#gen-progress", (p) => p.value), 1);
  const rows = await page.$$eval("#gen-list tbody tr", (trs) => trs.map((tr) => ({
    seed: tr.dataset.seed,
    band: tr.querySelector(".gen-band").textContent,
    score: Number(tr.querySelector(".gen-score").textContent),
  })));
  assert.deepEqual(rows.map((r) => r.seed), ["41", "42", "43", "44", "45"], "seeds follow the fixed first seed");
  for (const row of rows) {
    assert.equal(row.band, "easy");
    assert.ok(row.score > 0, `a score for seed ${row.seed}`);
  }

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#gen-export-lines")]);
  const text = await readFile(await download.path(), "utf8");
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 5);
  for (const line of lines) assert.match(line, /^[1-9.]{81}$/);

  // The same seeds give the same puzzles: a second run of the batch exports the same file.
  await page.click("#gen-start");
  await waitForState(page, ["complete"]);
  const [again] = await Promise.all([page.waitForEvent("download"), page.click("#gen-export-lines")]);
  assert.equal(await readFile(await again.path(), "utf8"), text);

  await go(page, "Library");
  await page.waitForSelector("#library-list");
  const before = await page.locator("#library-list tbody tr").count();
  await page.setInputFiles("#import-file", { name: "generated.txt", mimeType: "text/plain", buffer: Buffer.from(text) });
  await page.waitForFunction(() => /^imported 5 puzzles/.test(document.querySelector("#import-status")?.textContent ?? ""));
  assert.equal(await page.locator("#library-list tbody tr").count(), before + 5);
  const imported = await page.$$eval("#library-list tbody tr", (trs) => trs.map((tr) => tr.dataset.puzzleId));
  assert.ok(imported.filter((id) => id.startsWith("9x9-lib-")).length >= 5, imported.join(" "));

  await page.click("#library-list tbody tr:first-child a");
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("9x9-lib-"));
  const givens = await page.$$eval("#board input[data-row]", (cells) => cells.map((c) => (c.dataset.given === "true" ? c.value : ".")).join(""));
  assert.ok(lines.includes(givens), "Play shows one of the exported puzzles");
  assert.deepEqual(errors, []);
});

test("Play one stores the puzzle and opens it; Save all stores the batch", async (t) => {
  const { page, errors } = await openApp(t);
  await go(page, "Generate");
  await generate(page, { size: "6", symmetry: "rotational", seed: "7", count: 3 });
  await waitForState(page, ["complete"]);
  await page.click("#gen-save");
  await page.waitForFunction(() => /^saved 3 puzzles/.test(document.querySelector("#gen-message")?.textContent ?? ""));
  const id = await page.getAttribute("#gen-list tbody tr:nth-child(2)", "data-puzzle-id");
  assert.equal(id, "6x6-rotational-seed-8");
  await page.click("#gen-list tbody tr:nth-child(2) .gen-play");
  await page.waitForFunction((want) => document.querySelector("#puzzle-id")?.textContent === want, id);
  assert.match(new URL(page.url()).search, /puzzle=6x6-rotational-seed-8/);
  await go(page, "Library");
  await page.waitForSelector(`#library-list tr[data-puzzle-id="6x6-rotational-seed-9"]`);
  assert.deepEqual(errors, []);
});

test("batches run off the main thread: a 25x25 batch cancels mid-way, no long task", async (t) => {
  const { page, errors } = await openApp(t);
  await go(page, "Generate");
  await page.waitForSelector("#gen-start");
  // Start the worker first, so its start-up is not part of what is measured.
  await generate(page, { size: "4", seed: "1", count: 1 });
  await waitForState(page, ["complete"]);

  await watchLongTasks(page);
  const started = Date.now();
  await generate(page, { seed: "100", count: 20 });
  await waitForState(page, ["complete"]);
  console.log(`20 9x9 puzzles in ${Date.now() - started} ms`);
  assert.equal(await page.locator("#gen-list tbody tr").count(), 20);
  const nine = await longTasks(page, "a 20-puzzle 9x9 batch");

  await generate(page, { size: "25", seed: "3", count: 100 });
  assert.equal(await state(page), "running");
  assert.equal(await page.isEnabled("#gen-cancel"), true);
  await page.waitForSelector("#gen-list tbody tr");
  const fraction = await page.$eval("#gen-progress", (p) => p.value);
  assert.ok(fraction > 0 && fraction < 1, `progress ${fraction}`);
  await page.click("#gen-cancel");
  await waitForState(page, ["cancelled"]);
  const made = await page.locator("#gen-list tbody tr").count();
  assert.ok(made >= 1 && made < 100, `made ${made} of 100`);
  assert.equal(await page.textContent("#gen-status"), `cancelled: ${made} of 100 made`);
  assert.equal(await page.isEnabled("#gen-start"), true);
  const first = await page.$eval("#gen-list tbody tr td:nth-child(3)", (td) => Number(td.textContent));
  assert.ok(first > 0 && first < 625, `clues ${first}`);
  // Nothing more arrives after the cancel.
  await page.waitForTimeout(1_500);
  assert.equal(await page.locator("#gen-list tbody tr").count(), made);
  const big = await longTasks(page, `a 25x25 batch (${made} made, then cancelled)`);

  // Leaving the screen mid-batch stops the batch; the screen comes back idle and works.
  await generate(page, { size: "25", seed: "50", count: 100 });
  await page.waitForSelector("#gen-list tbody tr");
  await go(page, "Library");
  await page.waitForSelector("#library-list");
  await page.waitForTimeout(1_000);
  await go(page, "Generate");
  assert.equal(await state(page), "idle");
  await generate(page, { size: "4", seed: "9", count: 2 });
  await waitForState(page, ["complete"]);
  assert.equal(await page.locator("#gen-list tbody tr").count(), 2);

  assert.deepEqual(nine, [], "no long task while the 9x9 batch ran");
  assert.deepEqual(big, [], "no long task while the 25x25 batch ran");
  assert.deepEqual(errors, []);
});

test("an engine worker that fails to load is reported, and the next batch starts a new one", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  // No service worker: it would answer the worker's script from its cache, past the route.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.route("**/engine_loader.js", (route) => route.fulfill({ status: 404, body: "" }));
  await page.goto(new URL("generate", app.url.endsWith("/") ? app.url : app.url + "/").href);
  await page.waitForSelector("#gen-start");
  await generate(page, { seed: "1", count: 3 });
  await waitForState(page, ["failed"], 30_000);
  assert.match(await page.textContent("#gen-status"), /^stopped: the engine worker failed: engine_loader\.js .*did not load/);
  assert.equal(await page.isEnabled("#gen-start"), true);
  assert.ok(errors.some((e) => /engine: the engine worker failed/.test(e)), errors.join("\n"));

  await page.unroute("**/engine_loader.js");
  await page.click("#gen-start");
  await waitForState(page, ["complete"]);
  assert.equal(await page.locator("#gen-list tbody tr").count(), 3);
});
