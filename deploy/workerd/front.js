// The front door of a self-hosted Machine Dream (deploy/workerd/config.capnp): one origin for
// the app and its edge API.
//
//   /health, /v1, /v1/*   → the edge API (the EDGE service: worker-api, unchanged)
//   /app-config.json      → {"edgeApiUrl": <this origin, or EDGE_API_URL>, "defaultModel": …}
//   /, routes (no dot)    → index.html (the app routes on the client)
//   files                 → the build (the APP disk service: dist/), with types and cache headers
//
// Every answer but the edge API's carries the build's security headers: the `/*` block of
// dist/_headers (written by `cargo xtask build`, the file Cloudflare Pages reads), with
// EDGE_API_URL's origin added to the policy's connect-src when it is another origin.
//
// Bindings (all but EDGE and APP come from the environment and may be unset):
//   EDGE_API_URL       edgeApiUrl to announce instead of this server's own origin
//   DEFAULT_MODEL      JSON object for app-config.json's optional `defaultModel`, e.g.
//                      {"model":"smollm2-135m-instruct","jsonOutput":true,"maxTokens":96}
//   CLIENT_IP_HEADER   header a trusted reverse proxy sets to the client's address (e.g.
//                      X-Real-IP); the edge API's per-IP limit then counts real clients. Unset:
//                      a client's own CF-Connecting-IP is dropped, so nobody picks a bucket.

const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  wasm: "application/wasm",
  css: "text/css; charset=utf-8",
  json: "application/json",
  webmanifest: "application/manifest+json",
  png: "image/png",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
};

// Trunk's hashed names (`web-<hash>.js`, `web-<hash>_bg.wasm`, `style-<hash>.css`; the hash is a
// 64-bit value in hex without leading zeros) never change content: cache them for good. The shell
// files must be revalidated on every load.
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/;
const NO_CACHE = new Set(["/index.html", "/sw.js", "/manifest.webmanifest"]);

const isApi = (path) => path === "/health" || path === "/v1" || path.startsWith("/v1/");

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (isApi(url.pathname)) return env.EDGE.fetch(toEdge(request, url, env));
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const response = url.pathname === "/app-config.json" ? appConfig(url, env)
      : url.pathname === "/_headers" ? notFound()
      : await serveFile(request, url, env);
    for (const [name, value] of await securityHeaders(env)) response.headers.set(name, value);
    return response;
  },
};

let security = null;

// The `/*` block of dist/_headers, read once.
async function securityHeaders(env) {
  if (security) return security;
  const file = await env.APP.fetch(new Request("http://app/_headers"));
  const text = file.ok ? await file.text() : "";
  const headers = [];
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (!/^[ \t]/.test(line)) {
      inBlock = line.trim() === "/*";
      continue;
    }
    const colon = line.indexOf(":");
    if (inBlock && colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  if (!file.ok) console.error("dist/_headers is missing: the app is served without its security headers");
  let edge = null;
  try {
    if (env.EDGE_API_URL) edge = new URL(env.EDGE_API_URL).origin;
  } catch {
    console.error("EDGE_API_URL is not a URL");
  }
  security = headers.map(([name, value]) => {
    if (!edge || name.toLowerCase() !== "content-security-policy") return [name, value];
    return [name, value.split("; ").map((d) => d.startsWith("connect-src ") ? `${d} ${edge}` : d).join("; ")];
  });
  return security;
}

function notFound() {
  return new Response("not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function toEdge(request, url, env) {
  const headers = new Headers(request.headers);
  // The app calls its own origin: a same-host Origin is not a cross-origin caller, so it is not
  // held against ALLOWED_ORIGINS (which still governs every other origin).
  const origin = headers.get("origin");
  if (origin) {
    try {
      if (new URL(origin).host === url.host) headers.delete("origin");
    } catch { /* a malformed Origin goes on and is refused by the edge API */ }
  }
  const from = env.CLIENT_IP_HEADER ? headers.get(env.CLIENT_IP_HEADER) : null;
  headers.delete("cf-connecting-ip");
  // X-Forwarded-For-style lists: the last entry is the one our own proxy added.
  if (from) headers.set("cf-connecting-ip", from.split(",").pop().trim());
  return new Request(request, { headers });
}

function appConfig(url, env) {
  const config = { edgeApiUrl: (env.EDGE_API_URL || url.origin).replace(/\/+$/, "") };
  if (env.DEFAULT_MODEL) {
    try {
      const model = JSON.parse(env.DEFAULT_MODEL);
      if (model && typeof model === "object" && !Array.isArray(model)) config.defaultModel = model;
      else console.error("DEFAULT_MODEL is not a JSON object; app-config.json goes without it");
    } catch {
      console.error("DEFAULT_MODEL is not valid JSON; app-config.json goes without it");
    }
  }
  return new Response(JSON.stringify(config), {
    headers: { "content-type": "application/json", "cache-control": "no-cache" },
  });
}

async function serveFile(request, url, env) {
  let path = url.pathname;
  const last = path.slice(path.lastIndexOf("/") + 1);
  // Client-side routes (`/`, `/llm`, `/sessions`) have no dot in their last segment: the shell.
  if (!last.includes(".")) path = "/index.html";
  const file = await env.APP.fetch(new Request(new URL(path, "http://app"), { method: request.method }));
  if (!file.ok) return notFound();
  const headers = new Headers(file.headers);
  const ext = path.slice(path.lastIndexOf(".") + 1);
  headers.set("content-type", TYPES[ext] ?? "application/octet-stream");
  headers.set("x-content-type-options", "nosniff");
  headers.set("cache-control", NO_CACHE.has(path) ? "no-cache"
    : HASHED.test(path) ? "public, max-age=31536000, immutable"
    : "public, max-age=3600");
  return new Response(request.method === "HEAD" ? null : file.body, { status: 200, headers });
}
