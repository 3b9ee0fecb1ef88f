// `cargo xtask bench-app`: the app's own figures in headless Chromium, on the release build
// the user gets (dist/, served compressed by `xtask static`). Each step reports the page
// thread's long tasks while it ran (PerformanceObserver 'longtask': every task over 50 ms),
// because the rule users feel is that no interaction waits on a task longer than 50 ms.
//
//   first load       initial transfer (what the network carried until the board took a digit),
//                    time to the board accepting a digit; a fresh browser profile each run
//   25x25 generation one hard-sized puzzle made in the engine worker
//   16x16 batch      50 puzzles made in the engine worker
//   dream of 10k     10,000 realistic experiences imported, then dreamt over
//   100 plays        an experiment of 100 sequential plays (2 arms x 50 4x4 puzzles) against a
//                    scripted model, with the JS heap after a forced GC at the start and end
//
// Figures are medians of `MD_BENCH_RUNS` runs (default 3; the dream and the 100 plays run
// once each per run too). Lines start with `BENCH ` so xtask can gather them. The storage
// figures (insert, page, search, export, import at 10k and 100k) are `cargo xtask
// bench-storage`'s.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstEmptyCell, go, launchBrowser, playUrl, startApp, takeLongTasks, watchLongTasks } from "../e2e/support.mjs";
import { startScriptedUpstream } from "../e2e/edge-harness.mjs";
import { createScriptedProfile } from "../e2e/lab-support.mjs";

const RUNS = Number(process.env.MD_BENCH_RUNS ?? 3);
const ROOT = new URL("../..", import.meta.url).pathname;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = (line) => console.log(`BENCH ${line}`);

/** "longest task N ms, K over 50 ms" over every run's tasks. */
function tasksText(all) {
  const flat = all.flat();
  if (flat.length === 0) return "no task > 50 ms";
  return `longest task ${Math.max(...flat)} ms, ${flat.length} task(s) > 50 ms over ${all.length} run(s)`;
}

async function firstLoad(app, browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Bytes on the wire (compressed as served), per request, from the browser's own count.
  let wire = 0;
  cdp.on("Network.loadingFinished", (e) => { wire += e.encodedDataLength; });
  const started = Date.now();
  await page.goto(playUrl(app), { waitUntil: "commit" });
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("9x9-"),
    null, { timeout: 30_000 });
  // A person's first digit: focus the first empty cell and press a key, as play.test does.
  const target = await firstEmptyCell(page);
  await page.focus(target);
  await page.keyboard.press("5");
  await page.waitForFunction((sel) => document.querySelector(sel)?.value === "5", target);
  const firstInput = Date.now() - started;
  const load = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
  await context.close();
  return { firstInput, load, wire };
}

async function generate(page, { size, count, seed }) {
  await page.selectOption("#gen-size", size);
  await page.selectOption("#gen-band", "any");
  await page.selectOption("#gen-symmetry", "none");
  await page.fill("#gen-seed", String(seed));
  await page.fill("#gen-count", String(count));
  const started = Date.now();
  await page.click("#gen-start");
  await page.waitForFunction(() => document.querySelector("#gen-status")?.dataset.state === "complete",
    null, { timeout: 600_000 });
  return Date.now() - started;
}

/** A memory file of `count` realistic experiences of profile `profileId` (learning-lab's fixture). */
function fixture(count, profileId) {
  const out = join(tmpdir(), `md-bench-fixture-${process.pid}-${profileId}.jsonl`);
  execFileSync("cargo", ["run", "-q", "--release", "-p", "learning-lab", "--example", "memory_fixture", "--", String(count), out, profileId],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  return readFileSync(out);
}

async function dream(page, file, count, profileId) {
  await go(page, "Memory");
  // The count appears once the screen has counted the store.
  await page.waitForSelector("#memory-count[data-count]", { state: "attached" });
  const before = Number(await page.$eval("#memory-count", (e) => e.dataset.count));
  await page.setInputFiles("#memory-import", { name: "fixture.jsonl", mimeType: "application/x-ndjson", buffer: file });
  await page.waitForFunction((n) => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === n,
    before + count, { timeout: 600_000 });
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  await page.selectOption("#dream-profile", profileId);
  await watchLongTasks(page);
  const started = Date.now();
  await page.click("#dream-run");
  await page.waitForSelector("#dream-result[data-unit-id]", { timeout: 600_000 });
  return { ms: Date.now() - started, tasks: await takeLongTasks(page) };
}

async function heapUsed(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value;
}

async function hundredPlays(page, cdp, run) {
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", `bench ${run}`);
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", String(1 + run * 50));
  await page.fill("#experiment-seed-to", String(50 + run * 50));
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "4");
  await page.fill("#experiment-concurrency", "1");
  const heapStart = await heapUsed(cdp);
  await watchLongTasks(page);
  const started = Date.now();
  await page.click("#experiment-run");
  await page.waitForFunction(() => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""),
    null, { timeout: 900_000 });
  const ms = Date.now() - started;
  const status = await page.textContent("#experiment-status");
  if (!/finished: 100 runs done, 0 failed/.test(status)) throw new Error(`the 100 plays ended as: ${status}`);
  const tasks = await takeLongTasks(page);
  const heapEnd = await heapUsed(cdp);
  return { ms, tasks, heapStart, heapEnd };
}

const app = await startApp();
const up = await startScriptedUpstream({ cors: true });
const browser = await launchBrowser();
try {
  const loads = [];
  for (let i = 0; i < RUNS; i++) loads.push(await firstLoad(app, browser));
  report(`first load (x${RUNS}): initial transfer median ${(median(loads.map((l) => l.wire)) / 1024).toFixed(0)} KB on the wire; ` +
    `load event median ${median(loads.map((l) => l.load)).toFixed(0)} ms; board accepts a digit after median ` +
    `${median(loads.map((l) => l.firstInput))} ms`);

  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(playUrl(app));
  await page.waitForSelector("nav.screens", { timeout: 30_000 });
  await go(page, "Generate");
  await page.waitForSelector("#gen-start");
  // The worker's start-up is not part of what is measured.
  await generate(page, { size: "4", count: 1, seed: 1 });

  const big = [], bigTasks = [];
  for (let i = 0; i < RUNS; i++) {
    await watchLongTasks(page);
    big.push(await generate(page, { size: "25", count: 1, seed: 3 + i }));
    bigTasks.push(await takeLongTasks(page));
  }
  report(`25x25 generation (x${RUNS}): median ${median(big)} ms; ${tasksText(bigTasks)}`);

  const batch = [], batchTasks = [];
  for (let i = 0; i < RUNS; i++) {
    await watchLongTasks(page);
    batch.push(await generate(page, { size: "16", count: 50, seed: 100 + 50 * i }));
    batchTasks.push(await takeLongTasks(page));
  }
  report(`50-puzzle 16x16 batch (x${RUNS}): median ${median(batch)} ms; ${tasksText(batchTasks)}`);

  await createScriptedProfile(page, { name: "bench", baseUrl: `${up.url}/v1` });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const plays = [];
  for (let i = 0; i < RUNS; i++) plays.push(await hundredPlays(page, cdp, i));
  const mb = (b) => (b / 1e6).toFixed(1);
  report(`100 sequential plays (x${RUNS}): median ${(median(plays.map((p) => p.ms)) / 1000).toFixed(1)} s; JS heap ` +
    plays.map((p) => `${mb(p.heapStart)} → ${mb(p.heapEnd)} MB`).join(", ") + `; ${tasksText(plays.map((p) => p.tasks))}`);

  const dreams = [];
  // Each run dreams over a profile of its own, so every dream reads 10,000 new experiences.
  for (let i = 0; i < RUNS; i++) {
    const profileId = `dreamer${i}`;
    dreams.push(await dream(page, fixture(10_000, profileId), 10_000, profileId));
  }
  report(`dream of 10,000 experiences (x${RUNS}): median ${(median(dreams.map((d) => d.ms)) / 1000).toFixed(1)} s; ` +
    tasksText(dreams.map((d) => d.tasks)));
} finally {
  await browser.close();
  await up.stop();
  await app.stop();
}
