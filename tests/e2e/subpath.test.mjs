// One build at any path: the same dist/ served under /machine-dream/ (xtask static --base, which
// answers nothing outside the prefix) loads, routes by the menu, reloads a deep link, finds its
// app-config.json under the prefix, and its service worker (scope = the prefix) keeps it working
// offline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startApp, launchBrowser, watchErrors, waitForPuzzle, go } from "./support.mjs";

const BASE = "/machine-dream/";

const edgeSettled = (page) => page.waitForFunction(
  () => /edge API: (ok|unreachable|not configured)/.test(document.querySelector("#edge-status")?.textContent ?? ""),
  null, { timeout: 30_000 });

test("the app works under a sub-path: menu, deep-link reload, app-config.json, offline", async (t) => {
  const app = await startApp({ base: BASE });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const origin = new URL(app.url).origin;
  assert.equal(app.url, `${origin}${BASE}`);

  // Nothing outside the prefix exists on this server: a root-relative URL anywhere would 404.
  assert.equal((await fetch(`${origin}/app-config.json`)).status, 404);
  assert.equal((await fetch(`${origin}/index.html`)).status, 404);

  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const outside = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.origin === origin && !url.pathname.startsWith(BASE)) outside.push(url.pathname);
  });

  await page.goto(app.url);
  await page.waitForSelector("#home-title");
  await edgeSettled(page);
  assert.match(await page.textContent("#edge-status"), /^edge API: ok/, "app-config.json was found under the sub-path");
  assert.equal(await page.getAttribute('nav.screens a:text-is("Home")', "aria-current"), "page");
  await go(page, "Play");
  const puzzleId = await waitForPuzzle(page);
  assert.equal(new URL(page.url()).pathname, `${BASE}play`);

  // The menu routes inside the prefix.
  await go(page, "Sessions");
  await page.waitForSelector("#sessions-title");
  assert.equal(new URL(page.url()).pathname, `${BASE}sessions`);
  assert.equal(await page.getAttribute('nav.screens a:text-is("Sessions")', "aria-current"), "page");
  assert.equal(await page.getAttribute('nav.screens a:text-is("Play")', "aria-current"), null);

  // A reload of the deep link gets the shell from the server and the same screen.
  await page.reload();
  await page.waitForSelector("#sessions-title");
  assert.equal(await page.$("#not-found"), null);
  await edgeSettled(page);
  assert.match(await page.textContent("#edge-status"), /^edge API: ok/);

  // Home again, with the trailing slash the shell needs.
  await go(page, "Home");
  await page.waitForSelector("#home-title");
  assert.equal(new URL(page.url()).pathname, BASE);

  // The service worker lives at the prefix and controls the page.
  const scope = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    return registration.scope;
  });
  assert.equal(scope, app.url);

  // Offline, a deep link still opens (navigation fallback to the cached shell under the prefix).
  await app.stop();
  await context.setOffline(true);
  await page.goto(`${app.url}memory`);
  await page.waitForSelector("#memory-title");
  await go(page, "Play");
  assert.equal(await waitForPuzzle(page), puzzleId, "offline, the app starts with the same puzzle");

  assert.deepEqual(outside, [], "no request left the sub-path");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
