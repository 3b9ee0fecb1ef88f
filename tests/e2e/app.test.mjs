// The app in real Chromium: a seeded puzzle from solver-core (wasm), typing shows conflicts,
// entries survive a reload (IndexedDB), the PWA manifest is served, and the edge API answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForPuzzle, readGivens, seenFrom, cell } from "./support.mjs";

test("type a digit, see conflicts, reload, entries are still there", async (t) => {
  const { page, errors, puzzleId } = await openApp(t);
  assert.equal(puzzleId, "9x9-seed-1", "the first visit shows the puzzle of seed 1");

  const grid = await readGivens(page);
  const empties = [];
  for (let r = 0; r < 9; r++) for (let c = 0; c < 9; c++) if (grid[r][c] === 0) empties.push([r, c]);
  assert.ok(empties.length >= 2, "a puzzle has empty cells");

  // A digit already given in the row conflicts.
  const [r1, c1] = empties[0];
  const clash = grid[r1].find((v) => v !== 0);
  await page.fill(cell(r1, c1), String(clash));
  await page.waitForSelector(`${cell(r1, c1)}[data-conflict="true"]`);
  assert.match(await page.textContent("#status"), new RegExp(`${clash} is already in row ${r1 + 1}`));

  // A digit seen nowhere in its row, column or box does not.
  const [r2, c2] = empties.find(([r, c]) => r !== r1 && c !== c1 && seenFrom(grid, r, c).size < 9 &&
    Math.floor(r / 3) !== Math.floor(r1 / 3));
  const free = [1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => !seenFrom(grid, r2, c2).has(d) && d !== clash);
  await page.fill(cell(r2, c2), String(free));
  await page.waitForFunction(() => /^saved \(2 entries\)/.test(document.querySelector("#save-status")?.textContent ?? ""));
  assert.equal(await page.getAttribute(cell(r2, c2), "data-conflict"), null);

  await page.reload();
  assert.equal(await waitForPuzzle(page), puzzleId, "the same puzzle comes back after a reload");
  await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.value === v, [cell(r1, c1), String(clash)]);
  assert.equal(await page.inputValue(cell(r2, c2)), String(free));
  assert.equal(await page.getAttribute(cell(r1, c1), "data-conflict"), "true", "the conflict is shown again after reload");
  assert.deepEqual(errors, []);
});

test("the app is an installable PWA and reaches the edge API", async (t) => {
  const { app, page } = await openApp(t);

  const manifest = await (await fetch(new URL("manifest.webmanifest", app.url))).json();
  assert.equal(manifest.display, "standalone");
  for (const icon of manifest.icons) {
    const response = await fetch(new URL(icon.src, app.url));
    assert.equal(response.status, 200, `icon ${icon.src} is served`);
    assert.equal(response.headers.get("content-type"), icon.type);
  }
  assert.ok(manifest.icons.some((i) => i.sizes === "512x512" && i.type === "image/png"));

  await page.waitForFunction(() => navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready, null, { timeout: 30_000 });
  // The status line reflects a real cross-origin call to the edge API in workerd.
  await page.waitForFunction(() => /edge API: (ok|unreachable)/.test(document.querySelector("#edge-status")?.textContent ?? ""), null, { timeout: 30_000 });
  assert.match(await page.textContent("#edge-status"), /^edge API: ok/);
});

test("arrow keys move cell by cell, givens included, so a screen reader reads every cell", async (t) => {
  const { page } = await openApp(t);
  await page.focus(cell(4, 4));
  await page.keyboard.press("ArrowRight");
  const focused = await page.evaluate(() => [document.activeElement?.dataset.row, document.activeElement?.dataset.col]);
  assert.deepEqual(focused, ["4", "5"]);
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.row), "3");
  const label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
  assert.match(label, /^row 4 column 6, (given \d|empty)$/);
});
