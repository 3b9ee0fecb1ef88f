// A person plays: a 4x4 to solved with pencil marks, undo and a hint (and a reload that keeps
// the history), and a 16x16 board that takes letters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openApp, readBoard, solveGrid as solve } from "./support.mjs";

const at = (r, c) => `#board input[data-row="${r}"][data-col="${c}"]`;

async function newPuzzle(page, size) {
  await page.selectOption("#play-size", String(size));
  await page.click("#new-puzzle");
  await page.waitForFunction((s) => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith(`${s}x${s}-`), size);
  await page.waitForFunction((s) => document.querySelectorAll("#board input[data-row]").length === s * s, size);
}

test("play a 4x4 to solved with pencil marks, undo and a hint", async (t) => {
  const { page, errors } = await openApp(t);
  page.setDefaultTimeout(30_000);
  await newPuzzle(page, 4);
  const { n, grid, given } = await readBoard(page);
  const empties = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (!given[r][c]) empties.push([r, c]);
  const answer = grid.map((row) => row.slice());
  assert.ok(solve(answer, n), "the puzzle has a solution");

  // Pencil marks: mode on, two marks in a cell; Shift+value marks whatever the mode.
  const [mr, mc] = empties[0];
  await page.click("#pencil-toggle");
  assert.equal(await page.getAttribute("#pencil-toggle", "aria-pressed"), "true");
  await page.focus(at(mr, mc));
  await page.keyboard.press("1");
  await page.keyboard.press("Shift+Digit2");
  assert.match(await page.getAttribute(at(mr, mc), "aria-label"), /candidates 1 2$/);
  await page.keyboard.press("Space");
  assert.equal(await page.getAttribute("#pencil-toggle", "aria-pressed"), "false", "Space switches pencil mode off");

  // A value, then undo and redo from the keyboard.
  await page.keyboard.press(String(answer[mr][mc]));
  assert.equal(await page.inputValue(at(mr, mc)), String(answer[mr][mc]));
  await page.keyboard.press("Control+z");
  assert.equal(await page.inputValue(at(mr, mc)), "", "undo takes the value back");
  assert.match(await page.getAttribute(at(mr, mc), "aria-label"), /candidates 1 2$/, "and brings the marks back");
  await page.keyboard.press("Control+y");
  assert.equal(await page.inputValue(at(mr, mc)), String(answer[mr][mc]));

  // A hint: where, then why, then applied.
  await page.click("#hint");
  assert.match(await page.textContent("#hint-text"), /look at the highlighted/);
  assert.ok(await page.$$eval("#board input.hinted", (e) => e.length) >= 1, "the hint highlights cells");
  await page.click("#hint");
  assert.match(await page.textContent("#hint-text"), /Press Hint again to apply/);
  await page.click("#hint");
  assert.match(await page.textContent("#hint-text"), /^Applied: /);

  // The history survives a reload.
  await page.reload();
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("4x4-"));
  await page.waitForSelector("#undo:not([disabled])");

  // Fill in the rest by typing.
  for (const [r, c] of empties) {
    if ((await page.inputValue(at(r, c))) !== "") continue;
    await page.focus(at(r, c));
    await page.keyboard.press(String(answer[r][c]));
  }
  await page.waitForSelector("#solved");
  assert.match(await page.textContent("#solved"), /Solved in \d+:\d\d — 1 hint, 0 checks, 0 reveals/);
  await page.waitForFunction(() => /^saved/.test(document.querySelector("#save-status")?.textContent ?? ""));
  assert.deepEqual(errors, []);
});

test("a 16x16 board takes letters", async (t) => {
  const { page, errors } = await openApp(t);
  page.setDefaultTimeout(60_000);
  await newPuzzle(page, 16);
  const { n, given } = await readBoard(page);
  assert.equal(n, 16);
  // Find an empty cell whose solution is a letter (10..16): Reveal shows it, Undo takes it back.
  let target = null, letter = null;
  for (let i = 0; i < n * n && !target; i++) {
    const [r, c] = [Math.floor(i / n), i % n];
    if (given[r][c]) continue;
    await page.focus(at(r, c));
    await page.click("#reveal");
    const shown = await page.inputValue(at(r, c));
    await page.click("#undo");
    if (/^[A-G]$/.test(shown)) { target = [r, c]; letter = shown.toLowerCase(); }
  }
  assert.ok(target, "some empty cell holds a letter");
  const [r, c] = target;
  assert.equal(await page.inputValue(at(r, c)), "", "undo took the revealed value back");
  await page.focus(at(r, c));
  await page.keyboard.press(letter);
  assert.equal(await page.inputValue(at(r, c)), letter.toUpperCase());
  assert.match(await page.getAttribute(at(r, c), "aria-label"), new RegExp(`, ${letter.toUpperCase()}$`));
  await page.keyboard.press("q");
  assert.equal(await page.inputValue(at(r, c)), letter.toUpperCase(), "a key that is no value changes nothing");
  assert.deepEqual(errors, []);
});
