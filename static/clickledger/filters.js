// Typing a date turns the period into "Custom dates"; choosing a preset shows its dates after Apply.
(function () {
  var form = document.getElementById("selector");
  if (!form) return;
  var period = form.querySelector("select[name=period]");
  ["start", "end"].forEach(function (name) {
    var input = form.querySelector("input[name=" + name + "]");
    if (input && period) input.addEventListener("change", function () { period.value = "custom"; });
  });
})();
