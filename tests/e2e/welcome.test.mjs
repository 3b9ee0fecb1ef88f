// A new person's first minute: the welcome on Home leads to a first move of their own or of a
// model's; it can be skipped, stays away after that, and comes back when asked on Help.
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, readBoard, solveGrid, startApp, watchErrors } from "./support.mjs";

async function freshPage(t, options) {
  const app = await startApp(options);
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  return { app, page, errors: watchErrors(page) };
}

test("the welcome's Play path reaches a first move of one's own in under a minute", async (t) => {
  const { app, page, errors } = await freshPage(t);
  const started = Date.now();
  await page.goto(app.url);
  await page.waitForSelector("#welcome");
  await page.selectOption("#welcome-size", "4");
  await page.click("#welcome-play");
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("4x4-"));
  const { n, grid, given } = await readBoard(page);
  const answer = grid.map((row) => row.slice());
  assert.ok(solveGrid(answer, n));
  const [r, c] = [...Array(n * n).keys()].map((i) => [Math.floor(i / n), i % n]).find(([r, c]) => !given[r][c]);
  await page.focus(`#board input[data-row="${r}"][data-col="${c}"]`);
  await page.keyboard.press(String(answer[r][c]));
  await page.waitForFunction(() => /^saved/.test(document.querySelector("#save-status")?.textContent ?? ""));
  const seconds = (Date.now() - started) / 1000;
  console.log(`# scripted new user: first own move ${seconds.toFixed(1)} s after opening the app`);
  assert.ok(seconds < 60, `first move within a minute (took ${seconds} s)`);
  assert.deepEqual(errors, []);
});

test("the welcome's model path: the served model preselected, tested, a first play started", async (t) => {
  const { app, page, errors } = await freshPage(t, { announceModel: true });
  const started = Date.now();
  await page.goto(app.url);
  await page.waitForSelector("#welcome");
  await page.waitForSelector("#welcome-profile option", { state: "attached" });
  assert.match(await page.$eval("#welcome-profile", (s) => s.selectedOptions[0].textContent), new RegExp(env("MD_MODEL")));
  await page.click("#welcome-test");
  await page.waitForFunction(() => /ok|failed|reached/.test(document.querySelector("#welcome-test-result")?.textContent ?? ""));
  assert.match(await page.textContent("#welcome-test-result"), /^ok · \d+ ms/);
  await page.click("#welcome-llm");
  await page.waitForFunction(() => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= 1, null, { timeout: 120_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`# scripted new user: first model move ${seconds.toFixed(1)} s after opening the app`);
  assert.ok(seconds < 60, `first model move within a minute (took ${seconds} s)`);
  await page.click("#llm-stop");
  assert.deepEqual(errors, []);
});

test("the welcome can be skipped, stays away, and comes back from Help", async (t) => {
  const { app, page, errors } = await freshPage(t);
  await page.goto(app.url);
  await page.waitForSelector("#welcome");
  await page.click("#welcome-skip");
  await page.waitForSelector("#welcome", { state: "detached" });
  await page.reload();
  await page.waitForSelector("#examples");
  await page.waitForTimeout(500);
  assert.equal(await page.$("#welcome"), null, "a skipped welcome does not come back by itself");
  await page.click(`nav.screens a:text-is("Help")`);
  await page.click("#help-welcome");
  await page.waitForSelector("#welcome");
  assert.deepEqual(errors, []);
});

test("the quick tour walks over the real screens and can be closed", async (t) => {
  const { app, page, errors } = await freshPage(t);
  await page.goto(app.url);
  await page.waitForSelector("#welcome");
  await page.click("#welcome-tour");
  await page.waitForSelector("#tour");
  assert.match(await page.textContent("#tour-title"), /^Play$/);
  await page.waitForSelector("#board.tour-target");
  await page.click("#tour-next");
  await page.waitForFunction(() => location.pathname.endsWith("/library"));
  await page.waitForSelector("#import-text.tour-target");
  await page.click("#tour-next");
  await page.waitForFunction(() => location.pathname.endsWith("/llm"));
  assert.match(await page.textContent("#tour"), /step 3 of \d/);
  await page.click("#tour-close");
  await page.waitForSelector("#tour", { state: "detached" });
  await page.waitForFunction(() => document.querySelector(".tour-target") === null, null, { timeout: 5_000 });
  assert.deepEqual(errors, []);
});
