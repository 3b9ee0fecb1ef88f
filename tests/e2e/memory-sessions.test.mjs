// The Memory and Sessions screens in a real browser, over plays of the scripted model (reached
// straight, so every move is known): a person filters experiences by outcome, searches them
// (with and without a filter) and opens one; lists sessions by state, opens one, replays it move
// by move, and writes notes that are saved and survive a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, openLab, startPlay, storedRecords, waitForStatus } from "./lab-support.mjs";

let up;
const control = { mode: null, delayMs: 0, moves: 0 };
before(async () => { up = await startScriptedUpstream({ cors: true, control }); });
after(async () => { await up?.stop(); });

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));
const moveOf = (e) => e.proposal?.Ok ? `r${e.proposal.Ok.row + 1}c${e.proposal.Ok.col + 1}=${e.proposal.Ok.value}` : null;

/** Two finished 4x4 plays of 12 moves each. */
async function twoPlays(page) {
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  const ids = [];
  for (const seed of [3, 4]) {
    ids.push(await startPlay(page, { seed, maxAttempts: 12 }));
    await waitForStatus(page, /ended|solved/);
  }
  return ids;
}

const rows = (page) => page.$$eval("#memory-list li[data-experience-id]", (items) =>
  items.map((li) => ({ id: li.dataset.experienceId, outcome: li.dataset.outcome, text: li.textContent })));

async function search(page, query) {
  await page.fill("#memory-search", query);
  await page.click("#memory-search-go");
  await page.waitForFunction((q) => (document.querySelector("#memory-message")?.textContent ?? "").includes(`for "${q}"`), query);
  return rows(page);
}

async function filter(page, value) {
  await page.selectOption("#memory-filter", value);
  await page.waitForFunction((v) => {
    const items = [...document.querySelectorAll("#memory-list li[data-experience-id]")];
    const byOutcome = !["", "consolidated", "unconsolidated"].includes(v);
    return items.length > 0 && (!byOutcome || items.every((li) => li.dataset.outcome === v.toUpperCase()));
  }, value);
  return rows(page);
}

test("a person filters memory by outcome, searches it with and without a filter, and opens one experience", async (t) => {
  const { page, errors } = await openLab(t);
  await twoPlays(page);
  const stored = await storedRecords(page, "experiences");
  assert.equal(stored.length, 24);

  await go(page, "Memory");
  await page.waitForFunction(() => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === 24);
  // The count and the first page arrive separately.
  await page.waitForFunction(() => document.querySelectorAll("#memory-list li[data-experience-id]").length > 0);
  const all = await rows(page);
  assert.equal(all.length, 24, "one row per attempt");
  const outcomes = new Set(all.map((r) => r.outcome));
  assert.ok(outcomes.has("INVALID"), `the scripted moves include invalid ones (${[...outcomes]})`);

  for (const outcome of [...outcomes]) {
    const shown = await filter(page, outcome.toLowerCase());
    assert.ok(shown.every((r) => r.outcome === outcome), `filter ${outcome}: only ${outcome} rows`);
    assert.equal(shown.length, all.filter((r) => r.outcome === outcome).length, `filter ${outcome}: every ${outcome} row`);
  }
  await filter(page, "unconsolidated");
  await page.waitForFunction(() => document.querySelectorAll("#memory-list li[data-experience-id]").length === 24);
  assert.equal((await rows(page)).length, 24, "nothing is dreamed yet");

  // Search, no filter: every attempt at r1c2 is found.
  await page.selectOption("#memory-filter", "");
  const atR1c2 = stored.filter((e) => moveOf(e)?.startsWith("r1c2=")).map((e) => e.id);
  assert.ok(atR1c2.length > 0);
  const hits = await search(page, "r1c2");
  assert.match(await page.textContent("#memory-message"), /^\d+ match\(es\) for "r1c2" in \d+ ms$/);
  for (const id of atR1c2) assert.ok(hits.some((h) => h.id === id), `the search finds ${id}`);
  assert.ok(hits.every((h) => /score \d/.test(h.text)), "hits show their score");

  // Search under a filter: the hits respect the filter the screen shows.
  await page.selectOption("#memory-filter", "invalid");
  await page.waitForFunction(() => [...document.querySelectorAll("#memory-list li[data-experience-id]")].every((li) => li.dataset.outcome === "INVALID"));
  const filtered = await search(page, "r1c2");
  assert.ok(filtered.length > 0, "some invalid attempt is at r1c2");
  assert.ok(filtered.every((h) => h.outcome === "INVALID"), `only invalid hits under the invalid filter: ${filtered.map((h) => h.outcome)}`);
  assert.deepEqual(filtered.map((h) => h.id).sort(), hits.filter((h) => h.outcome === "INVALID").map((h) => h.id).sort());

  // One experience in full.
  const first = filtered[0];
  await page.click(`#memory-list li[data-experience-id="${first.id}"] button`);
  await page.waitForSelector("#experience-detail");
  const detail = await page.textContent("#experience-detail");
  assert.ok(detail.includes(first.id) && detail.includes("INVALID"), detail.slice(0, 200));
  assert.match(detail, /model cycle · profile profile-\d+/);
  // A blank search is the list again.
  await page.fill("#memory-search", "");
  await page.click("#memory-search-go");
  await page.waitForFunction(() => ![...document.querySelectorAll("#memory-list li")].some((li) => /score/.test(li.textContent)));
  assert.deepEqual(noErrors(errors), []);
});

test("a person opens a session from the list, replays it move by move, and writes notes that survive a reload", async (t) => {
  const { page, errors } = await openLab(t);
  const [first, second] = await twoPlays(page);
  const sessions = await storedRecords(page, "sessions");
  const record = sessions.find((s) => s.id === first);
  const attempts = record.session.attempts;

  await go(page, "Sessions");
  await page.waitForSelector(`#session-list li[data-session-id="${first}"]`);
  await page.waitForSelector(`#session-list li[data-session-id="${second}"]`);
  assert.match(await page.textContent(`#session-list li[data-session-id="${first}"]`), / · cycle · (abandoned|solved) · 12 attempts · accuracy \d+%/);
  await page.selectOption("#sessions-state", "paused");
  await page.waitForFunction(() => document.querySelectorAll("#session-list li").length === 0);
  await page.selectOption("#sessions-state", record.state);
  await page.waitForSelector(`#session-list li[data-session-id="${first}"]`);

  await page.click(`#session-list li[data-session-id="${first}"] a`);
  await page.waitForSelector("#session-detail");
  await page.waitForFunction(() => /12 attempts/.test(document.querySelector("#session-stats")?.textContent ?? ""));
  assert.equal(await page.$$eval("#session-detail .move-list li", (l) => l.length), 12);

  // Replay: back to before the first correct move, then forward onto it.
  const k = attempts.findIndex((a) => a.judgement.outcome === "correct") + 1;
  assert.ok(k > 0, "the play has a correct move to replay");
  const mv = attempts[k - 1].proposal.Ok;
  const cellSel = `#replay-board [data-row="${mv.row}"][data-col="${mv.col}"]`;
  const label = () => page.textContent("#session-detail label:has(#replay-slider)");
  assert.match(await label(), /After move 12 of 12/);
  for (let i = 12; i > k - 1; i--) await page.click("#replay-back");
  assert.match(await label(), new RegExp(`After move ${k - 1} of 12`));
  assert.equal((await page.textContent(cellSel)).trim(), "", "the cell is empty before the move");
  await page.click("#replay-forward");
  assert.match(await label(), new RegExp(`After move ${k} of 12`));
  assert.equal((await page.textContent(cellSel)).trim(), String(mv.value), "the move appears when replayed");
  assert.equal(await page.$eval(cellSel, (c) => c.dataset.outcome), "CORRECT");
  assert.equal(await page.$eval("#session-detail .move-list li.selected", (li) => li.value), k, "the list marks the replayed move");
  await page.click("#replay-back");
  assert.equal((await page.textContent(cellSel)).trim(), "", "and goes away again going back");
  // Back stops at the start, forward at the end.
  for (let i = 0; i < 20; i++) await page.click("#replay-back");
  assert.match(await label(), /After move 0 of 12/);
  for (let i = 0; i < 20; i++) await page.click("#replay-forward");
  assert.match(await label(), /After move 12 of 12/);

  // Notes: saved, and still there after a reload.
  const notes = `watched on ${new Date().toISOString()}: r1c1 tried four times`;
  await page.fill("#session-notes", notes);
  await page.click("#session-notes-save");
  await page.waitForFunction(() => document.querySelector("#session-message")?.textContent === "notes saved");
  await page.reload();
  await page.waitForSelector("#session-detail");
  await page.waitForFunction((n) => document.querySelector("#session-notes")?.value === n, notes);
  assert.equal((await storedRecords(page, "sessions")).find((s) => s.id === first).notes, notes);
  assert.equal((await storedRecords(page, "sessions")).find((s) => s.id === first).session.attempts.length, 12, "notes change nothing else");
  assert.deepEqual(noErrors(errors), []);
});
