// Start a claim or an appearance from a passage selected in a document's text. No build step,
// no CDN. The script sends only the selected text and its approximate offset (in code points,
// as the server counts them); the server anchors the quote with claims/anchoring.py and opens
// the add page pre-filled with the exact selector, or says why it cannot.
(function () {
  "use strict";

  function textNodes(container) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest("[data-not-text]")
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function codePoints(text) {
    return Array.from(text).length;
  }

  // The selected text and the code-point offset where it starts, skipping footnote numbers.
  function selectionIn(container) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!container.contains(range.commonAncestorContainer)) return null;
    var before = "";
    var selected = "";
    textNodes(container).forEach(function (node) {
      var text = node.nodeValue;
      var from = 0;
      var to = text.length;
      if (node === range.startContainer) from = range.startOffset;
      if (node === range.endContainer) to = range.endOffset;
      if (!range.intersectsNode(node)) {
        if (range.comparePoint(node, 0) < 0) before += text; // wholly before the selection
        return;
      }
      if (node === range.startContainer) before += text.slice(0, from);
      selected += text.slice(from, to);
    });
    if (!selected.trim()) return null;
    return { exact: selected, start: codePoints(before) };
  }

  function setUp(tools) {
    var container = document.querySelector("[data-document-text]");
    var note = tools.querySelector("[data-quote-note]");
    var buttons = tools.querySelectorAll("[data-quote-then]");
    if (!container) return;

    document.addEventListener("selectionchange", function () {
      var found = selectionIn(container);
      buttons.forEach(function (button) {
        button.disabled = !found;
      });
      note.textContent = found
        ? "Selected: " + codePoints(found.exact) + " characters."
        : "Select a passage in the text below.";
    });

    buttons.forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var found = selectionIn(container);
        if (!found) {
          note.textContent = "Select a passage in the text below first.";
          return;
        }
        var params = new URLSearchParams({
          then: button.dataset.quoteThen,
          exact: found.exact,
          start: String(found.start),
        });
        window.location.assign(tools.dataset.quoteUrl + "?" + params.toString());
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-quote-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
