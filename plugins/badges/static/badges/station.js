// The check-in station: scanner or typed codes, the camera, search, undo, live counts; and
// the same without the network, from the copy of the door this phone keeps (station-store.js),
// with the check-ins made meanwhile sent in one batch when the network returns.
(function () {
  "use strict";
  var root = document.querySelector(".js-station");
  if (!root) return;
  var Store = window.StationStore;
  var base = root.dataset.base, stationId = parseInt(root.dataset.station, 10);
  var code = root.querySelector(".js-code"), result = root.querySelector(".js-result");
  var undoButton = root.querySelector(".js-undo"), count = root.querySelector(".js-count");
  var net = root.querySelector(".js-net");
  var lastCheckin = null;
  var tone = { checked_in: "ok", already: "warn", waiting: "warn", pending: "warn" };
  // The words shown, in the page's language (views_station.words): %(name)s in them is
  // filled in by fill(); a plural comes as its "one" and "other" forms, its number as
  // %(count)s (see plural()).
  var WORDS = JSON.parse(document.getElementById("station-words").textContent);
  var MESSAGES = WORDS.messages;
  var lang = document.documentElement.lang || "en";
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var numbers = window.Intl ? new Intl.NumberFormat(lang) : null;
  // The 24-hour clock the server writes too ("08:30"), in the language's own way.
  var clock = window.Intl
    ? new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) : null;
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && values[name] !== undefined ? String(values[name]) : all;
    });
  }
  function number(n) { return numbers ? numbers.format(n) : String(n); }
  function plural(forms, n, values) {
    var one = plurals ? plurals.select(n) === "one" : n === 1;
    var all = { count: number(n) };
    for (var k in values || {}) all[k] = values[k];
    return fill(one ? forms.one : forms.other, all);
  }
  // An answer stays up long enough to read and undo, then the screen is ready
  // again: the next person in the queue does not see the last one's name.
  var CLEAR_AFTER_MS = parseInt(root.dataset.clearAfter || "12000", 10);
  var ONLINE_WAIT_MS = 4000;  // a scan not answered by then is decided on the phone
  var clearTimer = null;
  // Offline works where the browser keeps data and checks signatures: a secure page.
  var canKeep = !!(Store && window.indexedDB && window.crypto && crypto.subtle);
  var copy = null, clockOffset = 0, queuedCount = 0, reachable = navigator.onLine;
  // wiped: the link was revoked, the phone keeps nothing. over: the event is over, the phone
  // keeps no guest list but still sends what it admitted.
  var syncing = false, wiped = false, over = false;
  // Sending the queue and taking a copy take turns: a copy fetched while a batch is applied
  // would lack that batch's check-ins once the batch has left the queue.
  var turns = Promise.resolve();
  function inTurn(job) {
    turns = turns.then(job, job).catch(function () {});
    return turns;
  }

  function ready() {
    result.className = "js-result result result-idle";
    result.querySelector(".result-title").textContent = WORDS.ready;
    result.querySelector(".result-detail").textContent = WORDS.ready_detail;
    showMarkers([]);
    undoButton.hidden = true;
    lastCheckin = null;
  }
  function clearLater() {
    clearTimeout(clearTimer);
    clearTimer = setTimeout(ready, CLEAR_AFTER_MS);
  }
  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function hhmm(iso) {
    var when = new Date(iso);
    if (clock) return clock.format(when);
    return ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
  }
  function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise(function (_, reject) {
      setTimeout(function () { reject(new Error("timeout")); }, ms);
    })]);
  }
  function post(path, fields) {
    return fetch(base + path, { method: "POST", body: new URLSearchParams(fields),
      headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (data) { data.httpStatus = r.status; return data; });
      });
  }
  function postJSON(path, body) {
    return withTimeout(fetch(base + path, { method: "POST", body: JSON.stringify(body),
      headers: { "Accept": "application/json", "Content-Type": "application/json" } }), 30000)
      .then(function (r) {
        if (r.status === 404) { linkGone(); throw new Error("gone"); }
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      });
  }

  // --- what the screen says -----------------------------------------------------
  function showCounts(c) {
    if (c && typeof c.checked_in === "number") count.textContent = number(c.checked_in) + " / " + number(c.expected);
  }
  function showMarkers(markers) {
    // What other plugins want the door to know ("No photos"), as text only.
    var list = result.querySelector(".result-markers");
    list.textContent = "";
    markers.forEach(function (m) {
      var item = document.createElement("li");
      item.className = "marker marker-" + (m.tone === "warning" ? "warning" : "info");
      item.textContent = m.text;
      list.appendChild(item);
    });
  }
  function problem(title, detail) {
    result.className = "js-result result result-bad";
    result.querySelector(".result-title").textContent = title;
    result.querySelector(".result-detail").textContent = detail || "";
    showMarkers([]);
    undoButton.hidden = true;
    lastCheckin = null;
    clearLater();
  }
  function show(answer) {
    if (!answer.result) {
      // An error page in JSON: a revoked link, an expired form, too many requests.
      if (answer.httpStatus === 404) linkGone();
      else if (answer.httpStatus === 400) problem(WORDS.reload, answer.error);
      else problem(WORDS.not_recorded, answer.error || WORDS.try_again);
      return;
    }
    result.className = "js-result result result-" + (tone[answer.result] || "bad");
    var title = answer.message + (answer.name ? ": " + answer.name : "");
    var detail = [];
    if (answer.guests) detail.push(plural(WORDS.guests, answer.guests));
    if (answer.organisation) detail.push(answer.organisation);
    if (answer.result === "already") detail.push(fill(WORDS.at, { time: answer.at, station: answer.station }));
    if (answer.event) detail.push(answer.event);
    if (answer.note) detail.push(answer.note);
    result.querySelector(".result-title").textContent = title;
    result.querySelector(".result-detail").textContent = detail.join(" · ");
    showMarkers(answer.markers || []);
    lastCheckin = answer.result === "checked_in" && !answer.offline ? answer.checkin_id : null;
    undoButton.hidden = !lastCheckin;
    clearLater();
  }
  function showNet() {
    net.className = "net js-net " + (reachable ? "net-online" : "net-offline");
    var text, offline = WORDS.offline;
    if (wiped) text = WORDS.no_list;
    else if (over && !queuedCount) text = WORDS.over;
    else if (!reachable) {
      // With the time of the copy, or saying there is none yet (where the phone could keep one).
      var which = copy ? "_copy" : (canKeep ? "_no_copy" : "");
      var values = { time: copy ? hhmm(copy.copied_at) : "" };
      text = queuedCount ? plural(offline["queued" + which], queuedCount, values)
                         : fill(offline["plain" + which], values);
    } else if (syncing) text = plural(WORDS.sending, queuedCount);
    else if (queuedCount) text = plural(WORDS.sending_soon, queuedCount);
    else text = copy ? fill(WORDS.online_copy, { time: hhmm(copy.copied_at) }) : WORDS.online;
    net.textContent = text;
  }
  function linkGone() {
    problem(WORDS.link_gone, WORDS.ask_host);
    if (canKeep) Store.wipe(base, location.pathname).then(function () {
      copy = null; queuedCount = 0; wiped = true; showNet();
    });
  }

  // --- notices: conflicts found when offline check-ins were sent ------------------
  var noticeBox = root.querySelector(".js-notices-box"), noticeList = root.querySelector(".js-notices");
  var DISMISSED = "organizer-station-dismissed:" + base;
  function dismissed() {
    try { return JSON.parse(localStorage.getItem(DISMISSED) || "[]"); } catch (e) { return []; }
  }
  function showNotices(notices) {
    if (!notices) return;
    var hidden = dismissed();
    noticeList.textContent = "";
    notices.filter(function (n) { return hidden.indexOf(n.id) < 0; }).reverse().forEach(function (n) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = n.message;
      var ok = document.createElement("button");
      ok.type = "button";
      ok.className = "button small secondary";
      ok.textContent = WORDS.got_it;
      ok.addEventListener("click", function () {
        var now = dismissed();
        now.push(n.id);
        try { localStorage.setItem(DISMISSED, JSON.stringify(now)); } catch (e) { /* private mode */ }
        li.remove();
        noticeBox.hidden = !noticeList.children.length;
      });
      li.appendChild(text);
      li.appendChild(ok);
      noticeList.appendChild(li);
    });
    noticeBox.hidden = !noticeList.children.length;
  }

  // --- the copy of the door -------------------------------------------------------
  function person(id) {
    if (!copy) return null;
    for (var i = 0; i < copy.people.length; i++) if (copy.people[i].id === id) return copy.people[i];
    return null;
  }
  function copyCounts() {
    var c = { checked_in: 0, expected: 0 };
    copy.people.forEach(function (p) {
      if (p.status !== "going") return;
      c.expected += 1 + p.guests;
      if (p.in) c.checked_in += 1 + p.guests;
    });
    // Holders of tickets issued after the copy: going, and admitted here.
    var newcomers = Object.keys(copy.admitted || {}).length;
    c.expected += newcomers;
    c.checked_in += newcomers;
    return c;
  }
  function markIn(p, at, where) {
    p.in = at; p.where = where;
    return Store.putCopy(base, copy);
  }
  function applyQueue(scans) {
    // A fresh copy does not know what this phone admitted and has not sent yet.
    scans.forEach(function (scan) {
      var p = scan.attendee ? person(scan.attendee) : null;
      if (p && !p.in) { p.in = scan.at; p.where = copy.station.name; }
      if (scan.ticket) copy.admitted[scan.ticket] = scan.at;
    });
  }
  function endCopy() {
    // The event is over: its guest list leaves the phone; unsent scans stay to be sent.
    copy = null; over = true;
    return Store.putCopy(base, null).then(showNet);
  }
  function refreshCopy() { return inTurn(takeCopy); }
  function takeCopy() {
    if (!canKeep || wiped || over) return Promise.resolve();
    var asked = Date.now();
    return withTimeout(fetch(base + "/copy", { headers: { Accept: "application/json" } }), 20000)
      .then(function (r) {
        if (r.status === 404) { linkGone(); return null; }
        if (r.status === 410) return endCopy();
        if (!r.ok) return null;
        return r.json().then(function (fresh) {
          clockOffset = new Date(fresh.server_time).getTime() - (asked + Date.now()) / 2;
          fresh.copied_at = fresh.server_time;
          fresh.clock_offset = clockOffset;
          fresh.admitted = {};
          copy = fresh;
          return Store.queued(base).then(function (scans) {
            applyQueue(scans);
            queuedCount = scans.length;
            return Store.putCopy(base, copy);
          }).then(function () {
            reachable = true;
            showNet();
            showCounts(copyCounts());
            showNotices(copy.notices);
            hello(true);
          });
        });
      }).catch(function () { /* offline: keep the copy there is */ });
  }
  function loadCopy() {
    if (!canKeep) return Promise.resolve();
    return Store.getCopy(base).then(function (kept) {
      copy = kept;
      if (copy && new Date(copy.keep_until).getTime() < Date.now()) return endCopy();
      if (copy) clockOffset = copy.clock_offset || 0;
      return Store.queued(base).then(function (scans) { queuedCount = scans.length; });
    }).then(function () {
      showNet();
      if (copy) { showNotices(copy.notices); if (!reachable) showCounts(copyCounts()); }
    });
  }

  // --- deciding at the door without the server --------------------------------------
  function offlineAnswer(result, p, extra) {
    var a = { result: result, message: MESSAGES[result], offline: true };
    if (p) { a.name = p.name; a.organisation = p.organisation; a.guests = p.guests; }
    for (var k in extra || {}) a[k] = extra[k];
    return a;
  }
  function admit(p, scan, ticketHash) {
    var at = new Date(Date.now() + clockOffset).toISOString();
    scan.at = at;
    if (p) scan.attendee = p.id;
    if (ticketHash) { scan.ticket = ticketHash; copy.admitted[ticketHash] = at; }
    return Store.enqueue(base, scan).then(function () {
      queuedCount += 1;
      return p ? markIn(p, at, copy.station.name) : Store.putCopy(base, copy);
    }).then(function () {
      showNet();
      showCounts(copyCounts());
      return offlineAnswer("checked_in", p, {
        note: (p ? "" : WORDS.new_ticket + " · ") + WORDS.saved
      });
    });
  }
  function decidePerson(p, scan, ticketHash) {
    if (p.status !== "going") return Promise.resolve(offlineAnswer(MESSAGES[p.status] ? p.status : "unknown", p));
    if (p.in) return Promise.resolve(offlineAnswer("already", p, { at: hhmm(p.in), station: p.where || WORDS.host }));
    return admit(p, scan, ticketHash);
  }
  function decideOffline(fields) {
    if (!copy) {
      return Promise.resolve({ result: "none", message: WORDS.no_connection, note: WORDS.no_copy });
    }
    var scan = { nonce: fields.nonce };
    if (fields.attendee_id) {
      scan.attendee_id = parseInt(fields.attendee_id, 10);
      var p = person(scan.attendee_id);
      return p ? decidePerson(p, scan, null) : Promise.resolve(offlineAnswer("unknown"));
    }
    scan.code = fields.code;
    var parsed = Store.parse(fields.code);
    if (!parsed || parsed.damaged) return Promise.resolve(offlineAnswer("unknown"));
    return Store.hash(parsed.secret).then(function (h) {
      if (copy.revoked.indexOf(h) >= 0) return offlineAnswer("revoked");
      var known = copy.tickets[h];
      if (known !== undefined) {
        var holder = person(known);
        return holder ? decidePerson(holder, scan, null) : offlineAnswer("unknown");
      }
      if (!parsed.signature) {
        return offlineAnswer("unknown", null, { note: WORDS.not_on_copy });
      }
      if (parsed.eventId !== copy.event.id) return offlineAnswer("other_event");
      if (copy.admitted[h]) {
        return offlineAnswer("already", null, { at: hhmm(copy.admitted[h]), station: copy.station.name });
      }
      return Store.verify(copy.key, parsed).then(function (valid) {
        if (valid === null) {
          return offlineAnswer("unknown", null, { note: WORDS.cannot_verify });
        }
        return valid ? admit(null, scan, h) : offlineAnswer("unknown");
      });
    });
  }

  // --- scans: online first, the phone's copy when the network does not answer -------
  function answered(answer) {
    reachable = true;
    if (answer.result === "checked_in" && copy && answer.attendee_id) {
      var p = person(answer.attendee_id);
      if (p) markIn(p, new Date(Date.now() + clockOffset).toISOString(), copy.station.name);
    }
    show(answer);
    if (answer.result) refreshCounts();
  }
  function send(path, fields) {
    fields.nonce = nonce();
    var attempt = function () { return withTimeout(post(path, fields), ONLINE_WAIT_MS); };
    // Once the server stopped answering, scans are decided on the phone at once (no 4 s
    // wait each); the counts poll finds out when it answers again.
    var online = navigator.onLine && reachable ? attempt().catch(function (e) {
      // One retry with the same nonce: the server answers a repeat as the first time.
      return e.message === "timeout" ? Promise.reject(e) : attempt();
    }) : Promise.reject(new Error("offline"));
    return online.then(answered, function () {
      reachable = false;
      showNet();
      // The same nonce: had the scan reached the server after all, the batch finds it there.
      return decideOffline(fields).then(function (answer) {
        if (answer.result === "none") problem(answer.message, answer.note); else show(answer);
      });
    }).catch(function () { problem(WORDS.not_recorded, WORDS.try_again); });
  }
  root.querySelector(".js-scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = code.value.trim();
    code.value = "";
    if (value) send("/scan", { code: value });
    code.focus();
  });
  undoButton.addEventListener("click", function () {
    if (!lastCheckin) return;
    post("/undo", { checkin_id: lastCheckin }).then(function (r) {
      if (r.httpStatus === 404 && r.undone === undefined) { show(r); return; }
      showCounts(r.counts);
      result.className = "js-result result result-idle";
      result.querySelector(".result-title").textContent = r.undone ? WORDS.undone : WORDS.not_undone;
      showMarkers([]);
      result.querySelector(".result-detail").textContent = "";
      undoButton.hidden = true;
      lastCheckin = null;
      code.focus();
      refreshCopy();
    }).catch(function () { problem(WORDS.no_connection, WORDS.undo_offline); });
  });

  // --- search ------------------------------------------------------------------------
  var search = root.querySelector(".js-search"), people = root.querySelector(".js-people");
  var timer = null;
  function listPeople(found) {
    people.textContent = "";
    found.forEach(function (p) {
      var li = document.createElement("li");
      var label = document.createElement("span");
      var status = WORDS.statuses[p.status] || p.status;
      if (p.checked_in) status = fill(WORDS.status_in, { status: status });
      label.textContent = p.name + (p.organisation ? " — " + p.organisation : "") + " (" + status + ")";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = WORDS.check_in;
      button.addEventListener("click", function () { send("/checkin", { attendee_id: p.id }); });
      li.appendChild(label);
      li.appendChild(button);
      people.appendChild(li);
    });
  }
  function searchCopy(text) {
    text = text.trim().toLowerCase();
    if (!copy || text.length < 2) return [];
    return copy.people.filter(function (p) {
      if (text.indexOf("@") >= 0) return false;  // the copy holds no addresses
      return p.name.toLowerCase().indexOf(text) >= 0 || (p.organisation || "").toLowerCase().indexOf(text) >= 0;
    }).slice(0, 20).map(function (p) {
      return { id: p.id, name: p.name, organisation: p.organisation, status: p.status, guests: p.guests, checked_in: !!p.in };
    });
  }
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = search.value;
      var online = reachable && navigator.onLine
        ? withTimeout(fetch(base + "/search?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } }), ONLINE_WAIT_MS)
          .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
        : Promise.reject(new Error("offline"));
      online.then(function (data) { listPeople(data.people); }, function () { listPeople(searchCopy(text)); });
    }, 250);
  });

  // --- the camera ----------------------------------------------------------------------
  // The browser's BarcodeDetector where it exists; otherwise frames go to the server,
  // whose reader copes with worn and blurred codes, and are read on the phone (jsQR)
  // while the network is down.
  var cameraButton = root.querySelector(".js-camera"), video = root.querySelector(".js-video");
  var note = root.querySelector(".js-camera-note"), lastCode = "", lastAt = 0, busy = false;
  function seen(text) {
    // A ticket held in front of the camera is read many times: scan it once,
    // until another code is seen or half a minute has passed.
    var now = Date.now();
    if (!text || (text === lastCode && now - lastAt < 30000)) return;
    lastCode = text; lastAt = now;
    send("/scan", { code: text });
  }
  function readHere(canvas) {
    if (!window.jsQR) return;
    var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" });
    if (found && found.data) seen(found.data);
  }
  function frameLoop(detector) {
    var canvas = document.createElement("canvas");
    setInterval(function () {
      if (busy || video.readyState < 2) return;
      busy = true;
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) seen(codes[0].rawValue);
        }).catch(function () {}).then(function () { busy = false; });
        return;
      }
      canvas.width = Math.min(video.videoWidth, 960);
      canvas.height = Math.round(canvas.width * video.videoHeight / video.videoWidth);
      if (!canvas.width || !canvas.height) { busy = false; return; }
      canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0, canvas.width, canvas.height);
      if (!reachable || !navigator.onLine) { readHere(canvas); busy = false; return; }
      canvas.toBlob(function (blob) {
        if (!blob) { busy = false; return; }
        var form = new FormData();
        form.append("frame", blob, "frame.jpg");
        withTimeout(fetch(base + "/frame", { method: "POST", body: form, headers: { "Accept": "application/json" } }), ONLINE_WAIT_MS)
          .then(function (r) { return r.json(); })
          .then(function (answer) { if (answer.result === "code") seen(answer.code); })
          .catch(function () { readHere(canvas); })
          .then(function () { busy = false; });
      }, "image/jpeg", 0.8);
    }, detector ? 300 : 800);
  }
  cameraButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.hidden = false;
      note.textContent = WORDS.camera.none;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        cameraButton.hidden = true;
        return video.play();
      })
      .then(function () {
        var detector = null;
        if ("BarcodeDetector" in window) {
          try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
        }
        note.hidden = false;
        note.textContent = detector ? WORDS.camera.here : WORDS.camera.server;
        frameLoop(detector);
      })
      .catch(function () {
        note.hidden = false;
        note.textContent = WORDS.camera.denied;
      });
  });

  // --- staying in touch: counts, the check-ins waiting on the phone, the copy ------------
  function refreshCounts() {
    // Also how the page learns that the server answers again.
    if (!navigator.onLine) { if (copy) showCounts(copyCounts()); return; }
    withTimeout(fetch(base + "/counts", { headers: { Accept: "application/json" } }), ONLINE_WAIT_MS)
      .then(function (r) {
        if (r.status === 404) { linkGone(); return null; }
        return r.json();
      }).then(function (c) {
        if (!c) return;
        var back = !reachable;
        reachable = true;
        if (queuedCount || syncing) showCounts(copy ? copyCounts() : c); else showCounts(c);
        showNet();
        if (back) sendQueue();
      }).catch(function () {
        reachable = false;
        showNet();
        if (copy) showCounts(copyCounts());
      });
  }
  function hello(copied) {
    return postJSON("/hello", { queued: queuedCount, copied: !!copied }).then(function (r) {
      showCounts(r.counts);
      showNotices(r.notices);
    }).catch(function () {});
  }
  function sendQueue() {
    if (!canKeep || syncing || wiped || !navigator.onLine) return Promise.resolve();
    syncing = true;  // before the queue is read: a second call meanwhile sends nothing
    return inTurn(function () {
      // One tab of this station sends at a time (two tabs on one phone share the queue).
      if (navigator.locks && navigator.locks.request) {
        return navigator.locks.request("organizer-station-sync:" + base, sendBatches);
      }
      return sendBatches();
    });
  }
  function sendBatches() {
    return Store.queued(base).then(function (scans) {
      queuedCount = scans.length;
      if (!scans.length) return null;
      showNet();
      var batch = scans.slice(0, 500);
      var body = batch.map(function (s) {
        var item = { nonce: s.nonce, at: s.at };
        if (s.code) item.code = s.code; else item.attendee_id = s.attendee_id;
        return item;
      });
      // What the phone will still hold once this batch is in: what the host sees.
      return postJSON("/sync", { scans: body, queued: scans.length - batch.length }).then(function (r) {
        reachable = true;
        var sent = r.results.map(function (a) { return a.nonce; }).filter(Boolean);
        return Store.dequeue(sent).then(function () {
          queuedCount = Math.max(0, scans.length - sent.length);
          showNotices(r.notices);
          var conflicts = r.results.filter(function (a) { return a.result === "conflict"; });
          if (conflicts.length) {
            problem(plural(WORDS.problems, conflicts.length),
                    conflicts.map(function (a) { return a.message; }).join(" "));
          }
          if (queuedCount) return sendBatches();
          return takeCopy();
        });
      });
    }).catch(function () { reachable = false; }).then(function () { syncing = false; showNet(); });
  }

  window.addEventListener("online", function () { reachable = true; showNet(); sendQueue(); });
  window.addEventListener("offline", function () { reachable = false; showNet(); });
  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker).then(function () {
      // Keep this page and what it loads, so it opens again without the network.
      if (!window.caches || !navigator.onLine) return null;
      var urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=manifest], link[rel=icon]")
        .forEach(function (el) { urls.push(el.getAttribute("src") || el.getAttribute("href")); });
      return caches.open("organizer-station").then(function (cache) { return cache.addAll(urls); });
    }).catch(function () { /* the page still works while online */ });
  }
  loadCopy().then(function () {
    if (navigator.onLine) return sendQueue().then(refreshCopy);
    return null;
  });
  setInterval(refreshCounts, 3000);
  setInterval(function () { if (navigator.onLine) sendQueue(); }, 10000);
  setInterval(function () {
    if (copy && new Date(copy.keep_until).getTime() < Date.now()) endCopy();
    else if (navigator.onLine) refreshCopy();
  }, 60000);
  setInterval(function () { if (navigator.onLine && reachable) hello(false); }, 20000);
})();
