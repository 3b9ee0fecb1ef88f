// Service worker: precache the app shell and wasm at install so a page loaded once works
// offline (everything but LLM calls). `cargo xtask build` fills in the version and the list.
const VERSION = "__MD_VERSION__";
const PRECACHE = [/*__MD_PRECACHE__*/];
const CACHE = `machine-dream-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("machine-dream-shell-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Only our own origin: LLM and edge-API calls always go to the network.
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
    // The shell is one page: any navigation gets the cached index when offline.
    event.respondWith(
      fetch(request).catch(() => caches.match("./", { ignoreSearch: true }))
    );
    return;
  }
  // Hashed build files never change under the same name: cache first.
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request))
  );
});
