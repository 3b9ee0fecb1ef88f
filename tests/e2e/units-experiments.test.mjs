// The Learning Units screen and the experiment exports in a real browser, over plays of the
// scripted model (reached straight): a person merges two dreamed units, exports them, deletes
// one (with confirmation) and imports the export back; and exports a finished experiment as CSV
// and JSON, whose contents are checked: the header, one row per run and one per arm.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, download, openLab, startPlay, storedRecords, waitForStatus } from "./lab-support.mjs";

let up;
before(async () => { up = await startScriptedUpstream({ cors: true }); });
after(async () => { await up?.stop(); });

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));
const unitRows = (page) => page.$$eval("#unit-list li[data-unit-id]", (items) => items.map((li) => li.dataset.unitId));
const unitsStatus = (page, pattern) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector("#units-status")?.textContent ?? ""), pattern.source);

/** Play one 4x4 puzzle, then dream offline over it: one new unit. */
async function playAndDream(page, seed) {
  await startPlay(page, { seed, maxAttempts: 16 });
  await waitForStatus(page, /ended|solved/);
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  const before = (await storedRecords(page, "learning_units")).length;
  await page.click("#dream-run");
  await page.waitForSelector("#dream-result[data-unit-id]", { timeout: 60_000 });
  assert.equal((await storedRecords(page, "learning_units")).length, before + 1);
  return page.$eval("#dream-result", (e) => e.dataset.unitId);
}

test("a person merges two learning units, exports them, deletes one after confirming, and imports the export back", async (t) => {
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  const a = await playAndDream(page, 3);
  const b = await playAndDream(page, 4);

  await go(page, "Units");
  await page.waitForSelector(`#unit-list li[data-unit-id="${b}"]`);
  assert.deepEqual((await unitRows(page)).sort(), [a, b].sort());
  assert.equal(await page.$eval(`#unit-list li[data-unit-id="${b}"]`, (li) => li.dataset.active), "true", "the newest dream's unit is active");

  // Merge: one unit is not enough; two make a third, shown in full.
  await page.check(`#unit-list li[data-unit-id="${a}"] .unit-tick`);
  await page.click("#unit-merge");
  await unitsStatus(page, /tick two or more units to merge/);
  await page.check(`#unit-list li[data-unit-id="${b}"] .unit-tick`);
  await page.click("#unit-merge");
  await unitsStatus(page, /^merged into merge of 2 \(\d+ items\)$/);
  await page.waitForFunction(() => document.querySelectorAll("#unit-list li[data-unit-id]").length === 3);
  const merged = (await unitRows(page)).find((id) => id !== a && id !== b);
  await page.waitForSelector(`#unit-detail[data-unit-id="${merged}"]`);
  const stored = await storedRecords(page, "learning_units");
  const items = (u) => u.strategies.length + u.anti_patterns.length + u.corrections.length + u.few_shots.length;
  const [ua, ub, um] = [a, b, merged].map((id) => stored.find((u) => u.id === id));
  assert.ok(items(um) <= items(ua) + items(ub) && items(um) >= Math.max(items(ua), items(ub)), "the merge keeps both units' items, without duplicates");

  // Export (nothing ticked after a merge: every unit).
  const { name, text } = await download(page, () => page.click("#unit-export"));
  assert.equal(name, "learning-units.jsonl");
  await unitsStatus(page, /^exported 3 units$/);
  const lines = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((u) => u.id).sort(), [a, b, merged].sort(), "one line per unit");

  // Delete asks first; the second press deletes.
  await page.click(`#unit-list li[data-unit-id="${merged}"] .unit-delete`);
  await unitsStatus(page, /press "Confirm delete" to delete merge of 2 for good/);
  assert.equal(await page.textContent(`#unit-list li[data-unit-id="${merged}"] .unit-delete`), "Confirm delete");
  assert.equal((await storedRecords(page, "learning_units")).length, 3, "nothing deleted before the confirmation");
  await page.click(`#unit-list li[data-unit-id="${merged}"] .unit-delete`);
  await unitsStatus(page, /^deleted merge of 2$/);
  await page.waitForFunction(() => document.querySelectorAll("#unit-list li[data-unit-id]").length === 2);
  assert.equal((await storedRecords(page, "learning_units")).length, 2);

  // Import the export: the deleted unit comes back as it was; the others are not doubled.
  await page.setInputFiles("#unit-import", { name, mimeType: "application/x-ndjson", buffer: Buffer.from(text) });
  await unitsStatus(page, /^imported 3 units$/);
  await page.waitForFunction(() => document.querySelectorAll("#unit-list li[data-unit-id]").length === 3);
  const back = await storedRecords(page, "learning_units");
  assert.deepEqual(back.map((u) => u.id).sort(), [a, b, merged].sort());
  assert.deepEqual(back.find((u) => u.id === merged), um, "the imported unit is the exported one");
  // A broken file imports nothing and says where it is broken.
  await page.setInputFiles("#unit-import", { name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(text + "{\"id\":\n") });
  await unitsStatus(page, /^nothing imported: /);
  assert.equal((await storedRecords(page, "learning_units")).length, 3);
  assert.deepEqual(noErrors(errors), []);
});

test("a person exports a finished experiment as CSV and JSON: a header, a row per run and a row per arm", async (t) => {
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e export");
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "11");
  await page.fill("#experiment-seed-to", "12");
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "4");
  await page.click("#experiment-run");
  await page.waitForFunction(() => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""), null, { timeout: 120_000 });
  assert.match(await page.textContent("#experiment-status"), /finished: 4 runs done, 0 failed/);
  const id = await page.$eval("#experiment-title", (e) => e.dataset.experimentId);
  const [record] = await storedRecords(page, "experiments");
  const sessions = record.state.status.map((s) => s.result.session_id);

  // Export CSV gives two files: runs and arms.
  const files = [];
  const collect = (d) => files.push(d);
  page.on("download", collect);
  await page.click("#experiment-export-csv");
  const deadline = Date.now() + 30_000;
  while (files.length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  page.off("download", collect);
  const { readFile } = await import("node:fs/promises");
  const csv = {};
  for (const f of files) csv[f.suggestedFilename()] = await readFile(await f.path(), "utf8");
  assert.deepEqual(Object.keys(csv).sort(), [`${id}-arms.csv`, `${id}-runs.csv`]);

  const table = (text) => text.trim().split("\n").map((l) => l.split(","));
  const runs = table(csv[`${id}-runs.csv`]);
  assert.deepEqual(runs[0].slice(0, 12), ["experiment_id", "run", "arm_id", "arm_label", "puzzle_id", "repeat", "session_id", "unit_id", "solved", "attempts", "correct", "accuracy"]);
  assert.equal(runs.length - 1, 4, "one row per run");
  const col = (rows, name) => rows.slice(1).map((r) => r[rows[0].indexOf(name)]);
  assert.deepEqual(col(runs, "session_id").sort(), [...sessions].sort(), "each run's own session");
  assert.deepEqual(col(runs, "arm_label").sort(), ["memory off", "memory off", "memory on", "memory on"]);
  assert.ok(col(runs, "experiment_id").every((v) => v === id));
  for (const a of col(runs, "attempts")) assert.ok(Number(a) >= 1 && Number(a) <= 4, `attempts within the limit: ${a}`);

  const arms = table(csv[`${id}-arms.csv`]);
  assert.deepEqual(arms[0].slice(0, 8), ["arm_id", "label", "runs", "solved", "solve_rate", "solve_rate_low", "solve_rate_high", "accuracy"]);
  assert.equal(arms.length - 1, 2, "one row per arm");
  assert.deepEqual(col(arms, "label"), ["memory off", "memory on"]);
  assert.deepEqual(col(arms, "runs"), ["2", "2"]);
  const shown = await page.$$eval("#experiment-results table tbody tr", (trs) => trs.map((tr) => tr.children[2].textContent.trim()));
  assert.deepEqual(col(arms, "solved"), shown, "the solved counts are the ones on screen");

  // Export JSON: the whole plan and the results.
  const { name, text } = await download(page, () => page.click("#experiment-export-json"));
  assert.equal(name, `${id}.json`);
  const json = JSON.parse(text);
  assert.equal(json.format, "machine-dream-experiment/1");
  assert.equal(json.state.status.length, 4);
  assert.ok(json.state.status.every((s) => s.state === "done"));
  assert.deepEqual(json.results.arms.map((a) => [a.label, a.runs]), [["memory off", 2], ["memory on", 2]]);
  assert.deepEqual(noErrors(errors), []);
});
