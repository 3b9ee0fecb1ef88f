// A reload in the middle of a dream and in the middle of an experiment, in a real browser: the
// dream leaves nothing half-done behind and dreams again cleanly (one unit, every experience
// consolidated once); the experiment says it was interrupted, Resume finishes it, and every run
// is recorded exactly once. The model is the scripted upstream, reached straight (a direct
// profile), slowed down so the reload lands mid-way.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, openLab, startPlay, storedRecords, waitForStatus } from "./lab-support.mjs";

let up;
const control = { mode: null, delayMs: 0, moves: 0 };

before(async () => { up = await startScriptedUpstream({ cors: true, control }); });
after(async () => { await up?.stop(); });

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));

test("a person reloads the page in the middle of a dream, dreams again, and gets one unit with every experience consolidated once", async (t) => {
  Object.assign(control, { mode: null, delayMs: 0 });
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  for (const seed of [3, 4]) {
    await startPlay(page, { seed, maxAttempts: 16 });
    await waitForStatus(page, /ended|solved/);
  }
  const played = (await storedRecords(page, "experiences")).length;
  assert.ok(played >= 16, `${played} experiences stored`);

  // Dream with the model writing the texts, slowly: reload while it asks.
  control.delayMs = 5_000;
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  await page.check("#dream-llm");
  await page.click("#dream-run");
  await page.waitForFunction(() => /cluster|abstraction/.test(document.querySelector("#dream-status")?.textContent ?? ""), null, { timeout: 30_000 });
  const phase = await page.$eval("#dream-progress", (e) => e.dataset.phase);
  const midway = (await page.textContent("#dream-status")).trim();
  await page.reload();
  await page.waitForSelector("nav.screens");
  assert.deepEqual(await storedRecords(page, "learning_units"), [], `an interrupted dream (${phase}: ${midway}) stores no unit`);
  assert.ok((await storedRecords(page, "experiences")).every((e) => e.consolidated === 0), "and marks no experience consolidated");

  // Dreaming again (offline now) finishes, once.
  control.delayMs = 0;
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  assert.equal(await page.isChecked("#dream-llm"), false);
  await page.click("#dream-run");
  await page.waitForSelector("#dream-result[data-unit-id]", { timeout: 60_000 });
  const report = await page.textContent("#dream-result");
  assert.match(report, new RegExp(`capture: ${played} experiences read`), "the second dream reads every experience");
  const units = await storedRecords(page, "learning_units");
  assert.equal(units.length, 1, "exactly one unit");
  const experiences = await storedRecords(page, "experiences");
  const marked = experiences.filter((e) => e.consolidated === 1).length;
  assert.match(report, new RegExp(`${marked} experiences marked consolidated`));
  assert.ok(marked > 0);
  await page.click("#dream-run");
  await page.waitForFunction(() => /no experiences to dream over|dream finished/.test(document.querySelector("#dream-status")?.textContent ?? ""));
  if (experiences.every((e) => e.consolidated === 1)) {
    assert.match(await page.textContent("#dream-status"), /no experiences to dream over/, "nothing is dreamed twice");
    assert.equal((await storedRecords(page, "learning_units")).length, 1);
  }
  assert.deepEqual(noErrors(errors), []);
});

test("a person reloads the page in the middle of an experiment and resumes it: every run recorded once, the counts add up", async (t) => {
  Object.assign(control, { mode: null, delayMs: 150 });
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });

  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e reload");
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "11");
  await page.fill("#experiment-seed-to", "12");
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "8");
  await page.click("#experiment-run");
  await page.waitForSelector("#experiment-progress");
  const total = await page.$eval("#experiment-progress", (e) => Number(e.dataset.total));
  assert.equal(total, 4, "2 arms × 2 puzzles × 1 run");
  await page.waitForFunction(() => Number(document.querySelector("#experiment-progress")?.dataset.done ?? 0) >= 1, null, { timeout: 60_000 });
  // Mid-run: at least one move of the next run is stored.
  await page.waitForFunction(() => /run \d of 4/.test(document.querySelector("#experiment-status")?.textContent ?? ""));
  await page.reload();

  await go(page, "Experiments");
  await page.waitForFunction(() => /was interrupted \(\d+ runs? to replay\); press Resume|finished/.test(document.querySelector("#experiment-status")?.textContent ?? ""));
  const status = (await page.textContent("#experiment-status")).trim();
  const [record] = await storedRecords(page, "experiments");
  const doneAtReload = record.state.status.filter((s) => s.state === "done").length;
  console.log(`# reload: "${status}"; stored plan ${JSON.stringify(record.state.status.map((s) => s.state))}`);
  if (/interrupted/.test(status)) {
    await page.click("#experiment-resume");
    await page.waitForFunction(() => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""), null, { timeout: 120_000 });
  }
  assert.match(await page.textContent("#experiment-status"), /finished: 4 runs done, 0 failed/);
  const runs = await page.$$eval("#experiment-results table tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.runs)));
  assert.deepEqual(runs, [2, 2], "each arm has its two runs, none twice");

  const [finished] = await storedRecords(page, "experiments");
  const results = finished.state.status.map((s) => s.result).filter(Boolean);
  assert.equal(results.length, 4, `every run is done in the stored plan (${doneAtReload} before the reload)`);
  const sessionIds = results.map((r) => r.session_id);
  assert.equal(new Set(sessionIds).size, 4, "each run has its own session");
  const sessions = (await storedRecords(page, "sessions")).filter((s) => s.experiment_id === finished.id);
  for (const id of sessionIds) {
    const s = sessions.find((x) => x.id === id);
    assert.ok(s, `the session of a result exists (${id})`);
    assert.match(s.state, /solved|abandoned/);
    const n = (await storedRecords(page, "experiences")).filter((e) => e.session_id === id).length;
    assert.equal(n, s.session.attempts.length, "its experiences are its attempts");
  }
  // The run the reload cut off is replayed with a fresh session; the old one is not left "running".
  const leftOver = sessions.filter((s) => !sessionIds.includes(s.id));
  for (const s of leftOver) assert.notEqual(s.state, "running", `the interrupted session ${s.id} does not look like it still runs`);
  assert.deepEqual(noErrors(errors), []);
});
