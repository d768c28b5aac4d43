// organizer — small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Ask before destructive actions (forms marked .js-confirm).
  document.querySelectorAll("form.js-confirm").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm || "Are you sure?")) event.preventDefault();
    });
  });

  // Pre-select the browser's time zone on sign-up when the field is untouched.
  document.querySelectorAll(".js-detect-timezone select").forEach(function (select) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]') && !select.dataset.touched) {
        select.value = zone;
      }
    } catch (e) { /* keep the server's default */ }
  });

  // Select the whole link when a copy field is focused.
  document.querySelectorAll("input.copy").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Series form: show the weekday or month-week choice that applies.
  var freq = document.getElementById("freq");
  if (freq) {
    var sync = function () {
      var monthly = freq.value === "monthly";
      document.querySelectorAll(".js-weekly").forEach(function (el) { el.hidden = monthly; });
      document.querySelectorAll(".js-monthly").forEach(function (el) { el.hidden = !monthly; });
    };
    freq.addEventListener("change", sync);
    sync();
  }

  // Job pages: poll the job's state until it is finished.
  document.querySelectorAll(".js-job").forEach(function (box) {
    var bar = box.querySelector(".js-job-bar");
    var text = box.querySelector(".js-job-text");
    var download = box.querySelector(".js-job-download");
    function showFailed(lines) {
      if (!lines || !lines.length || box.querySelector(".js-job-failed")) { return; }
      var summary = document.createElement("div");
      summary.className = "error-summary js-job-failed";
      var heading = document.createElement("h2");
      heading.textContent = "Not done for " + lines.length;
      var list = document.createElement("ul");
      lines.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        list.appendChild(item);
      });
      var help = document.createElement("p");
      help.className = "help";
      help.textContent = "Run it again to retry them; those already done are not done twice.";
      summary.appendChild(heading);
      summary.appendChild(list);
      summary.appendChild(help);
      box.insertBefore(summary, download);
    }
    function poll() {
      fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 403 || r.status === 404) { return { status: "gone" }; }
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.json();
        })
        .then(function (s) {
          if (s.status === "gone") {
            text.textContent = "This job is no longer available to you.";
            download.hidden = true;
            return;
          }
          bar.value = s.percent;
          if (s.status === "done") {
            text.textContent = "Finished.";
            showFailed(s.failed);
            if (s.download) { download.hidden = false; download.querySelector("a").href = s.download; }
          } else if (s.status === "failed") {
            text.textContent = "Failed: " + s.message;
            showFailed(s.failed);
          } else {
            text.textContent = s.done + " of " + (s.total || "?") + " " + (s.message || "");
            setTimeout(poll, 1000);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  });

  // An event's mail page: follow what is on its way; show the final figures when it is done.
  document.querySelectorAll(".js-mail").forEach(function (box) {
    var text = box.querySelector(".js-mail-text");
    if (!text || text.textContent.indexOf("on its way") < 0 && text.textContent.indexOf("on their way") < 0) return;
    function poll() {
      fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (s) {
          var waiting = s.totals.waiting;
          if (waiting === 0) { window.location.reload(); return; }
          text.textContent = s.totals.sent + " of " + s.totals.total + " delivered, " + waiting +
            " on " + (waiting === 1 ? "its" : "their") + " way; this page updates by itself.";
          setTimeout(poll, 2000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 2000);
  });

  // Share an event: the phone's own share sheet where there is one, else copy the link.
  document.querySelectorAll(".js-share").forEach(function (box) {
    var button = box.querySelector(".js-share-button");
    var said = box.querySelector(".js-share-said");
    var url = box.getAttribute("data-url");
    var title = box.getAttribute("data-title");
    button.textContent = navigator.share ? "Share" : "Copy link";
    button.hidden = !(navigator.share || (navigator.clipboard && window.isSecureContext));
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({title: title, url: url}).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        said.textContent = "Link copied.";
      }, function () {
        said.textContent = "Copy the link from the box.";
      });
    });
  });

  // An event's time in the visitor's own zone, when it differs from the event's.
  document.querySelectorAll(".js-visitor-time").forEach(function (slot) {
    try {
      var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!mine || mine === slot.dataset.zone) return;
      var start = new Date(slot.dataset.start), end = new Date(slot.dataset.end);
      var day = {weekday: "short", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: mine};
      var clock = {hour: "2-digit", minute: "2-digit", timeZone: mine, timeZoneName: "short"};
      var sameDay = start.toLocaleDateString("en-GB", {timeZone: mine}) === end.toLocaleDateString("en-GB", {timeZone: mine});
      var text = start.toLocaleString(undefined, day) + " – " +
        (sameDay ? end.toLocaleTimeString(undefined, clock) : end.toLocaleString(undefined, Object.assign({timeZoneName: "short"}, day)));
      slot.textContent = "Your time: " + text + " (" + mine.replace(/_/g, " ") + ")";
      slot.hidden = false;
    } catch (e) { /* the event's own time stays */ }
  });

  // A form sent back with mistakes: put the cursor in the first field that has one,
  // so a keyboard or screen-reader user lands where the fix is.
  var invalid = document.querySelector('[aria-invalid="true"]');
  var summary = document.querySelector(".error-summary");
  if (invalid) {
    invalid.focus();
  } else if (summary && summary.hasAttribute("tabindex")) {
    summary.focus();
  }

  // Guest list: tick everyone shown, and say how many are ticked.
  document.querySelectorAll(".js-bulk-all").forEach(function (all) {
    var boxes = document.querySelectorAll(".js-bulk-one");
    var said = document.querySelector(".js-bulk-count");
    var count = function () {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      said.textContent = ticked ? ticked + (ticked === 1 ? " guest" : " guests") + " ticked." :
        "Tick guests to change several at once.";
      all.checked = ticked === boxes.length;
    };
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      count();
    });
    boxes.forEach(function (b) { b.addEventListener("change", count); });
  });
})();
