// The service worker: mtasts works offline after one visit. post_build.py fills in the
// cache name (a hash of this build's files) and the list of files to precache.
const CACHE = "__CACHE__";
const FILES = ["__FILES__"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

// Another build's cache is another build's files: drop it, so modules never mix.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("mtasts-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // DNS-over-HTTPS and policy fetches (other origins) go to the network untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // The page from the network when there is one (a new deploy is seen at once),
    // else this build's page from the cache.
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((c) => c.match("./", { ignoreSearch: true })).then((r) => r || Response.error()),
      ),
    );
    return;
  }
  // Hashed files never change: this build's cache first, then the network.
  event.respondWith(
    caches.open(CACHE).then((c) => c.match(request).then((hit) => hit || fetch(request))),
  );
});
