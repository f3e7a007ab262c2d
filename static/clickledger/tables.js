// Click a column header to sort the table by it (numbers numerically, "–" last); click again to reverse.
(function () {
  function key(cell) {
    // Numbers carry their plain value in data-v (the text is formatted for people: $1,234.50, −4.0%).
    if (cell.dataset.v !== undefined) return cell.dataset.v === "" ? null : parseFloat(cell.dataset.v);
    var t = cell.textContent.trim();
    return t === "–" || t === "" ? null : t.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      var sort = function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = th.dataset.dir === "asc" ? -1 : 1;
        table.querySelectorAll("thead th").forEach(function (h) { delete h.dataset.dir; });
        th.dataset.dir = dir === 1 ? "asc" : "desc";
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x === null) return 1; if (y === null) return -1;
          return (x > y ? 1 : x < y ? -1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.querySelectorAll("th[scope=col]").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {  // keyboard users sort with Enter or Space
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
})();
