// Backup and restore on the System screen, as a person does it: download one file with
// everything (games and settings included, no token), try a cut file and one from a newer app
// (both refused with their reason, nothing changed), then restore by merging and by replacing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { go, launchBrowser, firstEmptyCell, startApp, watchErrors } from "./support.mjs";
import { download } from "./lab-support.mjs";

const count = (page, store) => page.$eval(`#store-counts tr[data-store="${store}"]`, (tr) => Number(tr.dataset.count));
const status = (page) => page.textContent("#backup-status");
const waitStatus = (page, pattern) => page.waitForFunction(
  (source) => new RegExp(source).test(document.querySelector("#backup-status")?.textContent ?? ""), pattern.source);

async function pick(page, name, text) {
  await page.setInputFiles("#restore-file", { name, mimeType: "application/x-ndjson", buffer: Buffer.from(text) });
}

test("back up everything, refuse a corrupt and a newer backup, restore by replacing", async (t) => {
  const app = await startApp({ announceModel: true });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(new URL("play", app.url + "/").href);
  await page.waitForSelector("#board [data-row]");
  // A person's game: one value typed into the first empty cell.
  const target = await firstEmptyCell(page);
  await page.focus(target);
  await page.keyboard.press("1");
  await go(page, "Library");
  await page.fill("#import-text", "1.3...2.3.1...4.\n");
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 1 puzzle/.test(document.querySelector("#import-status")?.textContent ?? ""));

  await go(page, "System");
  await page.waitForSelector("#store-counts tr[data-store='games'][data-count='1']");
  const before = { puzzles: await count(page, "puzzles"), games: 1, settings: await count(page, "settings"), profiles: await count(page, "profiles") };
  const backup = await download(page, () => page.click("#backup-download"));
  assert.match(backup.name, /^machine-dream-backup-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\.jsonl$/);
  const lines = backup.text.trim().split("\n");
  assert.equal(JSON.parse(lines[0]).version, 2);
  const kinds = lines.slice(1).map((l) => JSON.parse(l).kind);
  assert.equal(kinds.filter((k) => k === "game").length, 1, "the game is in the backup");
  assert.equal(kinds.filter((k) => k === "puzzle").length, before.puzzles);
  assert.ok(kinds.includes("setting"), "settings are in the backup");
  assert.equal(kinds.filter((k) => k === "profile").length, before.profiles);
  assert.doesNotMatch(backup.text, /edge_token_sealed|token_key/, "no token, sealed or not, and not its key");
  await waitStatus(page, /^backup downloaded/);

  // A file cut in the middle of a line: refused with the line, nothing changed.
  const cut = backup.text.slice(0, backup.text.length - 30);
  await pick(page, "cut.jsonl", cut);
  await waitStatus(page, /cannot be restored, nothing was changed: .*line \d+/);
  assert.equal(await page.$("#restore-summary"), null, "no restore is offered");
  // A file from a newer app: refused, saying so.
  await pick(page, "newer.jsonl", backup.text.replace(/"version":2/, '"version":3'));
  await waitStatus(page, /newer version of the app \(format version 3/);
  assert.equal(await count(page, "puzzles"), before.puzzles);

  // Something changes after the backup: one more puzzle, the game goes on.
  await go(page, "Library");
  await page.fill("#import-text", ".42..3.4...14...\n");
  await page.click("#import-paste");
  await page.waitForFunction(() => /^imported 1 puzzle/.test(document.querySelector("#import-status")?.textContent ?? ""));
  await go(page, "System");
  await page.waitForSelector(`#store-counts tr[data-store='puzzles'][data-count='${before.puzzles + 1}']`);

  // The check shows what the file holds and what is already here.
  await pick(page, "backup.jsonl", backup.text);
  await page.waitForSelector("#restore-summary");
  await waitStatus(page, /^the file is valid/);
  const row = (kind) => page.$$eval(`#restore-summary tbody tr`, (rows, kind) => {
    const r = rows.find((tr) => tr.querySelector("th").textContent === kind);
    return [...r.querySelectorAll("td")].map((td) => Number(td.textContent));
  }, kind);
  assert.deepEqual(await row("puzzles"), [before.puzzles, before.puzzles, before.puzzles + 1], "in the file, same id here, stored");
  assert.deepEqual(await row("games"), [1, 1, 1]);

  // Merge keeps the puzzle added since; replace brings back exactly the file.
  await page.click("#restore-merge");
  await waitStatus(page, /^restored: /);
  assert.match(await status(page), /1 games/);
  await page.waitForSelector(`#store-counts tr[data-store='puzzles'][data-count='${before.puzzles + 1}']`);

  await pick(page, "backup.jsonl", backup.text);
  await page.waitForSelector("#restore-replace");
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("#restore-replace");
  await waitStatus(page, /^restored: /);
  await page.waitForSelector(`#store-counts tr[data-store='puzzles'][data-count='${before.puzzles}']`);
  assert.equal(await count(page, "games"), 1);
  assert.equal(await count(page, "profiles"), before.profiles);

  // The restored game plays on where it was.
  await page.goto(new URL("play", app.url + "/").href);
  await page.waitForSelector("#board [data-row]");
  assert.equal(await page.inputValue(target), "1");
  assert.deepEqual(errors, []);
});
