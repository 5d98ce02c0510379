// Attendance by hand: the reason box matters only for an absence, so it shows only
// then (a secretary marks 30 members on a phone). Without JS every box is shown.
"use strict";
(function () {
  function sync(row) {
    var absent = row.querySelector('input[type=radio][value="absent"]');
    var reason = row.querySelector("input.reason");
    if (!absent || !reason) return;
    reason.hidden = !absent.checked && !reason.value;
  }
  function init() {
    document.querySelectorAll(".attendance-row").forEach(function (row) {
      sync(row);
      row.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          sync(row);
          var reason = row.querySelector("input.reason");
          if (radio.value === "absent" && reason) reason.focus();
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
