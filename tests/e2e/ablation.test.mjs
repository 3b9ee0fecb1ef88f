// The ablation preset in a real browser: play and dream one puzzle against the scripted model
// (one unit with items), run a tiny leave-one-out experiment over it, read the items ranked by
// lift, and open the comparison view on one left-out item: that arm's moves never had the item
// in their prompts, as the stored experiences and the side-by-side view both say.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./support.mjs";
import { startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, openLab, startPlay, storedRecords, waitForStatus } from "./lab-support.mjs";

let up;
before(async () => { up = await startScriptedUpstream({ cors: true }); });
after(async () => { await up?.stop(); });

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource/.test(e));
const itemsOf = (u) => [...u.strategies, ...u.anti_patterns, ...u.corrections, ...u.few_shots].map((i) => i.id);

test("a person ablates a dreamed unit item by item, reads the ranking and compares one item's arm move by move", async (t) => {
  const { page, errors } = await openLab(t);
  await createScriptedProfile(page, { baseUrl: `${up.url}/v1` });
  await startPlay(page, { seed: 3, maxAttempts: 16 });
  await waitForStatus(page, /ended|solved/);
  await go(page, "Dream");
  await page.waitForSelector("#dream-profile option", { state: "attached" });
  await page.click("#dream-run");
  await page.waitForSelector("#dream-result[data-unit-id]", { timeout: 60_000 });
  const unitId = await page.$eval("#dream-result", (e) => e.dataset.unitId);
  const unit = (await storedRecords(page, "learning_units")).find((u) => u.id === unitId);
  const items = itemsOf(unit);
  assert.ok(items.length >= 1, "the dream made items to leave out");

  await go(page, "Experiments");
  await page.waitForSelector("#experiment-arms fieldset.arm >> nth=1");
  await page.fill("#experiment-name", "e2e ablation");
  await page.selectOption("#experiment-preset", "ablation");
  await page.waitForFunction((id) => document.querySelector("#experiment-ablation-unit")?.value === id, unitId);
  await page.selectOption("#experiment-size", "4");
  await page.fill("#experiment-seed-from", "41");
  await page.fill("#experiment-seed-to", "42");
  await page.fill("#experiment-runs", "1");
  await page.fill("#experiment-max-attempts", "8");
  await page.click("#experiment-run");
  await page.waitForFunction(() => /finished|stopped/.test(document.querySelector("#experiment-status")?.textContent ?? ""), null, { timeout: 180_000 });

  const [record] = await storedRecords(page, "experiments");
  const design = record.state.experiment;
  assert.equal(design.arms.length, items.length + 2, "whole unit, one arm per item, no unit");
  assert.deepEqual(design.ablation.left_out.map((l) => l.item_id), items);
  // The variants were stored for the runs, and are no units to pick or dream from.
  const units = await storedRecords(page, "learning_units");
  for (const l of design.ablation.left_out) {
    const variant = units.find((u) => u.id === l.variant_id);
    assert.ok(variant, `variant ${l.variant_id} stored`);
    assert.equal(variant.lineage.variant_of, unitId);
    assert.deepEqual(itemsOf(variant), items.filter((i) => i !== l.item_id));
  }
  assert.deepEqual(await page.$$eval("#experiment-ablation-unit option", (os) => os.map((o) => o.value)), [unitId], "variants are not offered for ablation");
  await go(page, "Units");
  await page.waitForSelector(`#unit-list li[data-unit-id="${unitId}"]`);
  assert.deepEqual(await page.$$eval("#unit-list li[data-unit-id]", (lis) => lis.map((li) => li.dataset.unitId)), [unitId], "the Units screen lists no variants");
  // Back on Experiments, the finished ablation is shown again, ranking and all. (Regression:
  // coming back after a finished experiment panicked the app, the runner reading the signals
  // of the screen that had been left.)
  await go(page, "Experiments");

  // The ranking: one row per item, each naming its arm, lifts in points or a dash.
  await page.waitForSelector("#ablation-ranking tbody tr");
  const ranked = await page.$$eval("#ablation-ranking tbody tr", (trs) => trs.map((tr) => ({
    item: tr.dataset.itemId, arm: tr.dataset.armId, lift: tr.querySelector(".accuracy-lift").textContent.trim(),
  })));
  assert.deepEqual(ranked.map((r) => r.item).sort(), [...items].sort());
  for (const r of ranked) {
    assert.equal(r.arm, design.ablation.left_out.find((l) => l.item_id === r.item).arm_id);
    assert.match(r.lift, /^([+-]\d+ points \(95% CI [+-]\d+ to [+-]\d+\)|—)$/);
  }
  // Larger lifts rank first.
  const value = (l) => l === "—" ? -Infinity : Number(l.split(" ")[0]);
  for (let i = 1; i < ranked.length; i++) assert.ok(value(ranked[i - 1].lift) >= value(ranked[i].lift), `ranked by lift: ${ranked.map((r) => r.lift)}`);

  // The left-out item is never in that arm's prompts.
  const left = design.ablation.left_out[0];
  const armIndex = design.arms.findIndex((a) => a.id === left.arm_id);
  const sessionIds = record.state.runs.map((run, i) => [run, record.state.status[i]])
    .filter(([run, s]) => run.arm === armIndex && s.state === "done").map(([, s]) => s.result.session_id);
  const experiences = (await storedRecords(page, "experiences")).filter((e) => sessionIds.includes(e.session_id));
  assert.ok(experiences.length > 0, "the arm played");
  for (const e of experiences) {
    assert.equal(e.unit_id, left.variant_id);
    assert.ok(!(e.injected_items ?? []).includes(left.item_id), `${e.id} had ${left.item_id} in its prompt`);
  }

  // The comparison view: the whole unit as baseline against that arm, one puzzle side by side.
  await page.click("#experiment-compare");
  await page.waitForSelector("#compare-table tbody tr[data-puzzle-id]");
  await page.selectOption("#compare-arm", left.arm_id);
  await page.waitForFunction((arm) => new URLSearchParams(location.search).get("arm") === arm, left.arm_id);
  const rows = await page.$$eval("#compare-table tbody tr[data-puzzle-id]", (trs) => trs.map((tr) => tr.dataset.puzzleId));
  assert.equal(rows.length, 2, "both puzzles compared");
  await page.click(`#compare-table tr[data-puzzle-id="${rows[0]}"] button`);
  await page.waitForSelector(`#compare-detail[data-puzzle-id="${rows[0]}"] #compare-moves tbody tr`);
  const armItems = await page.$$eval("#compare-moves tbody tr", (trs) => trs.map((tr) => tr.querySelectorAll("td")[1]?.querySelector(".items")?.textContent ?? ""));
  if (items.length <= 3) {
    // Every item fits the prompt (three a move by default): the baseline's moves show it.
    const baseItems = await page.$$eval("#compare-moves tbody tr", (trs) => trs.map((tr) => tr.querySelectorAll("td")[0]?.querySelector(".items")?.textContent ?? ""));
    assert.ok(baseItems.some((text) => text.includes(left.item_id)), `the whole unit's moves show ${left.item_id}`);
  }
  for (const text of armItems) assert.ok(!text.includes(left.item_id), `the arm's move showed ${left.item_id}: ${text}`);
  assert.deepEqual(noErrors(errors), []);
});
