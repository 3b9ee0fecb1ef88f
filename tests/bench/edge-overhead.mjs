// Benchmark: the latency the edge API adds over calling the upstream directly, locally.
// Starts the scripted upstream and, in two runtimes, the edge API (token auth and rate limits on,
// as in production) and a trivial JavaScript pass-through worker (the runtime's floor):
//   - `wrangler dev` (what `cargo xtask serve` runs; its dev proxy adds a few ms to everything),
//   - raw `workerd serve` with a generated capnp config (the self-hosted path, and closest to
//     production, where no dev proxy sits in front).
// Under workerd also the edge API without tokens and limits (the cost of limiting). Each round
// sends one non-streamed chat request directly and one through each of the five, so all share
// the machine's state; prints JSON lines {"bench","value","unit"}. Run by
// `cargo xtask bench-edge` (not part of the tests).
import { readFileSync } from "node:fs";
import { newToken, sha256, startEdge, startScriptedUpstream, startWorkerd } from "../e2e/edge-harness.mjs";

const N = Number(process.env.MD_BENCH_N ?? 500);
const WARMUP = 50;
const up = await startScriptedUpstream();
const token = newToken();
// MD_BENCH_LIMITS=0 measures the proxy without the rate limiter (no Durable Object calls).
const limits = process.env.MD_BENCH_LIMITS !== "0";
const PASS_THROUGH = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    return fetch(env.UP + url.pathname + url.search, request);
  },
};
`;
const edgeConfig = {
  vars: {
    UPSTREAM_URL: up.url,
    MODEL_ALIASES: "ok",
    ALLOW_ANONYMOUS: limits ? "false" : "true",
    RATE_LIMIT_PER_TOKEN: limits ? "1000000" : "0",
    RATE_LIMIT_PER_IP: limits ? "1000000" : "0",
  },
  secrets: { UPSTREAM_API_KEY: "sk-bench", API_TOKENS: JSON.stringify([{ label: "bench", sha256: sha256(token) }]) },
};
// The same edge API without tokens and rate limits (no limiter at all): the cost of limiting.
const openConfig = {
  vars: { ...edgeConfig.vars, ALLOW_ANONYMOUS: "true", RATE_LIMIT_PER_TOKEN: "0", RATE_LIMIT_PER_IP: "0" },
  secrets: { UPSTREAM_API_KEY: "sk-bench" },
};
const floorConfig = { vars: { UP: up.url }, script: PASS_THROUGH };
const targets = await Promise.all([
  startEdge({ name: "bench", ...edgeConfig }),
  startEdge({ name: "bench-floor", ...floorConfig }),
  startWorkerd({ name: "bench", ...edgeConfig }),
  startWorkerd({ name: "bench-floor", ...floorConfig }),
  startWorkerd({ name: "bench-open", ...openConfig }),
]);
const [edge, trivial, wEdge, wTrivial, wOpen] = targets;
const body = JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }], max_tokens: 16 });
async function once(url, auth) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) }, body });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
// CPU time (user + system, ms) a workerd process has used: much less skewed than latency by
// other load on the machine (no waiting for a core), so it shows our own cost on a busy machine.
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in 1/100 s
};
try {
  const cpuBefore = [wTrivial, wEdge, wOpen].map((t) => cpuMs(t.pid));
  const runs = { direct: [], wrangler_passthrough_js: [], wrangler_edge: [], workerd_passthrough_js: [], workerd_edge: [], workerd_edge_no_limits: [] };
  const auth = limits ? `Bearer ${token}` : "";
  for (let i = 0; i < WARMUP + N; i++) {
    const t = [
      await once(up.url, "Bearer sk-bench"),
      await once(trivial.url, "Bearer sk-bench"),
      await once(edge.url, auth),
      await once(wTrivial.url, "Bearer sk-bench"),
      await once(wEdge.url, auth),
      await once(wOpen.url, ""),
    ];
    if (i >= WARMUP) Object.values(runs).forEach((xs, k) => xs.push(t[k]));
  }
  const cpu = [wTrivial, wEdge, wOpen].map((t, k) => (cpuMs(t.pid) - cpuBefore[k]) / (WARMUP + N));
  const r = (x) => Math.round(x * 1000) / 1000;
  const out = (bench, value) => console.log(JSON.stringify({ bench, value: r(value), unit: "ms" }));
  for (const [name, xs] of Object.entries(runs)) {
    out(`edge_${name}_p50`, pct(xs, 50));
    out(`edge_${name}_p99`, pct(xs, 99));
  }
  // Added latency over the direct call (the figure the < 2 ms target is about), and ours above
  // each floor.
  for (const rt of ["wrangler", "workerd"]) {
    for (const p of [50, 99]) {
      out(`edge_${rt}_overhead_p${p}`, pct(runs[`${rt}_edge`], p) - pct(runs.direct, p));
      out(`edge_${rt}_floor_overhead_p${p}`, pct(runs[`${rt}_passthrough_js`], p) - pct(runs.direct, p));
      out(`edge_${rt}_over_floor_p${p}`, pct(runs[`${rt}_edge`], p) - pct(runs[`${rt}_passthrough_js`], p));
    }
  }
  for (const p of [50, 99]) out(`edge_workerd_limits_cost_p${p}`, pct(runs.workerd_edge, p) - pct(runs.workerd_edge_no_limits, p));
  ["passthrough_js", "edge", "edge_no_limits"].forEach((name, k) => out(`edge_workerd_${name}_cpu_per_request`, cpu[k]));
  console.log(JSON.stringify({ bench: "edge_requests", value: N, unit: "count" }));
} finally {
  await Promise.all(targets.map((t) => t.stop()));
  await up.stop();
}
