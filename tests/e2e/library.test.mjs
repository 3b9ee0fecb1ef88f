// Importing puzzles: a malformed paste shows each problem precisely and stores nothing; a good
// paste fills the library, and a puzzle from it opens on Play.
import { test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp } from "./support.mjs";

const GOOD = "1.3...2.3.1...4.";

test("a malformed paste shows its precise errors and stores nothing; a good one can be played", async (t) => {
  const { page, errors } = await openApp(t);
  await go(page, "Library");
  await page.waitForSelector("#library-list");
  const before = await page.locator("#library-list tbody tr").count();

  await page.fill("#import-text", `${GOOD}\n1.3...2.3.1..x4.\n11..............\n`);
  await page.click("#import-paste");
  await page.waitForSelector("#import-errors li");
  const problems = await page.$$eval("#import-errors li", (items) => items.map((i) => i.textContent));
  assert.match(problems[0], /^line 2: row 4, column 2: 'x'/);
  assert.match(problems[1], /^line 3: value 1 appears twice in row 1/);
  assert.match(await page.textContent("#import-status"), /^nothing imported/);
  assert.equal(await page.locator("#library-list tbody tr").count(), before, "nothing was stored");

  await page.fill("#import-text", `# two good ones\n${GOOD}\n.42..3.4...14...\n`);
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 2 puzzles/.test(document.querySelector("#import-status")?.textContent ?? ""));
  assert.equal(await page.locator("#library-list tbody tr").count(), before + 2);
  assert.equal(await page.$("#import-errors"), null, "the old problems are gone");

  await page.click("#library-list tbody tr:first-child a");
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("4x4-lib-"));
  assert.deepEqual(errors, []);
});
