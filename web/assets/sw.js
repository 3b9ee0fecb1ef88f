// Service worker: precache the app shell and wasm at install so a page loaded once works
// offline (everything but LLM calls). `cargo xtask build` fills in the version and the list.
// Every URL here is relative to this file, so the app works at the site root and under a
// sub-path alike (the scope is the directory sw.js is served from).
const VERSION = "__MD_VERSION__";
const PRECACHE = [/*__MD_PRECACHE__*/];
// One cache per scope: two deployments on one origin (/a/ and /b/) keep their own shells.
const PREFIX = `machine-dream-shell-${self.registration.scope}-`;
const CACHE = `${PREFIX}${VERSION}`;
// Caches named before scopes were part of the name: `machine-dream-shell-<hex version>`.
const LEGACY = /^machine-dream-shell-[0-9a-f]{16}$/;
const SHELL = new URL("./", self.location).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => (k.startsWith(PREFIX) && k !== CACHE) || LEGACY.test(k)).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Only our own origin: LLM and edge-API calls elsewhere always go to the network. (A
  // same-origin edge API, as self-hosted, is never in the cache: it holds build files only.)
  if (url.origin !== self.location.origin) return;
  if (url.pathname.endsWith("/app-config.json")) {
    // Network first (the operator may change it), cached copy when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
          return response;
        })
        .catch(() => caches.match(request).then((hit) => hit || Response.error()))
    );
    return;
  }
  if (request.mode === "navigate") {
    // The shell is one page: any navigation gets the cached index when offline, and when a
    // static host without a fallback to index.html answers a deep link with 404.
    const shell = () => caches.open(CACHE).then((cache) => cache.match(SHELL, { ignoreSearch: true }));
    event.respondWith(
      fetch(request)
        .then((response) => (response.status === 404 ? shell().then((hit) => hit || response) : response))
        .catch(() => shell().then((hit) => hit || Response.error()))
    );
    return;
  }
  // Hashed build files never change under the same name: cache first.
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request))
  );
});
