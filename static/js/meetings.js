// Meeting attendance: everyone is present until ticked absent. Ticking moves the cursor
// to the reason; typing a reason ticks the box; the summary counts as you go.
(function () {
  "use strict";

  function update(fieldset) {
    var out = fieldset.querySelector(".attendance-summary");
    if (!out || !out.dataset.template) return;
    var boxes = fieldset.querySelectorAll("input[name=absent]");
    var absent = fieldset.querySelectorAll("input[name=absent]:checked").length;
    out.textContent = out.dataset.template
      .replace("{present}", String(boxes.length - absent))
      .replace("{absent}", String(absent));
  }

  function updateAll() {
    document.querySelectorAll("fieldset.attendance").forEach(update);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var fieldset = target.closest && target.closest("fieldset.attendance");
    if (!fieldset) return;
    if (target.name === "absent" && target.checked) {
      var reason = target.closest(".attendance-row").querySelector(".reason");
      if (reason) reason.focus();
    }
    update(fieldset);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("reason")) return;
    var box = target.closest(".attendance-row").querySelector("input[name=absent]");
    if (box && target.value.trim() && !box.checked) {
      box.checked = true;
      update(target.closest("fieldset.attendance"));
    }
  });

  document.addEventListener("DOMContentLoaded", updateAll);
  document.addEventListener("htmx:afterSwap", updateAll);
})();
