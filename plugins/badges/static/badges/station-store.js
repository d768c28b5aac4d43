// What a check-in station keeps on the phone (IndexedDB), and how it reads tickets without
// the server: the copy of its door, the check-ins waiting to be sent, and the signature
// check (WebCrypto's Ed25519). Used by station.js, and by the service worker to wipe a
// revoked station, as self.StationStore.
(function () {
  "use strict";
  var DB_NAME = "organizer-station", VERSION = 1;
  var ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
  // As signing.py: the secret, the event's id and the signature of both.
  var SIGNED = /\/t\/([23456789a-hjkmnp-z]{26})\?s=([0-9]{1,12})\.([A-Za-z0-9_-]{86})$/;
  var RUN = new RegExp("[" + ALPHABET + "]{26,}", "g");

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  var opened = null;
  function open() {
    if (!opened) {
      var req = indexedDB.open(DB_NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        // One copy per station (keyed by its page), and the scans it has not sent yet.
        db.createObjectStore("copies", { keyPath: "station" });
        var queue = db.createObjectStore("queue", { keyPath: "nonce" });
        queue.createIndex("station", "station");
      };
      opened = request(req);
    }
    return opened;
  }
  function store(name, mode) {
    return open().then(function (db) { return db.transaction(name, mode).objectStore(name); });
  }
  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  }

  var Store = {
    getCopy: function (station) {
      return store("copies", "readonly").then(function (s) { return request(s.get(station)); })
        .then(function (row) { return row ? row.copy : null; });
    },
    putCopy: function (station, copy) {
      return store("copies", "readwrite").then(function (s) {
        return request(s.put({ station: station, copy: copy }));
      });
    },
    queued: function (station) {
      return store("queue", "readonly").then(function (s) {
        return request(s.index("station").getAll(station));
      }).then(function (rows) {
        return rows.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
      });
    },
    enqueue: function (station, scan) {
      scan.station = station;
      return store("queue", "readwrite").then(function (s) { return request(s.put(scan)); });
    },
    dequeue: function (nonces) {
      return open().then(function (db) {
        var tx = db.transaction("queue", "readwrite");
        nonces.forEach(function (n) { tx.objectStore("queue").delete(n); });
        return done(tx);
      });
    },
    // Everything this station kept: its copy, its unsent scans, its cached page.
    wipe: function (station, page) {
      return open().then(function (db) {
        var tx = db.transaction(["copies", "queue"], "readwrite");
        tx.objectStore("copies").delete(station);
        var queue = tx.objectStore("queue");
        queue.index("station").getAllKeys(station).onsuccess = function (e) {
          e.target.result.forEach(function (key) { queue.delete(key); });
        };
        return done(tx);
      }).then(function () {
        try { self.localStorage.removeItem("organizer-station-dismissed:" + station); } catch (e) { /* a worker has none */ }
        if (!self.caches || !page) return null;
        return caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) {
            return caches.open(name).then(function (c) { return c.delete(page); });
          }));
        });
      });
    },

    // A scanned text: {secret, eventId, signature} for a signed code, {secret} for a
    // code printed before signing (or typed), {damaged: true} for a signed code cut short,
    // null for anything else.
    parse: function (text) {
      text = (text || "").trim();
      if (!text || text.length > 500) return null;
      var signed = SIGNED.exec(text);
      if (signed) return { secret: signed[1], eventId: parseInt(signed[2], 10), signature: signed[3] };
      if (text.indexOf("?s=") >= 0) return { damaged: true };
      // As tickets.secret_in: a run of exactly 26 letters of the alphabet, before any
      // query (a scanner that changed the case leaves a signature that means nothing),
      // in the last part of a URL first.
      var cleaned = text.toLowerCase().split("?")[0].replace(/[- ]/g, "");
      function secrets(part) {
        return (part.match(RUN) || []).filter(function (run) { return run.length === 26; });
      }
      var found = secrets(cleaned.slice(cleaned.lastIndexOf("/") + 1));
      if (!found.length) found = secrets(cleaned);
      return found.length ? { secret: found[found.length - 1] } : null;
    },
    // What the copy holds instead of a secret: 128 bits of its SHA-256, in hex.
    hash: function (secret) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)).then(function (digest) {
        return Array.prototype.map.call(new Uint8Array(digest).slice(0, 16), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("");
      });
    },
    // true or false; null when this browser cannot check Ed25519 signatures.
    verify: function (publicKey, code) {
      var message = new TextEncoder().encode("organizer-ticket/1/" + code.eventId + "/" + code.secret);
      return crypto.subtle.importKey("raw", unbase64(publicKey), { name: "Ed25519" }, false, ["verify"])
        .then(function (key) {
          return crypto.subtle.verify({ name: "Ed25519" }, key, unbase64(code.signature), message);
        }, function () { return null; })
        .catch(function () { return false; });
    }
  };

  function unbase64(text) {
    var plain = text.replace(/-/g, "+").replace(/_/g, "/");
    while (plain.length % 4) plain += "=";
    var raw = atob(plain), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  self.StationStore = Store;
})();
