// Shared helpers for the end-to-end tests. `cargo xtask test` starts the model server and the
// edge API (workerd) and passes their addresses in MD_* variables; each browser test starts its
// own static server for the built app so it can stop it (to prove offline mode).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests through \`cargo xtask test\``);
  return value;
}

/**
 * Start `xtask static` on the app port; resolves to { url, stop }. `base` (e.g. "/sub/") serves
 * the app under that path prefix only; `url` is then the app's URL under it. With
 * `announceModel`, its app-config.json announces the local model as `cargo xtask serve` does
 * (the app then offers a ready profile for it). `edgeUrl` names another edge API than the
 * suite's (e.g. a second instance in front of the scripted upstream, see edge-harness.mjs).
 */
export async function startApp({ base = "/", announceModel = false, edgeUrl = null } = {}) {
  const args = ["static", env("MD_DIST_DIR"), "--port", env("MD_APP_PORT"), "--edge-api", edgeUrl ?? env("MD_EDGE_URL"), "--base", base];
  if (announceModel) args.push("--model", env("MD_MODEL"));
  const child = spawn(env("MD_XTASK_BIN"), args, { stdio: ["ignore", "pipe", "inherit"] });
  // After a kill, exitCode stays null (signalCode is set), so remember the exit ourselves.
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("static server did not start in 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`static server exited with ${code}`)));
    lines.on("line", (line) => {
      const match = line.match(/^listening on (\S+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
  });
  const stop = async () => {
    child.kill("SIGKILL");
    await exited;
  };
  return { url, stop };
}

const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A fresh headless Chromium (fresh profile: empty IndexedDB, no service worker). */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  // Playwright's pipe to the browser does not keep node's event loop alive: once a test has
  // stopped its app server, a pending browser call would otherwise end the process early.
  const keepAlive = setInterval(() => {}, 1_000);
  browser.on("disconnected", () => clearInterval(keepAlive));
  return browser;
}

/** Collect page errors so a test can assert the app ran cleanly. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  return errors;
}

/** Wait until the app has loaded a puzzle from IndexedDB/solver-core. */
export async function waitForPuzzle(page) {
  await page.waitForFunction(() => (document.querySelector("#puzzle-id")?.textContent ?? "").startsWith("9x9-"), null, { timeout: 30_000 });
  return (await page.textContent("#puzzle-id")).trim();
}

/** The Play screen's address under the app's base URL. */
export const playUrl = (app) => new URL("play", app.url.endsWith("/") ? app.url : app.url + "/").href;

/** Serve the app, open Play in a fresh browser and wait for the puzzle; torn down after `t`. */
export async function openApp(t) {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => { await browser.close(); await app.stop(); });
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(playUrl(app));
  const puzzleId = await waitForPuzzle(page);
  return { app, page, errors, puzzleId };
}

/** Read the givens from the DOM: a 9x9 array of numbers (0 = an input cell). */
export async function readGivens(page) {
  return page.$$eval("#board [data-row]", (cells) => {
    const grid = Array.from({ length: 9 }, () => Array(9).fill(0));
    for (const cell of cells) {
      const r = Number(cell.dataset.row), c = Number(cell.dataset.col);
      grid[r][c] = cell.dataset.given === "true" ? Number(cell.value) : 0;
    }
    return grid;
  });
}

/** Digits already seen by (row, col) in its row, column and box. */
export function seenFrom(grid, row, col) {
  const seen = new Set();
  for (let i = 0; i < 9; i++) { seen.add(grid[row][i]); seen.add(grid[i][col]); }
  const br = Math.floor(row / 3) * 3, bc = Math.floor(col / 3) * 3;
  for (let r = br; r < br + 3; r++) for (let c = bc; c < bc + 3; c++) seen.add(grid[r][c]);
  seen.delete(0);
  return seen;
}

/** The selector of the first cell (row by row) that is not a given. */
export async function firstEmptyCell(page) {
  const { n, given } = await readBoard(page);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (!given[r][c]) return cell(r, c);
  throw new Error("the board has no empty cell");
}

export const cell = (r, c) => `#board input[data-row="${r}"][data-col="${c}"]`;

/** Navigate inside the app by its menu, as a person would (client-side routing). */
export async function go(page, label) {
  await page.click(`nav.screens a:text-is("${label}")`);
}

/**
 * Create (via the Profiles screen) a profile that reaches the local model through the edge API
 * with short, format-constrained answers: a 135M model otherwise rambles past any budget.
 */
export async function createModelProfile(page, name = "SmolLM2 via edge") {
  await go(page, "Profiles");
  await page.selectOption("#profile-template", "llama_cpp");
  await page.click("#profile-create");
  await page.fill("#profile-name", name);
  await page.selectOption("#profile-route", "edge");
  await page.fill("#profile-model", env("MD_MODEL"));
  await page.fill("#profile-max-tokens", "96");
  await page.check("#profile-json");
}

/** Save the profile being edited and wait until it is listed. */
export async function saveProfile(page) {
  await page.click("#profile-save");
  await page.waitForSelector("#profile-list li[data-profile-id]");
}

/** The board as numbers (0 = empty) and which cells are givens, for any size. */
export async function readBoard(page) {
  return page.$$eval("#board input[data-row]", (cells) => {
    const n = Math.round(Math.sqrt(cells.length));
    const grid = Array.from({ length: n }, () => Array(n).fill(0));
    const given = Array.from({ length: n }, () => Array(n).fill(false));
    for (const cell of cells) {
      const r = Number(cell.dataset.row), c = Number(cell.dataset.col);
      grid[r][c] = cell.value === "" ? 0 : parseInt(cell.value, 36);
      given[r][c] = cell.dataset.given === "true";
    }
    return { n, grid, given };
  });
}

/** A backtracking solver (most constrained cell first): the test's own answer key. */
export function solveGrid(grid, n) {
  const bh = n === 6 ? 2 : n === 12 ? 3 : Math.sqrt(n), bw = n / bh;
  const allowed = (r, c) => {
    const seen = new Set();
    for (let i = 0; i < n; i++) { seen.add(grid[r][i]); seen.add(grid[i][c]); }
    const r0 = r - (r % bh), c0 = c - (c % bw);
    for (let i = r0; i < r0 + bh; i++) for (let j = c0; j < c0 + bw; j++) seen.add(grid[i][j]);
    const out = [];
    for (let v = 1; v <= n; v++) if (!seen.has(v)) out.push(v);
    return out;
  };
  let best = null;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    if (grid[r][c] !== 0) continue;
    const options = allowed(r, c);
    if (!best || options.length < best.options.length) best = { r, c, options };
  }
  if (!best) return true;
  for (const v of best.options) {
    grid[best.r][best.c] = v;
    if (solveGrid(grid, n)) return true;
  }
  grid[best.r][best.c] = 0;
  return false;
}

/** Start recording the page's long tasks (PerformanceObserver 'longtask': each task over 50 ms). */
export async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
    }).observe({ type: "longtask" });
  });
}

/** The durations (ms) of the long tasks recorded since `watchLongTasks` or the last call. */
export const takeLongTasks = (page) => page.evaluate(() => window.__longTasks.splice(0));
