// Offline: after one visit the service worker serves the shell and the wasm. We take the
// browser offline with DevTools network emulation AND stop the app's server, then reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startApp, launchBrowser, watchErrors, waitForPuzzle, readGivens, cell, playUrl } from "./support.mjs";

test("a page loaded once works offline after a reload", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(playUrl(app));
  const puzzleId = await waitForPuzzle(page);
  // Wait until the service worker has installed (precached everything) and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });

  const grid = await readGivens(page);
  let target;
  for (let r = 0; r < 9 && !target; r++) for (let c = 0; c < 9 && !target; c++) if (grid[r][c] === 0) target = [r, c];
  await page.fill(cell(...target), "4");
  await page.waitForFunction(() => /^saved/.test(document.querySelector("#save-status")?.textContent ?? ""));

  await app.stop();
  await context.setOffline(true);
  const direct = await page.evaluate(async (url) => {
    try { await fetch(url + "?bypass=" + Date.now(), { cache: "no-store", mode: "no-cors" }); return "reached"; }
    catch { return "offline"; }
  }, "http://127.0.0.1:1/");
  assert.equal(direct, "offline", "the network really is unavailable to the page");

  await page.reload();
  assert.equal(await waitForPuzzle(page), puzzleId, "the app starts offline with the same puzzle");
  assert.equal(await page.inputValue(cell(...target)), "4", "the entry made online is still there");
  await page.fill(cell(...target), "5");
  await page.waitForFunction(() => /^saved/.test(document.querySelector("#save-status")?.textContent ?? ""));
  assert.match(await page.textContent("#edge-status"), /edge API: (unreachable|not configured)/);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
