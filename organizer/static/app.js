// organizer — small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The words to show, in the page's language (base.html writes them as JSON): a
  // %(name)s in them is filled in by fill(), a plural is picked by plural().
  var LANG = document.documentElement.lang || "en";
  var WORDS = {};
  try {
    WORDS = JSON.parse(document.getElementById("app-words").textContent);
  } catch (e) { /* a page without them: nothing below needs them then */ }
  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function plural(forms, n) {
    var one = n === 1;
    try { one = new Intl.PluralRules(LANG).select(n) === "one"; } catch (e) { /* n === 1 */ }
    return one ? forms.one : forms.other;
  }
  function number(n) {
    try { return Number(n).toLocaleString(LANG); } catch (e) { return String(n); }
  }

  // Ask before destructive actions (forms marked .js-confirm).
  document.querySelectorAll("form.js-confirm").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm || WORDS.sure)) event.preventDefault();
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
    var RULE = WORDS.rule;
    var first = document.getElementById("first_date"), time = document.getElementById("time");
    var interval = document.getElementById("interval"), monthWeek = document.getElementById("month_week");
    var ends = document.getElementById("ends"), count = document.getElementById("count");
    var until = document.getElementById("until");
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="weekdays"]'));
    var summary = document.querySelector(".js-rule-summary");
    // A weekday's name as the form's own tick box calls it, in the page's language.
    var dayName = function (code) {
      var box = boxes.filter(function (b) { return b.value === code; })[0];
      var label = box && document.querySelector('label[for="' + box.id + '"]');
      return label ? label.textContent.trim() : code;
    };
    var listing = function (items) {
      try {
        // English as the product writes it: "Monday, Tuesday and Friday".
        return new Intl.ListFormat(LANG === "en" ? "en-GB" : LANG,
                                   {style: "long", type: "conjunction"}).format(items);
      } catch (e) { return items.join(", "); }
    };
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
      var units = freq.value === "monthly" ? RULE.month : RULE.week;
      var text = units[interval.value] || units["1"];
      if (freq.value === "monthly") {
        text = fill(RULE.nth[monthWeek.value], {rule: text, day: dayName(DAYS[(d.getDay() + 6) % 7])});
      } else {
        var days = boxes.filter(function (b) { return b.checked; })
          .map(function (b) { return dayName(b.value); });
        text = days.length ? fill(RULE.days, {rule: text, days: listing(days)}) : fill(RULE.no_day, {rule: text});
      }
      if (time.value) text = fill(RULE.at, {rule: text, time: time.value});
      text = fill(RULE.first, {rule: text, day: d.toLocaleDateString(LANG, {weekday: "short", day: "numeric", month: "long", year: "numeric"})});
      if (ends.value === "count" && count.value) {
        text = fill(plural(RULE.times, Number(count.value)), {rule: text, num: number(count.value)});
      }
      if (ends.value === "until" && until.value) {
        text = fill(RULE.until, {rule: text, day: new Date(until.value + "T12:00:00").toLocaleDateString(LANG, {day: "numeric", month: "long", year: "numeric"})});
      }
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
      heading.textContent = fill(WORDS.job.not_done, {num: number(lines.length)});
      var list = document.createElement("ul");
      lines.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        list.appendChild(item);
      });
      var help = document.createElement("p");
      help.className = "help";
      help.textContent = WORDS.job.retry;
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
            text.textContent = WORDS.job.gone;
            download.hidden = true;
            return;
          }
          bar.value = s.percent;
          if (s.status === "done") {
            text.textContent = WORDS.job.finished;
            showFailed(s.failed);
            if (s.download) { download.hidden = false; download.querySelector("a").href = s.download; }
          } else if (s.status === "failed") {
            text.textContent = fill(WORDS.job.failed, {message: s.message});
            showFailed(s.failed);
          } else {
            text.textContent = fill(WORDS.job.progress, {done: number(s.done), total: s.total ? number(s.total) : "?",
                                                         message: s.message || ""}).trim();
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
    if (!text || !Number(text.getAttribute("data-waiting"))) return;
    function poll() {
      fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (s) {
          var waiting = s.totals.waiting;
          if (waiting === 0) { window.location.reload(); return; }
          text.textContent = fill(plural(WORDS.mail, waiting),
                                  {sent: number(s.totals.sent), total: number(s.totals.total), num: number(waiting)});
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
    button.textContent = navigator.share ? WORDS.share.share : WORDS.share.copy;
    button.hidden = !(navigator.share || (navigator.clipboard && window.isSecureContext));
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({title: title, url: url}).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        said.textContent = WORDS.share.copied;
      }, function () {
        said.textContent = WORDS.share.failed;
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
      var text = start.toLocaleString(LANG, day) + " – " +
        (sameDay ? end.toLocaleTimeString(LANG, clock) : end.toLocaleString(LANG, Object.assign({timeZoneName: "short"}, day)));
      slot.textContent = fill(WORDS.your_time, {time: text, zone: mine.replace(/_/g, " ")});
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
      said.textContent = ticked ? fill(plural(WORDS.ticked, ticked), {num: number(ticked)}) :
        WORDS.ticked.none;
      all.checked = ticked === boxes.length;
    };
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      count();
    });
    boxes.forEach(function (b) { b.addEventListener("change", count); });
  });
})();
