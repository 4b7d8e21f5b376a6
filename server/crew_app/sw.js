// The crew app's service worker: the shell and the outline map come from the network when it
// answers (so a release arrives with the server) and from this cache when it does not, so the
// app opens in a basement. The server fills in the file list and the version (shell.py).

const VERSION = "__SHELL_VERSION__";
const CACHE = `posbon-crew-${VERSION}`;
const SHELL = __SHELL_FILES__;
const BASEMAP = "/api/v1/crew-app/basemap";
// The vector basemap is read by byte range; each range read online is kept (the Cache API takes
// no 206, so as a 200 with its headers) and answers the same range offline. The ranges of one
// file stay together: a range that comes back with another ETag empties that cache first.
const VECTOR_BASEMAP = "/api/v1/crew-app/basemap.pmtiles";
const RANGES = "posbon-basemap-ranges";
const NETWORK_WAIT_MS = 4000; // a link that hangs is as good as none for opening the app

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith("posbon-crew-") && name !== CACHE).map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function cacheKey(request) {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return null;
  if (request.mode === "navigate" && (url.pathname === "/crew" || url.pathname.startsWith("/crew/"))) {
    return "/crew/";
  }
  if (url.pathname === BASEMAP || SHELL.includes(url.pathname)) return url.pathname;
  return null;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached !== undefined) return cached;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network too slow")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function rangeKey(request) {
  const url = new URL(request.url);
  const range = request.headers.get("Range");
  if (url.origin !== self.location.origin || request.method !== "GET" || range === null) return null;
  return url.pathname === VECTOR_BASEMAP ? `${VECTOR_BASEMAP}?${new URLSearchParams({ range })}` : null;
}

async function rangeNetworkFirst(request, key) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    if (response.status === 206) {
      let cache = await caches.open(RANGES);
      const before = await cache.match(key);
      if (before !== undefined && before.headers.get("ETag") !== response.headers.get("ETag")) {
        await caches.delete(RANGES);
        cache = await caches.open(RANGES);
      }
      const body = await response.clone().arrayBuffer();
      await cache.put(key, new Response(body, { status: 200, headers: response.headers }));
    }
    return response;
  } catch (error) {
    const cached = await (await caches.open(RANGES)).match(key);
    if (cached === undefined) throw error;
    return new Response(await cached.arrayBuffer(), { status: 206, headers: cached.headers });
  }
}

self.addEventListener("fetch", (event) => {
  const range = rangeKey(event.request);
  if (range !== null) {
    event.respondWith(rangeNetworkFirst(event.request, range));
    return;
  }
  const key = cacheKey(event.request);
  if (key !== null) event.respondWith(networkFirst(event.request, key));
  // Everything else (the API, sync, the socket) goes to the network untouched: the app keeps
  // its own offline queue in IndexedDB, never in this cache.
});
