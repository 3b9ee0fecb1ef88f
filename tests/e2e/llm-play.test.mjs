// The LLM player end to end, in real Chromium, with the real local model behind the edge API
// in workerd: create a profile → play a 4x4 puzzle → moves are judged and stored → reload
// mid-session and resume → export memory → clear → import → the same records come back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createModelProfile, go, openApp, saveProfile } from "./support.mjs";

const attempts = (page) => page.$eval("#llm-stats", (e) => Number(e.dataset.attempts ?? 0));

async function waitForAttempts(page, atLeast, timeout = 180_000) {
  try {
    await page.waitForFunction(
      (n) => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= n,
      atLeast, { timeout });
  } catch (e) {
    const status = await page.textContent("#llm-status").catch(() => "?");
    const answer = await page.textContent("#llm-answer").catch(() => "?");
    throw new Error(`fewer than ${atLeast} attempts judged; status: ${status}; answer so far: ${answer.slice(0, 300)}`);
  }
  return attempts(page);
}

async function exportMemory(page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#memory-export")]);
  const text = await readFile(await download.path(), "utf8");
  return text.split("\n").filter((l) => l.trim() !== "");
}

test("create a profile, watch the model play 4x4, reload and resume, export, clear, import", async (t) => {
  const { page, errors } = await openApp(t);
  page.setDefaultTimeout(60_000);

  // A profile that goes through the edge API to the local model, with short answers.
  await createModelProfile(page);
  await page.click("#profile-test");
  await page.waitForFunction(() => /ok|failed/.test(document.querySelector("#profile-test-result")?.textContent ?? ""));
  assert.match(await page.textContent("#profile-test-result"), /ok .*ms/, "the connection test reaches the model");
  await saveProfile(page);
  assert.match(await page.textContent("#profile-list"), /SmolLM2 via edge/);

  // Play.
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  await page.selectOption("#llm-size", "4");
  await page.fill("#llm-seed", "3");
  await page.fill("#llm-max-attempts", "40");
  await page.click("#llm-start");
  const before = await waitForAttempts(page, 3);
  const outcomes = await page.$$eval(".move-list li[data-outcome]", (items) => items.map((i) => i.dataset.outcome));
  assert.ok(outcomes.length >= 3);
  for (const outcome of outcomes) assert.match(outcome, /^(CORRECT|INVALID|VALID_BUT_WRONG|UNPARSEABLE)$/);

  // Reload in the middle of the play: every committed move is still there, and it resumes.
  await page.reload();
  await page.waitForFunction(() => /interrupted|paused|finished|solved|ended/.test(document.querySelector("#llm-status")?.textContent ?? ""));
  const afterReload = await attempts(page);
  assert.ok(afterReload >= before, `moves committed before the reload survive (${afterReload} >= ${before})`);
  if (!(await page.isDisabled("#llm-resume"))) {
    await page.click("#llm-resume");
    await waitForAttempts(page, afterReload + 1);
    await page.click("#llm-stop");
    await page.waitForFunction(() => /paused|solved|ended/.test(document.querySelector("#llm-status")?.textContent ?? ""));
  }
  const played = await attempts(page);

  // Memory holds one experience per attempt; export, clear, import gives the same records.
  await go(page, "Memory");
  await page.waitForFunction((n) => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === n, played);
  const exported = await exportMemory(page);
  const experiences = exported.filter((l) => JSON.parse(l).kind === "experience");
  assert.equal(experiences.length, played, "one exported experience per attempt");
  for (const line of exported) assert.ok(!/md_[A-Za-z0-9]{8,}/.test(line), "no token is exported");

  page.once("dialog", (d) => d.accept());
  await page.click("#memory-clear");
  await page.waitForFunction(() => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === 0);

  const file = exported.join("\n") + "\n";
  await page.setInputFiles("#memory-import", { name: "memory.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(file) });
  await page.waitForFunction((n) => Number(document.querySelector("#memory-count")?.dataset.count ?? -1) === n, played);
  const again = await exportMemory(page);
  // Same records: compared as values (key order inside a record is not meaningful).
  const canonical = (v) => Array.isArray(v) ? v.map(canonical)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
  const body = (lines) => lines.map((l) => JSON.parse(l)).filter((r) => r.kind !== undefined)
    .map((r) => JSON.stringify(canonical(r))).sort();
  assert.deepEqual(body(again), body(exported), "import restores exactly the exported records");

  // A corrupt file changes nothing and says which line is wrong.
  const corrupt = file + "{\"kind\":\"experience\",\"id\":42}\n";
  await page.setInputFiles("#memory-import", { name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(corrupt) });
  await page.waitForFunction(() => /line \d+/.test(document.querySelector("#memory-message")?.textContent ?? ""));
  assert.equal(await page.$eval("#memory-count", (e) => Number(e.dataset.count)), played);

  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
});
