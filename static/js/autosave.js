// The self-analysis editor: live character counts, autosave after ~20 s of idle
// typing, conflict display, and a submit that cannot be sent twice. The page works
// without this file (plain Save and Submit buttons).
(function () {
  "use strict";
  var IDLE_MS = 20000;

  function countChars(text) {
    return text.replace(/\s/g, "").length;
  }

  function init() {
    var form = document.getElementById("draft-form");
    if (!form) return;
    var guidance = form.getAttribute("data-guidance") || "3000";
    var url = form.getAttribute("data-autosave-url");
    var status = document.getElementById("autosave-status");
    var conflictBox = document.getElementById("autosave-conflict");
    var base = form.querySelector("input[name=base_version]");
    var areas = form.querySelectorAll("textarea[data-count]");
    var timer = null;
    var saving = false;
    var dirty = false;
    var blocked = false; // after a conflict, until the member chooses
    var lastConflict = null;

    function updateCount(area) {
      var label = form.querySelector('[data-count-for="' + area.id + '"]');
      if (!label) return;
      label.textContent = msg("count").replace("{n}", countChars(area.value)).replace("{g}", guidance);
    }

    function msg(key) {
      return form.getAttribute("data-msg-" + key) || "";
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    function showConflict(data) {
      lastConflict = data;
      blocked = true;
      conflictBox.hidden = false;
      conflictBox.querySelector(".conflict-message").textContent = data.message;
      var holder = conflictBox.querySelector(".conflict-theirs");
      holder.textContent = "";
      Object.keys(data.current).forEach(function (name) {
        var area = form.querySelector('textarea[name="' + name + '"]');
        if (area && area.value === data.current[name]) return;
        var heading = document.createElement("h3");
        heading.textContent = data.labels[name];
        var text = document.createElement("div");
        text.className = "doc-text";
        text.textContent = data.current[name];
        holder.appendChild(heading);
        holder.appendChild(text);
      });
      say(data.message);
    }

    function save() {
      timer = null;
      if (saving || blocked || !dirty) return;
      saving = true;
      dirty = false;
      say(msg("saving"));
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.json().then(function (data) { return [response.status, data]; });
        })
        .then(function (result) {
          var code = result[0], data = result[1];
          if (code === 200) {
            base.value = data.version;
            say(data.message);
          } else if (code === 409) {
            showConflict(data);
          } else {
            dirty = true;
            say(data.message || msg("failed"));
          }
        })
        .catch(function () {
          dirty = true;
          say(msg("network"));
        })
        .then(function () { saving = false; });
    }

    Array.prototype.forEach.call(areas, function (area) {
      updateCount(area);
      area.addEventListener("input", function () {
        updateCount(area);
        dirty = true;
        if (timer) clearTimeout(timer);
        timer = setTimeout(save, IDLE_MS);
      });
    });

    document.getElementById("conflict-keep-mine").addEventListener("click", function () {
      if (!lastConflict) return;
      base.value = lastConflict.current_version;
      blocked = false;
      dirty = true;
      conflictBox.hidden = true;
      save();
    });
    document.getElementById("conflict-take-theirs").addEventListener("click", function () {
      if (!lastConflict) return;
      Object.keys(lastConflict.current).forEach(function (name) {
        var area = form.querySelector('textarea[name="' + name + '"]');
        if (area) { area.value = lastConflict.current[name]; updateCount(area); }
      });
      base.value = lastConflict.current_version;
      blocked = false;
      dirty = false;
      conflictBox.hidden = true;
      say(msg("taken"));
    });

    // One submit only: a double click sends the form once.
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sending", "1");
      if (timer) clearTimeout(timer);
      blocked = true; // no autosave racing the form post
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
