// Suggestions for the search box of the parents' search: as a parent types a
// commune or a postal code, its <datalist> offers the communes that start
// with it, as « Nom (code postal) », which the search reads. Progressive
// enhancement only: without this script the search works the same.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("communes");
  if (!input || !list || !window.fetch) {
    return;
  }
  var timer = 0;
  var asked = "";

  function label(commune, typed) {
    var digits = typed.replace(/\s+/g, "");
    var code = commune.postal_codes[0];
    commune.postal_codes.forEach(function (pc) {
      if (/^\d+$/.test(digits) && pc.indexOf(digits) === 0 && code.indexOf(digits) !== 0) {
        code = pc;
      }
    });
    return commune.name + " (" + code + ")";
  }

  function suggest() {
    var typed = input.value.trim();
    if (typed.length < 2 || typed === asked || /\(\d{5}\)$/.test(typed)) {
      return;
    }
    asked = typed;
    fetch("/api/v1/public/communes?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : []; })
      .then(function (communes) {
        if (input.value.trim() !== typed) {
          return;
        }
        list.textContent = "";
        communes.forEach(function (c) {
          var option = document.createElement("option");
          option.value = label(c, typed);
          list.appendChild(option);
        });
      })
      .catch(function () { /* no suggestions: the search still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });
}());
