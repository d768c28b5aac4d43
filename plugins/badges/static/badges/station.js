// The check-in station: scanner or typed codes, manual search, undo, live counts.
(function () {
  "use strict";
  var root = document.querySelector(".js-station");
  if (!root) return;
  var base = root.dataset.base, csrf = root.dataset.csrf;
  var code = root.querySelector(".js-code"), result = root.querySelector(".js-result");
  var undoButton = root.querySelector(".js-undo"), count = root.querySelector(".js-count");
  var lastCheckin = null;
  var tone = { checked_in: "ok", already: "warn", waiting: "warn", pending: "warn" };
  // An answer stays up long enough to read and undo, then the screen is ready
  // again: the next person in the queue does not see the last one's name.
  var CLEAR_AFTER_MS = parseInt(root.dataset.clearAfter || "12000", 10);
  var clearTimer = null;

  function ready() {
    result.className = "js-result result result-idle";
    result.querySelector(".result-title").textContent = "Ready";
    result.querySelector(".result-detail").textContent = "Scan a ticket, type its code, or search below.";
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
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    return fetch(base + path, { method: "POST", body: body,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (data) { data.httpStatus = r.status; return data; });
      });
  }
  function showCounts(c) {
    if (c && typeof c.checked_in === "number") count.textContent = c.checked_in + " / " + c.expected;
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
      if (answer.httpStatus === 404) problem("This station link no longer works", "Ask the host for a new one.");
      else if (answer.httpStatus === 400) problem("Please reload this page", answer.error);
      else problem("Not recorded", answer.error || "Try again.");
      return;
    }
    result.className = "js-result result result-" + (tone[answer.result] || "bad");
    var title = answer.message + (answer.name ? ": " + answer.name : "");
    var detail = [];
    if (answer.guests) detail.push("+" + answer.guests + " guest");
    if (answer.organisation) detail.push(answer.organisation);
    if (answer.result === "already") detail.push("at " + answer.at + ", " + answer.station);
    if (answer.event) detail.push(answer.event);
    result.querySelector(".result-title").textContent = title;
    result.querySelector(".result-detail").textContent = detail.join(" · ");
    showMarkers(answer.markers || []);
    lastCheckin = answer.result === "checked_in" ? answer.checkin_id : null;
    undoButton.hidden = !lastCheckin;
    refreshCounts();
    clearLater();
  }
  function failed() {
    result.className = "js-result result result-bad";
    result.querySelector(".result-title").textContent = "No connection";
    result.querySelector(".result-detail").textContent = "Nothing was recorded. Try again.";
    showMarkers([]);
  }
  function send(path, fields) {
    fields.nonce = nonce();
    // One retry with the same nonce: the server answers a repeat as the first time.
    return post(path, fields).catch(function () { return post(path, fields); })
      .then(show).catch(failed);
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
      result.querySelector(".result-title").textContent = r.undone ? "Check-in undone" : "Could not undo";
      showMarkers([]);
      result.querySelector(".result-detail").textContent = "";
      undoButton.hidden = true;
      lastCheckin = null;
      code.focus();
    }).catch(failed);
  });
  var search = root.querySelector(".js-search"), people = root.querySelector(".js-people");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(base + "/search?q=" + encodeURIComponent(search.value), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          people.textContent = "";
          data.people.forEach(function (p) {
            var li = document.createElement("li");
            var label = document.createElement("span");
            label.textContent = p.name + (p.organisation ? " — " + p.organisation : "") + " (" + p.status + (p.checked_in ? ", checked in" : "") + ")";
            var button = document.createElement("button");
            button.type = "button";
            button.className = "button small";
            button.textContent = "Check in";
            button.addEventListener("click", function () { send("/checkin", { attendee_id: p.id }); });
            li.appendChild(label);
            li.appendChild(button);
            people.appendChild(li);
          });
        });
    }, 250);
  });
  // Camera: the browser's BarcodeDetector where it exists, otherwise frames
  // sent to the server, which decodes them with zxing-cpp.
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
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      if (!canvas.width || !canvas.height) { busy = false; return; }
      canvas.toBlob(function (blob) {
        if (!blob) { busy = false; return; }
        var form = new FormData();
        form.append("frame", blob, "frame.jpg");
        fetch(base + "/frame", { method: "POST", body: form,
          headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (answer) { if (answer.result === "code") seen(answer.code); })
          .catch(function () {}).then(function () { busy = false; });
      }, "image/jpeg", 0.8);
    }, detector ? 300 : 800);
  }
  cameraButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.hidden = false;
      note.textContent = "This browser cannot use the camera here; use a scanner or type the code.";
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
        note.textContent = detector ? "Reading codes in this browser." : "Reading codes on the server.";
        frameLoop(detector);
      })
      .catch(function () {
        note.hidden = false;
        note.textContent = "The camera is not available. Allow it in the browser, or use a scanner.";
      });
  });

  function refreshCounts() {
    fetch(base + "/counts", { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 404) { problem("This station link no longer works", "Ask the host for a new one."); return null; }
        return r.json();
      }).then(showCounts).catch(function () {});
  }
  setInterval(refreshCounts, 3000);
})();
