// The puzzle library feeds the model's screens: a puzzle imported on Library is played by the
// real local model from its "LLM Play" link, and an experiment is designed over puzzles
// picked from the library (the set is the picked givens, planned under their library ids).
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, go, launchBrowser, startApp, watchErrors } from "./support.mjs";

const PUZZLES = ["1.3...2.3.1...4.", ".42..3.4...14..."];

test("a library puzzle is played by the model from its link, and an experiment runs over picked library puzzles", async (t) => {
  const app = await startApp({ announceModel: true });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.waitForSelector("#welcome", { timeout: 30_000 });

  await go(page, "Library");
  await page.fill("#import-text", PUZZLES.join("\n"));
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 2 puzzles/.test(document.querySelector("#import-status")?.textContent ?? ""));
  const row = page.locator("#library-list tbody tr").first();
  const puzzleId = await row.getAttribute("data-puzzle-id");
  assert.match(puzzleId, /^4x4-lib-/);

  // Its LLM Play link opens the screen with that library puzzle chosen; Start plays it.
  await row.locator("a.llm-play").click();
  await page.waitForSelector("#llm-library-puzzle");
  assert.equal(await page.inputValue("#llm-puzzle-source"), "library");
  assert.equal(await page.inputValue("#llm-library-puzzle"), puzzleId);
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.fill("#llm-max-attempts", "3");
  await page.click("#llm-start");
  await page.waitForFunction((id) => (document.querySelector("#llm-session-id")?.textContent ?? "").endsWith(id), puzzleId);
  try {
    await page.waitForFunction(() => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= 1, null, { timeout: 180_000 });
  } catch (e) {
    throw new Error(`no move arrived; status: ${await page.textContent("#llm-status").catch(() => "?")}`);
  }
  await page.click("#llm-stop").catch(() => {});

  // The play did not replace the library record: it keeps its origin.
  await go(page, "Library");
  await page.waitForSelector(`#library-list tr[data-puzzle-id="${puzzleId}"]`);
  assert.match(await page.textContent(`#library-list tr[data-puzzle-id="${puzzleId}"]`), /imported/);

  // An experiment over puzzles picked from the library: 2 puzzles × 2 arms = 4 runs.
  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e library A/B");
  await page.selectOption("#experiment-puzzle-source", "library");
  // Nothing picked yet: the design says what to do.
  await page.click("#experiment-run");
  await page.waitForFunction(() => /pick at least one library puzzle/.test(document.querySelector("#experiment-status")?.textContent ?? ""));
  for (const id of [puzzleId]) await page.check(`.picklist input[data-puzzle-id="${id}"]`);
  assert.equal(await page.textContent("#experiment-picked"), "1 picked");
  await page.click("#experiment-pick-all");
  assert.equal(await page.textContent("#experiment-picked"), "2 picked");
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "2");
  await page.click("#experiment-run");
  await page.waitForSelector("#experiment-progress");
  assert.equal(await page.$eval("#experiment-progress", (e) => Number(e.dataset.total)), 4);
  await page.waitForFunction(
    () => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""),
    null, { timeout: 600_000 });
  assert.match(await page.textContent("#experiment-status"), /finished/);
  const runs = await page.$$eval("#experiment-results table tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.runs)));
  assert.deepEqual(runs, [2, 2], "each arm played both library puzzles");
  console.log(`library experiment (local model ${env("MD_MODEL")}, 2 library puzzles × 2 arms, max 2 attempts) finished`);
  assert.deepEqual(errors, []);
});
