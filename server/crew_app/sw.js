// The crew app's service worker: the shell and the outline map come from the network when it
// answers (so a release arrives with the server) and from this cache when it does not, so the
// app opens in a basement. The server fills in the file list and the version (shell.py).

const VERSION = "__SHELL_VERSION__";
const CACHE = `posbon-crew-${VERSION}`;
const SHELL = __SHELL_FILES__;
const BASEMAP = "/api/v1/crew-app/basemap";
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

self.addEventListener("fetch", (event) => {
  const key = cacheKey(event.request);
  if (key !== null) event.respondWith(networkFirst(event.request, key));
  // Everything else (the API, sync, the socket) goes to the network untouched: the app keeps
  // its own offline queue in IndexedDB, never in this cache.
});
