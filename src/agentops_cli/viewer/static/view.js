// agentops view: a little vanilla JavaScript (no framework, no CDN). Everything it puts on the
// page is read from the server-rendered, already-escaped DOM: it never builds HTML from data.
(function () {
  "use strict";
  function onReady(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  onReady(function () {
    // Runs: filter as you type, sort by clicking a header, pick two runs to compare.
    var filter = document.getElementById("runs-filter");
    var table = document.getElementById("runs");
    if (filter && table) {
      filter.addEventListener("input", function () {
        var q = filter.value.toLowerCase();
        table.querySelectorAll("tbody tr").forEach(function (tr) {
          tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
        });
      });
    }
    document.querySelectorAll("table.sortable").forEach(function (t) {
      t.querySelectorAll("th[data-sort]").forEach(function (th) {
        th.addEventListener("click", function () {
          var col = Array.prototype.indexOf.call(th.parentNode.children, th);
          var num = th.dataset.sort === "num";
          var asc = th.dataset.dir !== "asc";
          th.dataset.dir = asc ? "asc" : "desc";
          var body = t.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
            var c = num ? (parseFloat(x.replace(/,/g, "")) || 0) - (parseFloat(y.replace(/,/g, "")) || 0) : x.localeCompare(y);
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
    var btn = document.getElementById("compare-btn");
    if (btn) {
      // Oldest first, whatever order a click on a header left the rows in: Compare is A (before)
      // → B (after), so a sorted table must not turn a regression into an improvement. "Oldest"
      // is the start in UTC to the millisecond (data-started), not the local date text: two runs
      // in one second, or a CI run in UTC against a laptop's, came out the wrong way round.
      var picks = function () {
        var checked = Array.prototype.slice.call(document.querySelectorAll("input.pick:checked"));
        checked.sort(function (a, b) {
          return (parseFloat(a.dataset.started) || 0) - (parseFloat(b.dataset.started) || 0) || a.value.localeCompare(b.value);
        });
        return checked.map(function (c) { return c.value; });
      };
      document.querySelectorAll("input.pick").forEach(function (c) {
        c.addEventListener("change", function () {
          var n = picks().length;
          btn.disabled = n < 2;
          btn.textContent = n > 2 ? "provider matrix" : "compare";
        });
      });
      btn.addEventListener("click", function () {
        var ids = picks();
        var params = new URLSearchParams();
        if (ids.length === 2) { params.set("a", ids[0]); params.set("b", ids[1]); location.href = "/compare?" + params; }
        else { ids.forEach(function (id) { params.append("run", id); }); location.href = "/matrix?" + params; }
      });
    }
    // Example: clicking a field or a highlighted span marks every span of that field.
    function activate(field) {
      var first = null;
      document.querySelectorAll("mark[data-field]").forEach(function (m) {
        var on = m.dataset.field === field;
        m.classList.toggle("active", on);
        if (on && !first) first = m;
      });
      if (first) first.scrollIntoView({ block: "center" });
    }
    document.querySelectorAll("a.field-link").forEach(function (a) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); activate(a.dataset.field); });
    });
    document.querySelectorAll("mark[data-field]").forEach(function (m) {
      m.addEventListener("click", function () { activate(m.dataset.field); });
    });
    // Live status: while a run is still being written, reload every few seconds, but never under
    // the user's hands: a reload would drop the runs they ticked to compare or a filter being
    // typed, so it waits while a form control has focus or differs from what the server sent.
    function editing() {
      var el = document.activeElement;
      if (el && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) return true;
      return Array.prototype.some.call(document.querySelectorAll("input, select, textarea"), function (c) {
        if (c.type === "checkbox" || c.type === "radio") return c.checked !== c.defaultChecked;
        if (c.type === "select-one") return c.selectedIndex !== sentIndex(c);
        if (c.tagName === "SELECT") return Array.prototype.some.call(c.options, function (o) { return o.selected !== o.defaultSelected; });
        return c.value !== c.defaultValue;
      });
    }
    // The option a single <select> shows as the server sent it: the last one marked `selected`,
    // or the first when none is (then no option has defaultSelected, so comparing each option's
    // `selected` with it would call an untouched "any status" a change and never reload).
    function sentIndex(select) {
      var index = 0;
      Array.prototype.forEach.call(select.options, function (o, i) { if (o.defaultSelected) index = i; });
      return index;
    }
    var every = parseInt(document.body.dataset.refresh || "0", 10);
    function reloadWhenIdle() {
      if (!editing()) { location.reload(); return; }
      document.body.dataset.postponed = String(parseInt(document.body.dataset.postponed || "0", 10) + 1);
      setTimeout(reloadWhenIdle, every * 1000);
    }
    if (every > 0) setTimeout(reloadWhenIdle, every * 1000);
  });
})();
