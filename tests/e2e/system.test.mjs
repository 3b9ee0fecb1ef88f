// The System screen against real data: store counts and the storage estimate, persistent
// storage asked for, the edge API and the announced profile's model checked for real, the
// version and schema, optimize actions that change the counts, and the app's log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { go, launchBrowser, startApp, watchErrors } from "./support.mjs";

/** Put records straight into the app's database, as an older build or a crash could leave them. */
async function plant(page, store, records) {
  await page.evaluate(([store, records]) => new Promise((resolve, reject) => {
    const open = indexedDB.open("machine-dream");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(store, "readwrite");
      for (const r of records) tx.objectStore(store).put(r);
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), [store, records]);
}

const count = (page, store) => page.$eval(`#store-counts tr[data-store="${store}"]`, (tr) => Number(tr.dataset.count));

test("a person checks the system, optimizes storage and reads the log", async (t) => {
  const app = await startApp({ announceModel: true });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.waitForSelector("#welcome", { timeout: 30_000 });

  await go(page, "System");
  await page.waitForSelector("#store-counts tr[data-store='experiences']");
  assert.equal(await page.locator("#store-counts tbody tr").count(), 10, "every store is counted, the search index's two included");
  assert.match(await page.textContent("#storage-estimate"), /[kM]B used/);
  assert.match(await page.textContent("#diag-version"), /^\d+\.\d+\.\d+ \(build [^)]+\)$/);
  assert.match(await page.textContent("#diag-schema"), /schema version (\d+) \(this build expects \1\)/);
  // The edge API and the announced profile's model answer, for real.
  await page.waitForSelector("#diag-edge[data-ok='true']");
  assert.match(await page.textContent("#diag-edge"), /answered in \d+ ms/);
  await page.waitForSelector("#diag-profiles li[data-state='ok']", { timeout: 120_000 });
  assert.match(await page.textContent("#diag-profiles li"), /reachable: \d+ models listed in \d+ ms/);

  // Persistent storage: the browser answers, and the screen says what it means.
  await page.click("#storage-persist");
  await page.waitForFunction(() => (document.querySelector("#storage-persist-note")?.textContent ?? "") !== "");

  // Records a crash or an older build could leave: an experience whose session is gone, an
  // old consolidated one, a game whose puzzle is gone.
  await plant(page, "experiences", [
    { id: "ghost-session#000001", created_at: Date.now(), consolidated: 0, session_id: "ghost-session" },
    { id: "ghost-session#000002", created_at: 1, consolidated: 1, session_id: "ghost-session" },
  ]);
  await plant(page, "games", [{ puzzle_id: "no-such-puzzle", board: "", entries: [], updated_at: 1 }]);
  await page.click("#log-refresh");
  await page.reload();
  await page.waitForSelector("#store-counts tr[data-store='experiences'][data-count='2']");
  assert.equal(await count(page, "games"), 1);

  // Deleting old consolidated experiences needs a date and a confirmation.
  await page.click("#optimize-delete-old");
  await page.waitForFunction(() => /choose a date first/.test(document.querySelector("#optimize-status")?.textContent ?? ""));
  await page.fill("#optimize-before", "2000-01-01");
  await page.click("#optimize-delete-old");
  await page.waitForFunction(() => /tick the box to confirm/.test(document.querySelector("#optimize-status")?.textContent ?? ""));
  await page.check("#optimize-confirm");
  await page.click("#optimize-delete-old");
  await page.waitForFunction(() => /^deleted 1 consolidated experiences \(experiences 2 → 1\)/.test(document.querySelector("#optimize-status")?.textContent ?? ""));
  await page.waitForSelector("#store-counts tr[data-store='experiences'][data-count='1']");

  await page.click("#optimize-orphans");
  await page.waitForFunction(() => /^removed 1 orphan experiences \(experiences 1 → 0\) and 1 orphan games \(games 1 → 0\)/.test(document.querySelector("#optimize-status")?.textContent ?? ""));
  await page.waitForSelector("#store-counts tr[data-store='experiences'][data-count='0']");
  assert.equal(await count(page, "games"), 0);
  // Nothing else was touched: the announced profile is still there.
  assert.equal(await count(page, "profiles"), 1);

  await page.click("#optimize-reindex");
  await page.waitForFunction(() => /^search index rebuilt: 0 experiences indexed/.test(document.querySelector("#optimize-status")?.textContent ?? ""));

  // The log has what happened, newest first; the level filter hides info.
  await page.click("#log-refresh");
  const first = await page.textContent("#log-entries li:first-child");
  assert.match(first, /INFO .*housekeeping.* orphans removed experiences=1 games=1/);
  await page.selectOption("#log-level", "ERROR");
  assert.equal(await page.locator("#log-entries li").count(), 0, "no errors were logged");
  const download = page.waitForEvent("download");
  await page.click("#log-download");
  const file = await (await download).path();
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.message.startsWith("orphans removed")), "the download has the entries");
  assert.deepEqual(errors, []);
});
