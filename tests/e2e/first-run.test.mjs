// A new person right after `cargo xtask serve`: the app is served with an app-config.json that
// announces the local model behind the edge API, and pressing Start on LLM Play — with no
// profile set up, nothing chosen — makes the real model play and its moves arrive, judged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, go, launchBrowser, startApp, watchErrors } from "./support.mjs";

test("Start on LLM Play right after serve: moves arrive with no profile setup", async (t) => {
  const app = await startApp({ announceModel: true });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  const started = Date.now();
  await page.goto(app.url);
  await page.waitForSelector("#welcome", { timeout: 30_000 });

  await go(page, "LLM Play");
  // The ready profile is there and chosen: through the edge API, the served model.
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  const chosen = await page.$eval("#llm-profile", (s) => s.selectedOptions[0]?.textContent ?? "");
  assert.match(chosen, new RegExp(env("MD_MODEL")), `the announced model's profile is preselected (got ${chosen})`);

  await page.click("#llm-start");
  try {
    await page.waitForFunction(() => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= 2, null, { timeout: 180_000 });
  } catch (e) {
    throw new Error(`no moves arrived; status: ${await page.textContent("#llm-status").catch(() => "?")}`);
  }
  const outcomes = await page.$$eval(".move-list li[data-outcome]", (items) => items.map((i) => i.dataset.outcome));
  assert.ok(outcomes.length >= 2, "the moves are listed");
  for (const outcome of outcomes) assert.match(outcome, /^(CORRECT|INVALID|VALID_BUT_WRONG|UNPARSEABLE)$/);
  console.log(`# first model move reached ${((Date.now() - started) / 1000).toFixed(1)} s after opening the app`);
  await page.click("#llm-stop");

  // Profiles shows the same ready profile once (a reload does not make another), and a local
  // template proposes its server's real port, not the app's.
  await page.reload();
  await go(page, "Profiles");
  await page.waitForSelector("#profile-list li[data-profile-id]");
  assert.equal(await page.locator("#profile-list li[data-profile-id]").count(), 1, "one announced profile, not one per load");
  await page.selectOption("#profile-template", "lm_studio");
  await page.click("#profile-create");
  await page.selectOption("#profile-route", "direct");
  assert.equal(await page.inputValue("#profile-base-url"), "http://localhost:1234/v1");
  assert.deepEqual(errors, []);
});
