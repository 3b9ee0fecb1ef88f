// Dreaming and experiments end to end, in real Chromium, with the real local model behind the
// edge API in workerd: play a 4x4 → dream over those attempts → a verified learning unit is
// stored and active → a tiny A/B experiment (memory off vs on) finishes with intervals → with
// memory on, the next play's prompt carries the unit's items.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createModelProfile, go, openApp, saveProfile } from "./support.mjs";

// Enough attempts that some moves repeat a pattern (a unit item needs two of a kind).
const MIN_ATTEMPTS = 20;

const attempts = (page) => page.$eval("#llm-stats", (e) => Number(e.dataset.attempts ?? 0));

test("play, dream a verified unit, run a memory A/B experiment, the unit reaches the prompt", async (t) => {
  const { page, errors } = await openApp(t);
  page.setDefaultTimeout(60_000);

  // A profile that goes through the edge API to the local model, with short JSON answers.
  await createModelProfile(page);
  await saveProfile(page);

  // Play 4x4 puzzles until at least MIN_ATTEMPTS attempts are stored (a new puzzle if one ends sooner).
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.selectOption("#llm-size", "4");
  await page.fill("#llm-max-attempts", "30");
  let played = 0;
  for (const seed of [3, 4, 5, 6, 7]) {
    // Wait for the new session to be shown: until then the status still describes the last one.
    const previous = await page.textContent("#llm-session-id");
    await page.fill("#llm-seed", String(seed));
    await page.click("#llm-start");
    await page.waitForFunction((p) => (document.querySelector("#llm-session-id")?.textContent ?? "") !== p, previous);
    await page.waitForFunction(
      (n) => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= n
        || /solved|ended/.test(document.querySelector("#llm-status")?.textContent ?? ""),
      MIN_ATTEMPTS, { timeout: 180_000 });
    if (!(await page.isDisabled("#llm-stop"))) await page.click("#llm-stop");
    await page.waitForFunction(() => /paused|solved|ended/.test(document.querySelector("#llm-status")?.textContent ?? ""));
    played += await attempts(page);
    if (played >= MIN_ATTEMPTS) break;
  }
  assert.ok(played >= MIN_ATTEMPTS, `at least ${MIN_ATTEMPTS} attempts were played (${played})`);

  // Dream offline over them: phase by phase to "done", a unit with verified items.
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  assert.equal(await page.isChecked("#dream-llm"), false);
  await page.click("#dream-run");
  await page.waitForSelector("#dream-result[data-unit-id]", { timeout: 120_000 });
  assert.equal(await page.$eval("#dream-progress", (e) => e.dataset.phase), "done");
  const unitId = await page.$eval("#dream-result", (e) => e.dataset.unitId);
  const report = await page.$$eval("#dream-result li", (items) => items.map((i) => i.textContent).join("\n"));
  assert.match(report, new RegExp(`capture: ${played} experiences read`), "every attempt was captured");
  assert.match(report, /verification: \d+ of \d+ checks passed/);
  await page.waitForSelector("#dream-dropped");
  console.log(`dream report:\n${report}`);
  const lines = await page.$$eval("#unit-detail [data-line]", (items) => items.map((i) => i.dataset.line));
  assert.ok(lines.length > 0, "the unit has items that passed verification");
  console.log(`dream: ${played} attempts → unit ${unitId} with ${lines.length} items`);

  // The Learning Units screen lists it as the active one; dreaming again finds nothing new.
  await go(page, "Units");
  const item = `#unit-list li[data-unit-id="${unitId}"]`;
  await page.waitForSelector(item);
  assert.equal(await page.$eval(item, (e) => e.dataset.active), "true");
  assert.match(await page.textContent(item), /active/);
  await page.click(`${item} .unit-show`);
  await page.waitForSelector(`#unit-detail[data-unit-id="${unitId}"]`);
  await go(page, "Dream");
  await page.click("#dream-run");
  await page.waitForFunction(() => /no experiences to dream over/.test(document.querySelector("#dream-status")?.textContent ?? ""));

  // A tiny A/B experiment through the design form: memory off vs on, 2 puzzles × 1 run.
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e memory A/B");
  assert.equal(await page.isChecked("fieldset.arm[data-arm='1'] .arm-memory"), false);
  assert.equal(await page.isChecked("fieldset.arm[data-arm='2'] .arm-memory"), true);
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "11");
  await page.fill("#experiment-seed-to", "12");
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "8");
  await page.click("#experiment-run");
  await page.waitForSelector("#experiment-progress");
  assert.equal(await page.$eval("#experiment-progress", (e) => Number(e.dataset.total)), 4);
  await page.waitForFunction(
    () => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""),
    null, { timeout: 600_000 });
  const status = await page.textContent("#experiment-status");
  assert.match(status, /finished: 4 runs done, 0 failed/, status);
  const rows = await page.$$eval("#experiment-results table tbody tr", (trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.textContent.trim())));
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row[1], "2", "n = 2 runs per arm");
    assert.match(row[3], /^\d+% \(95% CI \d+–\d+%\)$/, `solve rate with CI: ${row[3]}`);
    assert.match(row[4], /^\d+% \(95% CI \d+–\d+%\)$/, `accuracy with CI: ${row[4]}`);
  }
  const verdict = (await page.textContent("#experiment-verdict")).trim();
  assert.ok(verdict.length > 0);
  assert.equal(await page.$$eval("#experiment-results svg", (s) => s.length), 3, "three charts");
  console.log("experiment (local model, 4x4, 2 puzzles × 1 run, max 8 attempts):");
  console.log("  arm | n | solved | solve rate | accuracy | outcomes");
  for (const row of rows) console.log(`  ${row.slice(0, 6).join(" | ")}`);
  console.log(`  verdict: ${verdict}`);

  // With memory on, the next LLM play's prompt carries the unit's items.
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.fill("#llm-seed", "21");
  await page.check("#llm-memory");
  await page.click("#llm-start");
  await page.waitForFunction(() => (document.querySelector("#llm-prompt pre")?.textContent ?? "").length > 0, null, { timeout: 120_000 });
  const prompt = await page.textContent("#llm-prompt pre");
  assert.ok(lines.some((l) => prompt.includes(l)), "the prompt contains at least one of the unit's items");
  if (!(await page.isDisabled("#llm-stop"))) await page.click("#llm-stop");

  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
});
