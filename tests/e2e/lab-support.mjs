// Helpers for the browser scenarios that need deterministic model answers: the scripted upstream
// (edge-harness.mjs) reached straight (a direct profile, as LM Studio would be) or through a
// second edge API instance with its own vars, a fresh app and browser per test, and reads of
// what the app committed to IndexedDB (so a test compares stored records, not only the screen).
import { env, go, launchBrowser, saveProfile, startApp, watchErrors } from "./support.mjs";
import { startEdge } from "./edge-harness.mjs";

/** The app's origin (what an edge API must allow for the page to call it). */
export const appOrigin = () => `http://127.0.0.1:${env("MD_APP_PORT")}`;

/**
 * An edge API in front of `upstream` for the app's origin: the public model `cycle` (and the
 * others named) go to provider `s`. `vars` override the resilience settings; `port` fixes the
 * address (a restart comes back there).
 */
export function scriptedEdge(upstream, { vars = {}, port = null, name = "lab" } = {}) {
  return startEdge({
    name, port,
    vars: {
      PROVIDERS: JSON.stringify([{ name: "s", url: upstream.url, key_secret: "UPSTREAM_API_KEY" }]),
      MODELS: JSON.stringify(["cycle", "ok"].map((m) => ({ public: m, provider: "s" }))),
      ALLOW_ANONYMOUS: "true",
      ALLOWED_ORIGINS: appOrigin(),
      RETRY_BASE_MS: "10",
      UPSTREAM_RETRIES: "1",
      BREAKER_THRESHOLD: "1000",
      ...vars,
    },
    secrets: { UPSTREAM_API_KEY: "sk-scripted-upstream" },
  });
}

/** Serve the app (knowing `edgeUrl`, else the suite's edge API) in a fresh browser; torn down after `t`. */
export async function openLab(t, { edgeUrl = null } = {}) {
  const app = await startApp({ edgeUrl });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.waitForSelector("nav.screens", { timeout: 30_000 });
  return { app, browser, page, errors };
}

/**
 * Create and save a profile for the scripted model `cycle`: through the edge API, or straight to
 * `baseUrl`. `retries` and `timeoutS` set how long a failing move is tried.
 */
export async function createScriptedProfile(page, { name = "scripted", baseUrl = null, retries = null, timeoutS = null, isDefault = null } = {}) {
  await go(page, "Profiles");
  await page.selectOption("#profile-template", "custom");
  await page.click("#profile-create");
  await page.fill("#profile-name", name);
  if (baseUrl) {
    await page.selectOption("#profile-route", "direct");
    await page.fill("#profile-base-url", baseUrl);
  } else {
    await page.selectOption("#profile-route", "edge");
  }
  await page.fill("#profile-model", "cycle");
  if (retries !== null) await page.fill("#profile-retries", String(retries));
  if (timeoutS !== null) await page.fill("#profile-timeout", String(timeoutS));
  if (isDefault !== null) await page.setChecked("#profile-default", isDefault);
  const before = await page.locator("#profile-list li[data-profile-id]").count();
  await saveProfile(page);
  await page.waitForFunction((n) => document.querySelectorAll("#profile-list li[data-profile-id]").length > n, before);
}

/** Start an LLM play of a 4x4 puzzle (seed, max attempts) with the chosen profile. */
export async function startPlay(page, { seed = 3, maxAttempts = 12, profile = null } = {}) {
  await go(page, "LLM Play");
  await page.waitForSelector("#llm-profile option", { state: "attached" });
  if (profile) await page.selectOption("#llm-profile", { label: profile });
  await page.selectOption("#llm-size", "4");
  await page.fill("#llm-seed", String(seed));
  await page.fill("#llm-max-attempts", String(maxAttempts));
  const previous = await page.textContent("#llm-session-id");
  await page.click("#llm-start");
  await page.waitForFunction((p) => (document.querySelector("#llm-session-id")?.textContent ?? "") !== p, previous);
  return (await page.textContent("#llm-session-id")).split(" · ")[0].trim();
}

/** Attempts the LLM Play screen shows. */
export const shownAttempts = (page) => page.$eval("#llm-stats", (e) => Number(e.dataset.attempts ?? 0));

/** Wait until the LLM Play status line matches `pattern`; the status is in the error. */
export async function waitForStatus(page, pattern, timeout = 60_000) {
  try {
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector("#llm-status")?.textContent ?? ""), pattern.source, { timeout });
  } catch (e) {
    throw new Error(`status never matched ${pattern}: ${await page.textContent("#llm-status").catch(() => "?")}`);
  }
  return (await page.textContent("#llm-status")).trim();
}

/** Wait until the play shows at least `n` attempts. */
export async function waitForAttempts(page, n, timeout = 60_000) {
  try {
    await page.waitForFunction((k) => Number(document.querySelector("#llm-stats")?.dataset.attempts ?? 0) >= k, n, { timeout });
  } catch (e) {
    throw new Error(`fewer than ${n} attempts; status: ${await page.textContent("#llm-status").catch(() => "?")}`);
  }
  return shownAttempts(page);
}

/** Every record of an IndexedDB store of the app (`machine-dream`), as stored. */
export function storedRecords(page, store) {
  return page.evaluate((name) => new Promise((resolve, reject) => {
    const open = indexedDB.open("machine-dream");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction(name, "readonly").objectStore(name).getAll();
      request.onsuccess = () => { db.close(); resolve(request.result); };
      request.onerror = () => { db.close(); reject(request.error); };
    };
  }), store);
}

/** The stored session `id` and its stored experiences (ordered by attempt number). */
export async function storedPlay(page, id) {
  const session = (await storedRecords(page, "sessions")).find((s) => s.id === id);
  const experiences = (await storedRecords(page, "experiences"))
    .filter((e) => e.session_id === id)
    .sort((a, b) => a.id.localeCompare(b.id));
  return { session, experiences };
}

/**
 * What must hold for a stored play at any time: attempts numbered 1..n without a gap or a
 * duplicate, and exactly one experience per attempt, for the same move.
 */
export function assertConsistentPlay(assert, { session, experiences }, label = "") {
  const attempts = session.session.attempts;
  assert.deepEqual(attempts.map((a) => a.number), attempts.map((_, i) => i + 1), `${label} attempts are numbered 1..n`);
  assert.deepEqual(experiences.map((e) => e.id), attempts.map((a) => `${session.id}#${String(a.number).padStart(6, "0")}`),
    `${label} one stored experience per attempt`);
  for (const [i, e] of experiences.entries()) {
    assert.deepEqual(e.proposal, attempts[i].proposal, `${label} experience ${e.id} is the same move`);
  }
}

/** Attempts as comparable values (number and move). */
export const moves = (session) => session.session.attempts.map((a) => `${a.number}:${JSON.stringify(a.proposal)}`);

/** Read a download triggered by `click` as text. */
export async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  const { readFile } = await import("node:fs/promises");
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}
