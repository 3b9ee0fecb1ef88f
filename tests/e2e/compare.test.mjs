// The comparison view in a real browser: a tiny A/B experiment against the scripted model,
// then puzzle by puzzle against the baseline — changes counted as the stored runs say, a
// filter and a sort kept in the URL (a reload and a link open the same view), one puzzle's
// moves side by side as the stored sessions hold them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, openLab, storedRecords } from "./lab-support.mjs";

let up;
before(async () => { up = await startScriptedUpstream({ cors: true }); });
after(async () => { await up?.stop(); });

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));

/** What the comparison should say, from the stored runs: arm 1 against arm 0, per puzzle. */
function expectedChanges(record) {
  const [base, arm] = record.state.experiment.arms.map((a) => a.id);
  const sides = new Map();
  record.state.runs.forEach((run, i) => {
    const s = record.state.status[i];
    if (s.state !== "done" || run.training) return;
    const side = sides.get(run.puzzle.id) ?? { [base]: { solved: 0, runs: 0, correct: 0, attempts: 0 }, [arm]: { solved: 0, runs: 0, correct: 0, attempts: 0 } };
    const r = s.result, t = side[r.arm_id];
    t.solved += r.solved ? 1 : 0; t.runs += 1; t.correct += r.correct; t.attempts += r.attempts;
    sides.set(run.puzzle.id, side);
  });
  const out = {};
  for (const [id, side] of sides) {
    const a = side[arm], b = side[base];
    const share = a.solved * b.runs - b.solved * a.runs;
    const acc = a.correct * Math.max(b.attempts, 1) - b.correct * Math.max(a.attempts, 1);
    const d = share !== 0 ? share : acc;
    out[id] = d > 0 ? "better" : d < 0 ? "worse" : "same";
  }
  return out;
}

test("a person compares two arms puzzle by puzzle, links the view and opens a puzzle side by side", async (t) => {
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e compare");
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "31");
  await page.fill("#experiment-seed-to", "33");
  await page.fill("#experiment-runs", "1");
  // Different budgets per run make the arms differ: the scripted model cycles through moves.
  await page.fill("#experiment-max-attempts", "6");
  await page.click("#experiment-run");
  await page.waitForFunction(() => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""), null, { timeout: 120_000 });
  const [record] = await storedRecords(page, "experiments");
  const expected = expectedChanges(record);
  assert.equal(Object.keys(expected).length, 3, "three puzzles played by both arms");

  // From the results to the comparison: the experiment, the control as baseline.
  await page.click("#experiment-compare");
  await page.waitForSelector("#compare-table tbody tr[data-puzzle-id]");
  assert.match(page.url(), new RegExp(`/compare\\?exp=${record.id}`));
  const shown = Object.fromEntries(await page.$$eval("#compare-table tbody tr", (trs) => trs.map((tr) => [tr.dataset.puzzleId, tr.dataset.change])));
  assert.deepEqual(shown, expected, "each puzzle's change is what the stored runs say");
  const counts = await page.$eval("#compare-summary", (p) => [p.dataset.better, p.dataset.worse, p.dataset.same].map(Number));
  const tally = (c) => Object.values(expected).filter((v) => v === c).length;
  assert.deepEqual(counts, [tally("better"), tally("worse"), tally("same")]);
  // Colour never alone: every row says its change in words.
  for (const text of await page.$$eval("#compare-table tbody td.change", (tds) => tds.map((td) => td.textContent.trim()))) {
    assert.match(text, /^(better|worse|same)$/);
  }

  // Filter to one change and sort: both go into the URL, and a reload keeps the view.
  await page.check("#compare-show-same");
  await page.selectOption("#compare-sort", "regressions");
  await page.waitForFunction(() => /show=same/.test(location.search) && /sort=regressions/.test(location.search));
  const sameOnly = await page.$$eval("#compare-table tbody tr", (trs) => trs.map((tr) => tr.dataset.change));
  assert.ok(sameOnly.every((c) => c === "same"), `only "same" rows: ${sameOnly}`);
  assert.equal(sameOnly.length, tally("same"));
  const linked = page.url();
  await page.reload();
  await page.waitForSelector("#compare-summary");
  assert.equal(page.url(), linked);
  assert.equal(await page.isChecked("#compare-show-same"), true);
  assert.equal(await page.$eval("#compare-sort", (s) => s.value), "regressions");
  await page.uncheck("#compare-show-same");
  await page.waitForFunction(() => !/show=/.test(location.search));

  // Regressions first: no "better" row comes before a "worse" one.
  const order = await page.$$eval("#compare-table tbody tr", (trs) => trs.map((tr) => tr.dataset.change));
  assert.equal(order.length, 3);
  const rank = { worse: 0, same: 1, better: 2 };
  for (let i = 1; i < order.length; i++) assert.ok(rank[order[i - 1]] <= rank[order[i]], `regressions first: ${order}`);

  // One puzzle side by side: the moves are the stored sessions' moves, in order.
  const puzzle = Object.keys(expected)[0];
  await page.click(`#compare-table tr[data-puzzle-id="${puzzle}"] button`);
  await page.waitForSelector(`#compare-detail[data-puzzle-id="${puzzle}"] #compare-moves tbody tr`);
  assert.match(page.url(), new RegExp(`puzzle=${puzzle}`));
  const sessions = await storedRecords(page, "sessions");
  const runsOf = (armIndex) => record.state.runs.map((run, i) => [run, record.state.status[i]])
    .filter(([run, s]) => run.puzzle.id === puzzle && run.arm === armIndex && s.state === "done")
    .map(([, s]) => sessions.find((x) => x.id === s.result.session_id));
  const [baseSession] = runsOf(0), [armSession] = runsOf(1);
  const rows = await page.$$eval("#compare-moves tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.dataset.outcome ?? null)));
  const longest = Math.max(baseSession.session.attempts.length, armSession.session.attempts.length);
  assert.equal(rows.length, longest, "one row per move of the longer play");
  const word = (attempt) => attempt ? attempt.judgement.outcome.toUpperCase() : null;
  for (const [i, [b, a]] of rows.entries()) {
    assert.equal(b, word(baseSession.session.attempts[i]), `baseline move ${i + 1}`);
    assert.equal(a, word(armSession.session.attempts[i]), `arm move ${i + 1}`);
  }

  // A linked view opens as it was when someone follows the link (here: after leaving it).
  const link = page.url();
  await go(page, "Home");
  await page.goto(link);
  await page.waitForSelector(`#compare-detail[data-puzzle-id="${puzzle}"] #compare-moves tbody tr`);
  assert.equal(await page.$$eval("#compare-moves tbody tr", (trs) => trs.length), longest);
  assert.deepEqual(noErrors(errors), []);
});
