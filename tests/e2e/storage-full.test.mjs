// A full disk, as Chromium makes one: the DevTools protocol caps the origin's quota at what it
// already uses. Every write that fails says so and how to free space, nothing is half-written,
// and the app goes on showing what it has; once space is back, the same write goes through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./edge-harness.mjs";
import { go, launchBrowser, firstEmptyCell, startApp, watchErrors } from "./support.mjs";

const FULL = /browser storage is full: nothing was written; free space on the System screen/;

test("the browser's storage is full: the failed write is reported, nothing is half-written, reading still works", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  // No service worker: the origin's usage is then IndexedDB alone, a few hundred kB here.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  // Chromium fixes an origin's quota when the origin first opens storage: the cap goes in
  // before the app loads. 400 kB hold the app's database and a few puzzles, not the 1,465 of
  // data/top1465.txt.
  const cdp = await context.newCDPSession(page);
  const origin = new URL(app.url).origin;
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 400_000 });
  await page.goto(new URL("library", app.url + "/").href);
  await page.waitForSelector("#library-list");
  await page.fill("#import-text", "1.3...2.3.1...4.\n");
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 1 puzzle/.test(document.querySelector("#import-status")?.textContent ?? ""));
  const rows = await page.locator("#library-list tbody tr").count();

  // Every puzzle of top1465 in one import: refused whole.
  const lines = readFileSync(join(ROOT, "data/top1465.txt"), "utf8").split("\n").filter((l) => l.length === 81);
  await page.fill("#import-text", lines.join("\n"));
  await page.click("#import-paste");
  await page.waitForFunction(() => /^nothing imported/.test(document.querySelector("#import-status")?.textContent ?? ""));
  assert.match(await page.textContent("#import-status"), FULL);
  assert.equal(await page.locator("#library-list tbody tr").count(), rows, "not one of them was written");

  // What little room the big import left is filled to the last byte (random text, which
  // does not compress), so that even a small write cannot fit.
  const filled = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("machine-dream");
    open.onsuccess = () => {
      const db = open.result;
      const put = (i) => {
        const bytes = crypto.getRandomValues(new Uint8Array(i < 1000 ? 16_384 : 256));
        const tx = db.transaction("settings", "readwrite");
        tx.objectStore("settings").put({ key: `filler-${i}`, value: btoa(String.fromCharCode(...bytes)) });
        tx.oncomplete = () => (i < 2000 ? put(i + 1) : (db.close(), resolve(i)));
        tx.onabort = () => (i < 1000 ? put(1000) : (db.close(), resolve(i)));
      };
      put(0);
    };
  }));
  assert.ok(filled < 2000, "the cap holds");

  // Play: the move shows, the save fails and says so.
  await page.click("#library-list tbody tr:first-child a");
  await page.waitForSelector("#board [data-row]");
  const target = await firstEmptyCell(page);
  await page.focus(target);
  await page.keyboard.press("2");
  await page.waitForFunction(() => /^not saved: /.test(document.querySelector("#save-status")?.textContent ?? ""));
  assert.match(await page.textContent("#save-status"), FULL);
  assert.equal(await page.inputValue(target), "2", "the board keeps working");

  // Reading goes on: the library and the System screen show what is stored.
  await go(page, "Library");
  await page.waitForFunction((n) => document.querySelectorAll("#library-list tbody tr").length === n, rows);
  await go(page, "System");
  await page.waitForSelector("#store-counts tr[data-store='puzzles']");
  assert.equal(await page.$eval("#store-counts tr[data-store='puzzles']", (tr) => Number(tr.dataset.count)), rows);

  // Space comes back (the quota override is lifted): the same import goes through.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await go(page, "Library");
  await page.fill("#import-text", lines.join("\n"));
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 1465 puzzles/.test(document.querySelector("#import-status")?.textContent ?? ""));
  await page.waitForFunction((n) => document.querySelectorAll("#library-list tbody tr").length === n, rows + 1465);
  // The storage errors were reported in the app, not thrown.
  assert.deepEqual(errors.filter((e) => !/QuotaExceeded|storage is full/i.test(e)), []);
});
