/* The library catalogue's filter (generator/site/catalogue.py writes the table it works on).
 *
 * Without JavaScript the page is the full table.  With it, two labelled <select>s (status, specialty)
 * go above the table and hide the rows that do not match; a live region says how many are shown
 * ("Showing 2 of 3 pathways"), so a screen reader hears the result of each change.  The values come
 * from the table's own cells; every text goes into the page with textContent only.
 */
(function () {
  "use strict";

  var table = document.getElementById("pathway-catalogue");
  var mount = document.getElementById("pathway-catalogue-filter");
  if (!table || !mount || mount.hasChildNodes()) { return; }  // every page loads this script
  var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (r) {
    return r.querySelector(".pathway-catalogue-status");
  });
  if (!rows.length) { return; }

  function cell(row, name) {
    return row.querySelector(".pathway-catalogue-" + name).textContent.trim();
  }

  function control(name, label, all) {
    var wrap = document.createElement("span");
    wrap.className = "pathway-catalogue-control";
    var id = "pathway-catalogue-" + name + "-filter";
    var l = document.createElement("label");
    l.htmlFor = id;
    l.textContent = label;
    var s = document.createElement("select");
    s.id = id;
    var o = document.createElement("option");
    o.value = "";
    o.textContent = all;
    s.appendChild(o);
    var seen = {};
    rows.map(function (r) { return cell(r, name); }).sort(function (a, b) {
      return a.localeCompare(b);
    }).forEach(function (v) {
      if (seen[v]) { return; }
      seen[v] = true;
      var opt = document.createElement("option");
      opt.value = v;
      opt.textContent = v;
      s.appendChild(opt);
    });
    wrap.appendChild(l);
    wrap.appendChild(s);
    return { wrap: wrap, select: s, name: name };
  }

  var group = document.createElement("div");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Filter the pathways");
  var controls = [control("status", "Status", "All statuses"), control("specialty", "Specialty", "All specialties")];
  var count = document.createElement("p");
  count.className = "pathway-catalogue-count";
  count.setAttribute("role", "status");  // polite live region: announced after each change
  controls.forEach(function (c) { group.appendChild(c.wrap); });
  group.appendChild(count);
  mount.appendChild(group);

  function apply() {
    var shown = 0;
    rows.forEach(function (r) {
      var ok = controls.every(function (c) { return !c.select.value || cell(r, c.name) === c.select.value; });
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " pathway" + (rows.length === 1 ? "" : "s");
  }
  controls.forEach(function (c) { c.select.addEventListener("change", apply); });
  apply();
})();
