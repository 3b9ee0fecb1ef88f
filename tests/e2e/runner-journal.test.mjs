// The headless runner and the app, end to end: a person exports a profile and an experiment
// design from the app, `machine-dream` runs the experiment from a terminal, and importing its
// journal in Memory shows the sessions, the experiences and the experiment with the same
// statistics the runner's report computed — as if it had run in the browser.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { env, go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, download, openLab, storedRecords } from "./lab-support.mjs";

const run = promisify(execFile);
let up;
before(async () => { up = await startScriptedUpstream({ cors: true }); });
after(async () => { await up?.stop(); });

/** Records as comparable values: key order inside an object is not meaningful. */
const canonical = (v) => Array.isArray(v) ? v.map(canonical)
  : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;

test("an experiment run headless opens in the app with the runner's own numbers", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "md-runner-e2e-"));
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { name: "headless", baseUrl: `${up.url}/v1` });

  // The two files the runner reads, as the app writes them.
  const profiles = await download(page, () => page.click("#profiles-export"));
  await writeFile(join(dir, "profiles.jsonl"), profiles.text);
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "headless e2e");
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "21");
  await page.fill("#experiment-seed-to", "22");
  await page.fill("#experiment-runs", "1");
  const design = await download(page, () => page.click("#experiment-download-design"));
  const parsed = JSON.parse(design.text);
  assert.equal(design.name, `${parsed.id}-design.json`);
  assert.equal(parsed.name, "headless e2e");
  assert.equal(parsed.puzzles.kind, "generated");
  assert.deepEqual(parsed.puzzles.seeds, [21, 22]);
  assert.equal(parsed.arms.length, 2);
  await writeFile(join(dir, "design.json"), design.text);

  // The terminal: run, then report.
  const bin = env("MD_RUNNER_BIN");
  const out = join(dir, "run");
  const played = await run(bin, ["experiment", "run", "--design", join(dir, "design.json"),
    "--profile", join(dir, "profiles.jsonl"), "--dir", out, "--max-attempts", "5"], { timeout: 120_000 });
  assert.match(played.stderr + played.stdout, /journal: /);
  const report = join(dir, "report");
  const reported = await run(bin, ["experiment", "report", out, "--out", report], { timeout: 60_000 });
  assert.match(reported.stdout + reported.stderr, /arm memory off: 2 runs/);
  const journal = await readFile(join(out, "journal.jsonl"), "utf8");
  const lines = journal.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  const count = (kind) => lines.filter((l) => l.kind === kind).length;
  assert.equal(count("experiment"), 1);
  assert.equal(count("session"), 4, "two puzzles, two arms, one run each");
  assert.ok(count("experience") >= 4, "at least one attempt per run");

  // The app: import the journal; the experiment is the newest one and shows at once.
  await go(page, "Memory");
  await page.setInputFiles("#memory-import", { name: "journal.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(journal) });
  await page.waitForFunction((n) => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === n, count("experience"));
  assert.equal((await storedRecords(page, "sessions")).length, 4);
  const [stored] = await storedRecords(page, "experiments");
  assert.equal(stored.id, parsed.id);

  await go(page, "Experiments");
  await page.waitForSelector(`#experiment-title[data-experiment-id="${parsed.id}"]`);
  await page.waitForSelector("#experiment-results tr[data-arm-id]");
  assert.equal(await page.$eval("#experiment-progress", (e) => `${e.dataset.done}/${e.dataset.total}`), "4/4");
  const rows = await page.$$eval("#experiment-results tr[data-arm-id]", (trs) => trs.map((tr) => tr.dataset.runs));
  assert.deepEqual(rows, ["2", "2"]);

  // The numbers: the app's JSON export of the imported experiment is the runner's results.json.
  const shown = await download(page, () => page.click("#experiment-export-json"));
  const headless = await readFile(join(report, "results.json"), "utf8");
  assert.deepEqual(canonical(JSON.parse(shown.text)), canonical(JSON.parse(headless)), "the same results as the report");
  const arms = await readFile(join(report, "arms.csv"), "utf8");
  const exportedCsv = [];
  const collect = (d) => exportedCsv.push(d);
  page.on("download", collect);
  await page.click("#experiment-export-csv");
  const deadline = Date.now() + 30_000;
  while (exportedCsv.length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  page.off("download", collect);
  const armsFile = exportedCsv.find((d) => d.suggestedFilename().endsWith("-arms.csv"));
  assert.equal(await readFile(await armsFile.path(), "utf8"), arms, "the same arms table");

  // Every session plays in the Sessions screen like one played here.
  await go(page, "Sessions");
  await page.waitForFunction(() => document.querySelectorAll("[data-session-id]").length >= 4);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
});
