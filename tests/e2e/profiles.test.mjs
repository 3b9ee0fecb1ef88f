// The Profiles screen in a real browser: a person adds profiles, tests their connection (one
// that answers, one that does not), makes one the default, switches the LLM Play picker to the
// other, deletes one; and exports profiles, whose file never carries the edge token, into a
// fresh browser. The model server is the scripted upstream, reached straight (direct route).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, watchErrors } from "./support.mjs";
import { freePort, newToken, startScriptedUpstream } from "./edge-harness.mjs";
import { createScriptedProfile, download, openLab, startPlay, storedRecords, waitForStatus } from "./lab-support.mjs";

let up;
before(async () => { up = await startScriptedUpstream({ cors: true }); });
after(async () => { await up?.stop(); });

const listed = (page) => page.$$eval("#profile-list li[data-profile-id]", (items) =>
  items.map((li) => ({ id: li.dataset.profileId, text: li.textContent })));
const named = (items, name) => items.find((p) => p.text.includes(name));

async function testConnection(page) {
  await page.click("#profile-test");
  await page.waitForFunction(() => /^(ok|connection failed)/.test(document.querySelector("#profile-test-result")?.textContent ?? ""), null, { timeout: 30_000 });
  return (await page.textContent("#profile-test-result")).trim();
}

test("a person adds a profile, tests its connection, makes it the default, switches to another and deletes one", async (t) => {
  const { page, errors } = await openLab(t);
  await go(page, "Profiles");
  await page.waitForSelector("#profiles-empty");

  // A profile for a server that answers: the test lists its models and says the model is served.
  await page.selectOption("#profile-template", "custom");
  await page.click("#profile-create");
  await page.fill("#profile-name", "alpha");
  await page.selectOption("#profile-route", "direct");
  await page.fill("#profile-base-url", `${up.url}/v1`);
  await page.fill("#profile-model", "cycle");
  assert.match(await testConnection(page), /^ok · \d+ ms · 1 model\(s\): cycle · model cycle is served$/);
  // A server that is not there: the test says so, and what to change.
  await page.fill("#profile-base-url", `http://127.0.0.1:${await freePort()}/v1`);
  const failed = await testConnection(page);
  assert.match(failed, /^connection failed: could not reach the model server .* · what to change: /, failed);
  await page.fill("#profile-base-url", `${up.url}/v1`);
  await page.click("#profile-save");
  await page.waitForSelector("#profile-list li[data-profile-id]");
  assert.match(await page.textContent("#profiles-message"), /saved profile "alpha"/);
  let profiles = await listed(page);
  assert.match(named(profiles, "alpha").text, /· default/, "the first profile is the default");

  // A second one, made the default: the first stops being one.
  await createScriptedProfile(page, { name: "beta", baseUrl: `${up.url}/v1`, isDefault: true });
  profiles = await listed(page);
  assert.equal(profiles.length, 2);
  assert.match(named(profiles, "beta").text, /· default/);
  assert.doesNotMatch(named(profiles, "alpha").text, /· default/, "only one default");
  const alpha = named(profiles, "alpha").id, beta = named(profiles, "beta").id;

  // LLM Play starts with the default; a person switches to alpha and plays with it.
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  assert.equal(await page.inputValue("#llm-profile"), beta, "the default profile is preselected");
  const session = await startPlay(page, { seed: 3, maxAttempts: 3, profile: "alpha (cycle)" });
  await waitForStatus(page, /ended|solved/);
  const played = (await storedRecords(page, "sessions")).find((s) => s.id === session);
  assert.equal(played.profile_id, alpha, "the play is the switched-to profile's");

  // Delete beta (the default): alpha is left, and LLM Play picks it.
  await go(page, "Profiles");
  await page.waitForSelector(`#profile-list li[data-profile-id="${beta}"]`);
  await page.click(`#profile-list li[data-profile-id="${beta}"] button.danger`);
  await page.waitForFunction(() => /profile deleted/.test(document.querySelector("#profiles-message")?.textContent ?? ""));
  await page.waitForFunction(() => document.querySelectorAll("#profile-list li[data-profile-id]").length === 1);
  assert.deepEqual((await storedRecords(page, "profiles")).map((p) => p.id), [alpha]);
  await page.reload();
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  assert.equal(await page.inputValue("#llm-profile"), alpha, "the remaining profile is chosen after the default is deleted");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
});

test("a person exports profiles with an edge token and imports them in another browser: the file and the import carry no token", async (t) => {
  const { page, browser, errors } = await openLab(t);
  const token = newToken();
  await go(page, "Profiles");
  await page.selectOption("#profile-template", "custom");
  await page.click("#profile-create");
  await page.fill("#profile-name", "edge with token");
  await page.selectOption("#profile-route", "edge");
  await page.fill("#profile-model", "cycle");
  await page.fill("#profile-token", token);
  await page.click("#profile-save");
  await page.waitForSelector("#profile-list li[data-profile-id]");
  await createScriptedProfile(page, { name: "direct one", baseUrl: `${up.url}/v1` });
  const text = await page.textContent("#profile-list");
  assert.match(text, /· token ••••/, "the list shows that a token is set");
  assert.ok(!text.includes(token), "but never the token itself");
  const stored = await storedRecords(page, "profiles");
  assert.equal(stored.length, 2);

  const { name, text: file } = await download(page, () => page.click("#profiles-export"));
  assert.equal(name, "machine-dream-profiles.jsonl");
  assert.match(await page.textContent("#profiles-message"), /tokens are never exported/);
  assert.ok(!file.includes(token), "the exported file does not contain the token");
  assert.ok(!file.includes(token.slice(3, 12)), "nor a piece of it");
  const lines = file.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  const exported = lines.filter((l) => l.name);
  assert.deepEqual(exported.map((p) => p.name).sort(), ["direct one", "edge with token"]);
  for (const p of exported) assert.ok(!p.edge_token, `no token field with a value in ${p.name}`);

  // Another browser (its own IndexedDB) imports the file: both profiles, neither with a token.
  const context = await browser.newContext();
  t.after(() => context.close());
  const other = await context.newPage();
  const otherErrors = watchErrors(other);
  await other.goto(page.url());
  await other.waitForSelector("nav.screens");
  await go(other, "Profiles");
  await other.waitForSelector("#profiles-empty");
  await other.setInputFiles("#profiles-import", { name, mimeType: "application/x-ndjson", buffer: Buffer.from(file) });
  await other.waitForFunction(() => /imported 2 profile\(s\)/.test(document.querySelector("#profiles-message")?.textContent ?? ""));
  await other.waitForFunction(() => document.querySelectorAll("#profile-list li[data-profile-id]").length === 2);
  assert.doesNotMatch(await other.textContent("#profile-list"), /· token /, "imported profiles have no token");
  const imported = await storedRecords(other, "profiles");
  assert.deepEqual(imported.map((p) => p.name).sort(), ["direct one", "edge with token"]);
  for (const p of imported) assert.ok(!p.edge_token, "no token is stored by the import");
  // A file that is not a profile export changes nothing and says why.
  await other.setInputFiles("#profiles-import", { name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from("{\"nope\":1}\n") });
  await other.waitForFunction(() => /^nothing imported: /.test(document.querySelector("#profiles-message")?.textContent ?? ""));
  assert.equal((await storedRecords(other, "profiles")).length, 2);
  assert.deepEqual([...errors, ...otherErrors].filter((e) => !/Failed to load resource/.test(e)), []);
});
