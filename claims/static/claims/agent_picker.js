// The chain editor's one agent picker: people, organizations (also by alias: "FT") and
// anonymous sources in one list, each with its kind, and a way to create one without leaving
// the page. No build step, no CDN, no inline script (CSP). Listeners are delegated to the
// document, so rows the admin adds later ("Add another link") work without set-up.
// The role of a link is suggested from its place when the editor has not chosen one: the
// first link is the origin, the document's publisher is the publisher, the second link the
// reporter, later ones relays (the server applies the same rule to a role left blank).
(function () {
  "use strict";

  var VERBS = { origin: "said", reporter: "reported", publisher: "published" };
  var timers = new WeakMap();

  function pickerOf(element) {
    return element.closest("[data-agent-picker]");
  }

  function parts(picker) {
    return {
      value: picker.querySelector("input[type=hidden]"),
      text: picker.querySelector(".agent-picker-input"),
      kind: picker.querySelector("[data-agent-kind]"),
      list: picker.querySelector("[role=listbox]"),
    };
  }

  function close(picker) {
    var p = parts(picker);
    p.list.hidden = true;
    p.list.textContent = "";
    p.text.setAttribute("aria-expanded", "false");
    p.text.removeAttribute("aria-activedescendant");
  }

  function options(picker) {
    return Array.prototype.slice.call(parts(picker).list.querySelectorAll("[role=option]"));
  }

  function activate(picker, index) {
    var all = options(picker);
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    parts(picker).text.setAttribute("aria-activedescendant", all[index].id);
  }

  function activeIndex(picker) {
    return options(picker).findIndex(function (o) {
      return o.getAttribute("aria-selected") === "true";
    });
  }

  function show(picker, answer) {
    var p = parts(picker);
    p.list.textContent = "";
    var rows = answer.results.concat(answer.create);
    rows.forEach(function (row, i) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = p.text.id + "_option_" + i;
      option.dataset.value = row.value;
      option.dataset.label = row.value.indexOf("new:") === 0 ? p.text.value.trim() : row.label;
      option.dataset.kind = row.kind;
      if (row.value.indexOf("new:") === 0) option.classList.add("agent-picker-create");
      var label = document.createElement("span");
      label.className = "agent-picker-label";
      label.textContent = row.label;
      var kind = document.createElement("span");
      kind.className = "agent-picker-option-kind";
      kind.textContent = row.kind + (row.detail ? " · " + row.detail : "");
      option.appendChild(label);
      option.appendChild(kind);
      p.list.appendChild(option);
    });
    if (!rows.length) {
      var none = document.createElement("li");
      none.className = "agent-picker-none";
      none.textContent = "Nothing on record matches, and you may not record a new agent.";
      p.list.appendChild(none);
    }
    p.list.hidden = false;
    p.text.setAttribute("aria-expanded", "true");
    activate(picker, 0);
  }

  function search(picker) {
    var p = parts(picker);
    var query = p.text.value.trim();
    if (!query) {
      close(picker);
      return;
    }
    var url = picker.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { results: [], create: [] };
      })
      .then(function (answer) {
        if (p.text.value.trim() === query) show(picker, answer);
      });
  }

  // The row a picker sits in, and the rows of its chain that name an agent, in page order.
  function rowOf(picker) {
    return picker.closest("tr") || picker.closest(".chain-row");
  }

  function chainRows(picker) {
    var chain = picker.closest("[data-chain]") || picker.closest("fieldset, .inline-group");
    if (!chain) return [];
    return Array.prototype.slice
      .call(chain.querySelectorAll("[data-agent-picker]"))
      .filter(function (other) {
        var row = rowOf(other);
        return (
          parts(other).value.value &&
          row &&
          !row.classList.contains("empty-form") &&
          !(row.querySelector("input[name$='-DELETE']") || {}).checked
        );
      })
      .map(rowOf);
  }

  function publishers(picker) {
    var chain = picker.closest("[data-chain]");
    var found = chain ? chain.dataset.publishers : "";
    return found ? found.split(" ") : [];
  }

  function suggestRole(picker) {
    var row = rowOf(picker);
    if (!row) return;
    var role = row.querySelector("select[name$='-role']");
    var verb = row.querySelector("input[name$='-verb']");
    if (!role || role.dataset.chosen) return;
    var position = chainRows(picker).indexOf(row);
    var value = parts(picker).value.value;
    var suggested;
    if (position <= 0) suggested = "origin";
    else if (publishers(picker).indexOf(value) !== -1) suggested = "publisher";
    else suggested = position === 1 ? "reporter" : "relay";
    role.value = suggested;
    if (verb && !verb.dataset.chosen && !verb.value) verb.value = VERBS[suggested] || "";
  }

  function choose(picker, option) {
    var p = parts(picker);
    p.value.value = option.dataset.value;
    p.text.value = option.dataset.label;
    p.kind.textContent = option.dataset.kind;
    close(picker);
    suggestRole(picker);
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("agent-picker-input")) return;
    var picker = pickerOf(target);
    var p = parts(picker);
    p.value.value = ""; // what was chosen no longer matches what is typed
    p.kind.textContent = "";
    clearTimeout(timers.get(picker));
    timers.set(
      picker,
      setTimeout(function () {
        search(picker);
      }, 150)
    );
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("agent-picker-input")) return;
    var picker = pickerOf(target);
    if (parts(picker).list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(picker, activeIndex(picker) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      var active = options(picker)[activeIndex(picker)];
      if (active) {
        event.preventDefault(); // choose, do not submit the form
        choose(picker, active);
      }
    } else if (event.key === "Escape") {
      close(picker);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".agent-picker-results [role=option]");
    if (option) {
      event.preventDefault(); // keep the focus in the box
      choose(pickerOf(option), option);
    }
  });

  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("agent-picker-input")) {
      var picker = pickerOf(target);
      setTimeout(function () {
        close(picker);
      }, 100);
    }
  });

  // A role or verb the editor set is theirs: no later suggestion overwrites it.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[name$='-role'], input[name$='-verb']")) {
      target.dataset.chosen = "yes";
    }
  });
})();
