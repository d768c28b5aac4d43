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

  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    return fetch(base + path, { method: "POST", body: body,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json(); });
  }
  function showCounts(c) { if (c) count.textContent = c.checked_in + " / " + c.expected; }
  function show(answer) {
    result.className = "js-result result result-" + (tone[answer.result] || "bad");
    var title = answer.message + (answer.name ? ": " + answer.name : "");
    var detail = [];
    if (answer.guests) detail.push("+" + answer.guests + " guest");
    if (answer.organisation) detail.push(answer.organisation);
    if (answer.result === "already") detail.push("at " + answer.at + ", " + answer.station);
    if (answer.event) detail.push(answer.event);
    result.querySelector(".result-title").textContent = title;
    result.querySelector(".result-detail").textContent = detail.join(" · ");
    lastCheckin = answer.result === "checked_in" ? answer.checkin_id : null;
    undoButton.hidden = !lastCheckin;
    showCounts(answer.counts);
  }
  function failed() {
    result.className = "js-result result result-bad";
    result.querySelector(".result-title").textContent = "No connection";
    result.querySelector(".result-detail").textContent = "Nothing was recorded. Try again.";
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
      showCounts(r.counts);
      result.className = "js-result result result-idle";
      result.querySelector(".result-title").textContent = r.undone ? "Check-in undone" : "Could not undo";
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
  setInterval(function () {
    fetch(base + "/counts", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); }).then(showCounts).catch(function () {});
  }, 3000);
})();
