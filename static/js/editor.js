// A small rich-text editor for study work and plans (bold, italic, heading, list).
// Progressive: without JS the plain <textarea> is used and sent as text. With JS the
// textarea is hidden, a contenteditable area takes its place, and on submit its HTML
// is copied back into the textarea with body_format=html. The server sanitises it.
"use strict";
(function () {
  function setUp(editor) {
    var textarea = document.getElementById(editor.dataset.editorFor);
    if (!textarea || !textarea.form) return;
    var area = editor.querySelector(".rich-area");
    var format = textarea.form.querySelector('input[data-format-for="' + textarea.id + '"]');
    if (format && format.value === "html") {
      area.innerHTML = textarea.value; // already sanitised by the server, or the user's own input
    } else if (textarea.value) {
      textarea.value.split(/\n{2,}/).forEach(function (text) {
        var p = document.createElement("p");
        p.textContent = text;
        area.appendChild(p);
      });
    }
    // Enter starts a new <p> (Chromium's default <div> is not kept by the sanitiser).
    document.execCommand("defaultParagraphSeparator", false, "p");
    editor.hidden = false;
    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;

    editor.querySelectorAll("[data-command]").forEach(function (button) {
      button.addEventListener("click", function () {
        area.focus();
        var command = button.dataset.command;
        if (command === "heading") {
          var inHeading = document.queryCommandValue("formatBlock").toLowerCase() === "h3";
          document.execCommand("formatBlock", false, inHeading ? "p" : "h3");
        } else if (command === "list") {
          document.execCommand("insertUnorderedList");
        } else {
          document.execCommand(command);
        }
      });
    });
    textarea.form.addEventListener("submit", function () {
      textarea.value = area.innerHTML;
      if (format) format.value = "html";
    });
  }

  function init() {
    document.querySelectorAll(".rich-editor[data-editor-for]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
