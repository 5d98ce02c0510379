// The ballot pages' shortcuts, in the page; without JS the same buttons make a round
// trip to the server, which answers with the same boxes ticked.
// - [data-fill-grade]: every candidate on the ballot gets that grade ("全部合格，再改个别").
// - [data-check-all]: every enabled box of the door roll is ticked ("全部到会").
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var fill = target && target.closest("[data-fill-grade]");
    var all = target && target.closest("[data-check-all]");
    if (fill && fill.form) {
      event.preventDefault();
      var grade = fill.getAttribute("data-fill-grade");
      fill.form.querySelectorAll("input[type=radio]").forEach(function (radio) {
        if (radio.value === grade) radio.checked = true;
      });
    } else if (all && all.form) {
      event.preventDefault();
      all.form.querySelectorAll("input[type=checkbox][name=present]").forEach(function (box) {
        if (!box.disabled) box.checked = true;
      });
      all.form.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  // The roll's count of boxes ticked, kept up to date as the secretary taps.
  document.addEventListener("change", function (event) {
    var form = event.target instanceof Element ? event.target.closest("form") : null;
    var count = form && form.querySelector("[data-roll-count]");
    if (count) {
      count.textContent = String(form.querySelectorAll("input[name=present]:checked").length);
    }
  });
})();
