// Click a column header to sort the table by it (numbers numerically, "–" last); click again to reverse.
(function () {
  function key(cell) {
    var t = cell.textContent.trim();
    if (t === "–" || t === "") return null;
    var plain = t.replace(/[,%]/g, "");
    return /^-?\d+(\.\d+)?$/.test(plain) ? parseFloat(plain) : t.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = th.dataset.dir === "asc" ? -1 : 1;
        table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
        th.dataset.dir = dir === 1 ? "asc" : "desc";
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x === null) return 1; if (y === null) return -1;
          return (x > y ? 1 : x < y ? -1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
