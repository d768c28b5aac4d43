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

  // Series form: show the choices that apply, keep the weekday and the week of the
  // month in step with the first date until the host picks them, and say the rule
  // in words as it is now.
  var freq = document.getElementById("freq");
  if (freq) {
    var DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    var NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    var ORDINAL = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"};
    var EVERY = {"1": "every", "2": "every other", "3": "every third", "4": "every fourth"};
    var first = document.getElementById("first_date"), time = document.getElementById("time");
    var interval = document.getElementById("interval"), monthWeek = document.getElementById("month_week");
    var ends = document.getElementById("ends"), count = document.getElementById("count");
    var until = document.getElementById("until");
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="weekdays"]'));
    var summary = document.querySelector(".js-rule-summary");
    var touched = {days: false, week: false};
    boxes.forEach(function (b) { b.addEventListener("change", function () { touched.days = true; }); });
    monthWeek.addEventListener("change", function () { touched.week = true; });
    var firstDay = function () {
      if (!first.value) return null;
      var d = new Date(first.value + "T12:00:00");
      return isNaN(d) ? null : d;
    };
    var follow = function () {
      var d = firstDay();
      if (!d) return;
      var index = (d.getDay() + 6) % 7;
      if (!touched.days) boxes.forEach(function (b) { b.checked = b.value === DAYS[index]; });
      if (!touched.week) {
        var week = Math.floor((d.getDate() - 1) / 7) + 1;
        monthWeek.value = week > 4 ? "-1" : String(week);
      }
    };
    var describe = function () {
      var d = firstDay();
      if (!d) { summary.hidden = true; return; }
      var unit = freq.value === "monthly" ? "month" : "week";
      var text = "Meets " + (EVERY[interval.value] || "every") + " " + unit;
      if (freq.value === "monthly") {
        text += " on the " + ORDINAL[monthWeek.value] + " " + NAMES[(d.getDay() + 6) % 7];
      } else {
        var days = boxes.filter(function (b) { return b.checked; })
          .map(function (b) { return NAMES[DAYS.indexOf(b.value)]; });
        text += days.length ? " on " + days.join(", ").replace(/, ([^,]*)$/, " and $1") : ", but no day is ticked";
      }
      if (time.value) text += " at " + time.value;
      text += ", first on " + d.toLocaleDateString(undefined, {weekday: "short", day: "numeric", month: "long", year: "numeric"});
      if (ends.value === "count" && count.value) text += ", " + count.value + " times";
      if (ends.value === "until" && until.value) text += ", until " + new Date(until.value + "T12:00:00").toLocaleDateString(undefined, {day: "numeric", month: "long", year: "numeric"});
      summary.textContent = text + ".";
      summary.hidden = false;
    };
    var sync = function () {
      var monthly = freq.value === "monthly";
      document.querySelectorAll(".js-weekly").forEach(function (el) { el.hidden = monthly; });
      document.querySelectorAll(".js-monthly").forEach(function (el) { el.hidden = !monthly; });
      document.querySelectorAll(".js-ends-count").forEach(function (el) { el.hidden = ends.value !== "count"; });
      document.querySelectorAll(".js-ends-until").forEach(function (el) { el.hidden = ends.value !== "until"; });
      describe();
    };
    first.addEventListener("change", function () { follow(); sync(); });
    [freq, interval, monthWeek, ends, count, until, time].forEach(function (el) {
      el.addEventListener("change", sync);
      el.addEventListener("input", sync);
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    // What a host saved or sent before is their choice: it no longer follows the date.
    if (freq.form.hasAttribute("data-chosen")) touched.days = touched.week = true;
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
  (function () {
    var invalid = document.querySelector('[aria-invalid="true"]');
    var mistakes = document.querySelector(".error-summary");
    if (invalid) {
      invalid.focus();
    } else if (mistakes && mistakes.hasAttribute("tabindex")) {
      mistakes.focus();
    }
  })();

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
