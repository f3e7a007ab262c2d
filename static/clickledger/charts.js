// Figures are drawn while the page is still being parsed, before the grid knows all its cells;
// once the layout is final, fit every figure to the cell it ended up in. Plotly resizes after a
// short timer, so <body data-charts-ready> marks the moment the charts are final (tests wait on it).
window.addEventListener("load", function () {
  var plots = Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  var done = function () { document.body.dataset.chartsReady = "1"; };
  if (!window.Plotly || !plots.length) return done();
  Promise.all(plots.map(function (el) { return Plotly.Plots.resize(el); })).then(done, done);
});
