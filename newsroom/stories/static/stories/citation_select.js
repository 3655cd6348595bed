// Cite a claim by selecting its passage in the story body: fill the new citation row's
// selector fields (W3C TextQuote + TextPosition) from the selection. No build step, no CDN.
// Offsets are sent in code points, as the server counts them (claims/anchoring.py); the
// server anchors the passage again and refuses one it cannot find.
(function () {
  "use strict";
  var CONTEXT = 32;

  function codePoints(text) {
    return Array.from(text).length;
  }

  function rowOf(element) {
    return element.closest("tr") || element.closest(".inline-related") || element.parentNode;
  }

  function field(row, name) {
    return row.querySelector('[data-citation="' + name + '"]');
  }

  function cite(button) {
    var body = document.querySelector("[data-story-body]");
    var row = rowOf(button);
    var note = row.querySelector(".citation-note");
    if (!body) return;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var text = body.value;
    if (start === end) {
      note.textContent = "Select the passage in the body first.";
      return;
    }
    field(row, "exact").value = text.slice(start, end);
    field(row, "prefix").value = text.slice(Math.max(0, start - CONTEXT), start);
    field(row, "suffix").value = text.slice(end, end + CONTEXT);
    field(row, "start").value = codePoints(text.slice(0, start));
    note.textContent = "";
  }

  function addButton(exact) {
    if (exact.dataset.citeButton) return;
    exact.dataset.citeButton = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button cite-selection";
    button.textContent = "Cite the selection";
    var note = document.createElement("span");
    note.className = "citation-note help";
    note.setAttribute("role", "status");
    exact.parentNode.insertBefore(button, exact);
    exact.parentNode.insertBefore(note, exact);
  }

  function addButtons() {
    document.querySelectorAll('[data-citation="exact"]').forEach(addButton);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".cite-selection");
    if (button) {
      event.preventDefault();
      cite(button);
    }
  });
  document.addEventListener("formset:added", addButtons);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addButtons);
  } else {
    addButtons();
  }
})();
