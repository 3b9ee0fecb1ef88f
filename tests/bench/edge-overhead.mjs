// Benchmark: the latency the edge API (workerd, local) adds over calling the upstream directly.
// Starts the scripted upstream, the edge API (token auth and rate limits on, as in production)
// and, as the floor of the local runtime, a trivial JavaScript pass-through worker under the same
// `wrangler dev`. Each round sends one non-streamed chat request directly, one through the
// pass-through and one through the edge API, so all three share the machine's state; prints
// JSON lines {"bench","value","unit"}. Run by `cargo xtask bench-edge` (not part of the tests).
import { newToken, sha256, startEdge, startScriptedUpstream } from "../e2e/edge-harness.mjs";

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
const [edge, trivial] = await Promise.all([
  startEdge({
    name: "bench",
    vars: {
      UPSTREAM_URL: up.url,
      MODEL_ALIASES: "ok",
      ALLOW_ANONYMOUS: limits ? "false" : "true",
      RATE_LIMIT_PER_TOKEN: limits ? "1000000" : "0",
      RATE_LIMIT_PER_IP: limits ? "1000000" : "0",
    },
    secrets: { UPSTREAM_API_KEY: "sk-bench", API_TOKENS: JSON.stringify([{ label: "bench", sha256: sha256(token) }]) },
  }),
  startEdge({ name: "bench-floor", vars: { UP: up.url }, script: PASS_THROUGH }),
]);
const body = JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }], max_tokens: 16 });
async function once(url, auth) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) }, body });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
try {
  const direct = [], floor = [], proxied = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const d = await once(up.url, "Bearer sk-bench");
    const f = await once(trivial.url, "Bearer sk-bench");
    const p = await once(edge.url, limits ? `Bearer ${token}` : "");
    if (i >= WARMUP) { direct.push(d); floor.push(f); proxied.push(p); }
  }
  const r = (x) => Math.round(x * 1000) / 1000;
  const lines = [
    ["edge_direct_p50", pct(direct, 50)], ["edge_direct_p99", pct(direct, 99)],
    ["edge_passthrough_js_p50", pct(floor, 50)], ["edge_passthrough_js_p99", pct(floor, 99)],
    ["edge_proxied_p50", pct(proxied, 50)], ["edge_proxied_p99", pct(proxied, 99)],
    // Added latency: ours and the trivial JS worker's, both over the direct call.
    ["edge_overhead_p50", pct(proxied, 50) - pct(direct, 50)], ["edge_overhead_p99", pct(proxied, 99) - pct(direct, 99)],
    ["edge_floor_overhead_p50", pct(floor, 50) - pct(direct, 50)], ["edge_floor_overhead_p99", pct(floor, 99) - pct(direct, 99)],
    // Ours above the runtime's floor.
    ["edge_over_floor_p50", pct(proxied, 50) - pct(floor, 50)], ["edge_over_floor_p99", pct(proxied, 99) - pct(floor, 99)],
  ];
  for (const [bench, value] of lines) console.log(JSON.stringify({ bench, value: r(value), unit: "ms" }));
  console.log(JSON.stringify({ bench: "edge_requests", value: N, unit: "count" }));
} finally {
  await Promise.all([edge.stop(), trivial.stop()]);
  await up.stop();
}
