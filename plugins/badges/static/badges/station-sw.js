// The check-in stations' service worker: a station page and what it loads open again when
// the venue's network is down. Pages and files come from the network while there is one
// (so a revoked link or a new version shows at once) and from the cache when there is not.
// Everything else (scans, the copy, sync) goes to the network untouched: the page itself
// decides what to do when it fails.
"use strict";
// Relative to this script (<prefix>/station/sw.js), so a site under a path prefix works.
importScripts("../badges/static/badges/station-store.js");
var CACHE = "organizer-station";
var STATION_PAGE = /\/station\/[^/]+$/;
// What a page not kept on the phone answers offline, in the language of the station page
// that registered this worker (it passes the sentence in the worker's URL: ?offline=…).
var OFFLINE = new URL(self.location.href).searchParams.get("offline") ||
  "You are offline and this page was not saved on this phone.";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function kept(request) {
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return false;
  // The station page itself (/station/<secret>) and the files pages load.
  return STATION_PAGE.test(url.pathname) || url.pathname.indexOf("/static/") >= 0 ||
    /\/manifest\.webmanifest$/.test(url.pathname);
}

self.addEventListener("fetch", function (event) {
  if (!kept(event.request)) return;
  event.respondWith(fetch(event.request).then(function (response) {
    var path = new URL(event.request.url).pathname;
    if (response.status === 404 && STATION_PAGE.test(path)) {
      // A revoked station: nothing of it stays on the phone, its copy and queue included.
      self.StationStore.wipe(path, event.request.url);
    } else if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
    }
    return response;
  }, function () {
    return caches.match(event.request, { ignoreVary: true }).then(function (found) {
      return found || new Response(OFFLINE,
        { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});
