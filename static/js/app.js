// All client behaviour of the console: no inline scripts anywhere (CSP default-src 'self').
(function () {
  "use strict";

  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("div");
    item.className = "toast" + (kind === "error" ? " toast-error" : "");
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 6000);
  }

  // Messages of the script itself come translated from the page (data-* on #toasts).
  function pageText(name, fallback) {
    var box = document.getElementById("toasts");
    return (box && box.dataset[name]) || fallback;
  }

  function messageOf(xhr) {
    var text = "";
    if (xhr && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fragment = doc.querySelector(".error-fragment, .error-page p");
      text = (fragment || doc.body).textContent.trim().replace(/\s+/g, " ");
    }
    if (!text) text = pageText("failed", "The request failed.");
    return text.slice(0, 300);
  }

  // Refusals (403, a stale CSRF token, 404, 409, 5xx) are shown, never a silent no-op.
  document.addEventListener("htmx:responseError", function (event) {
    toast(messageOf(event.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(pageText("offline", "The server cannot be reached."), "error");
  });

  // Filter box: narrows a list as you type. data-filter-target names the container;
  // rows carry data-filter-text, sections hide when none of their rows match;
  // data-filter-count shows "{n} shown", data-filter-empty a message when nothing matches.
  function applyFilter(input) {
    var container = document.querySelector(input.getAttribute("data-filter-target"));
    if (!container) return;
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    container.querySelectorAll("[data-filter-text]").forEach(function (row) {
      var match = !query || row.getAttribute("data-filter-text").toLowerCase().indexOf(query) !== -1;
      row.hidden = !match;
      if (match) shown++;
    });
    container.querySelectorAll("[data-filter-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-filter-text]:not([hidden])");
    });
    var counter = document.querySelector(input.getAttribute("data-filter-count") || "#none");
    if (counter) counter.textContent = query ? counter.getAttribute("data-template").replace("{n}", shown) : "";
    var empty = document.querySelector(input.getAttribute("data-filter-empty") || "#none");
    if (empty) empty.hidden = !(query && shown === 0);
    container.querySelectorAll("[data-section-actions]").forEach(function (actions) {
      syncSectionActions(actions, Boolean(query));
    });
  }

  // A section's "Grant all" / "Revoke all" act on the rows the filter shows: the hidden input carries
  // their ids, the buttons say "Grant 3 shown", and nothing shown means nothing to do.
  function shownIds(actions) {
    var group = actions.closest("[data-filter-group]");
    if (!group) return (actions.getAttribute("data-all") || "").split(",").filter(Boolean);
    return Array.prototype.map.call(group.querySelectorAll("tr[data-function]:not([hidden])"), function (row) {
      return row.getAttribute("data-function");
    });
  }
  function syncSectionActions(actions, filtered) {
    var ids = shownIds(actions);
    var input = actions.querySelector("input[name=functions]");
    if (input) input.value = ids.join(",");
    actions.querySelectorAll("button[data-label-all]").forEach(function (button) {
      button.textContent = filtered
        ? button.getAttribute("data-label-shown").replace("{n}", ids.length)
        : button.getAttribute("data-label-all");
      button.disabled = ids.length === 0;
    });
  }
  function filterIsActive(actions) {
    var table = actions.closest("table");
    var box = table && table.id && document.querySelector('[data-filter-target="#' + table.id + '"]');
    return Boolean(box && box.value.trim());
  }
  // What is sent is what is shown at the moment of the click, whatever happened since the last sync.
  document.addEventListener("htmx:configRequest", function (event) {
    var actions = event.detail.elt.closest && event.detail.elt.closest("[data-section-actions]");
    if (!actions) return;
    syncSectionActions(actions, filterIsActive(actions));
    event.detail.parameters.functions = shownIds(actions).join(",");
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-filter-target]")) applyFilter(event.target);
    if (event.target.matches("[data-filter-options]")) filterOptions(event.target);
  });
  function refilter() {
    document.querySelectorAll("[data-filter-target]").forEach(function (input) { if (input.value) applyFilter(input); });
  }
  document.addEventListener("htmx:afterSwap", refilter);  // before settling: a swapped section never sends all

  // Focus stays on the control that sent a request (a switch, "Grant all") once its swapped twin is in.
  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusedId = active && active !== document.body && active.id ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    refilter();
    if (!focusedId) return;
    var wanted = focusedId;
    focusedId = null;
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    var again = document.getElementById(wanted);
    if (again && (lost || active.id === wanted) && again !== active) again.focus();
    if (again && again.disabled) {  // nothing left to do there: keep the focus inside the section
      var section = again.closest("[data-section-actions]");
      var other = section && section.querySelector("button:not([disabled])");
      if (other) other.focus();
    }
  });

  // A select with a search box above it (data-filter-options names the select): matching options only.
  function normalized(text) { return text.toLowerCase().replace(/[_/]+/g, " ").replace(/\s+/g, " ").trim(); }
  function filterOptions(input) {
    var select = document.querySelector(input.getAttribute("data-filter-options"));
    if (!select) return;
    var words = normalized(input.value).split(" ").filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(select.options, function (option) {
      var text = normalized(option.text + " " + option.value);
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      option.hidden = !match;
      if (match) shown++;
    });
    var empty = document.querySelector(input.getAttribute("data-filter-empty") || "#none");
    if (empty) empty.hidden = shown > 0;
    var selected = select.options[select.selectedIndex];
    if (selected && !selected.hidden) selected.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-filter-options]");
    if (!input || (event.key !== "Enter" && event.key !== "ArrowDown")) return;
    var select = document.querySelector(input.getAttribute("data-filter-options"));
    if (!select) return;
    event.preventDefault();  // Enter picks from the list instead of submitting the form
    var current = select.options[select.selectedIndex];
    if (!current || current.hidden) {
      var first = Array.prototype.find.call(select.options, function (option) { return !option.hidden; });
      if (first) { first.selected = true; select.dispatchEvent(new Event("change", { bubbles: true })); }
    }
    select.focus();
  });

  // Copy: the text of data-copy-from to the clipboard; the button says data-copied for a moment.
  // Without the clipboard API (an insecure origin) the text is selected, ready for Ctrl+C.
  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function copied(button) {
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    button.textContent = button.getAttribute("data-copied");
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { button.textContent = button.getAttribute("data-label"); }, 2000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    event.preventDefault();
    var source = document.querySelector(button.getAttribute("data-copy-from"));
    if (!source) return;
    var text = source.textContent;
    var fallback = function () {
      selectText(source);
      var done = false;
      try { done = document.execCommand("copy"); } catch (error) { done = false; }
      if (done) copied(button);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, fallback);
    } else {
      fallback();
    }
  });

  // "Generate" fills the password field with a strong random password and shows it.
  var ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@_";
  function strongPassword(length) {
    var values = new Uint32Array(length), out = "";
    window.crypto.getRandomValues(values);
    for (var i = 0; i < length; i++) out += ALPHABET[values[i] % ALPHABET.length];
    return out;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-generate-password]");
    if (button) {
      event.preventDefault();
      var input = document.getElementById(button.getAttribute("data-generate-password"));
      input.value = strongPassword(16);
      input.type = "text";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      var shown = document.getElementById(input.id + "-generated");
      if (shown) { shown.hidden = false; shown.querySelector("code").textContent = input.value; }
      input.focus();
      input.select();
      return;
    }
    var reveal = event.target.closest("[data-toggle-password]");
    if (reveal) {
      event.preventDefault();
      var field = document.getElementById(reveal.getAttribute("data-toggle-password"));
      field.type = field.type === "password" ? "text" : "password";
      reveal.setAttribute("aria-pressed", field.type === "text" ? "true" : "false");
    }
  });

  // Canned replies: "Insert" puts the chosen reply (its text filled in for the ticket by the server, in
  // data-text) into the reply box at the cursor, replacing a selection; at the end if the box was never
  // focused. What was typed stays; the box gets the focus back, the cursor after the inserted text.
  document.addEventListener("focusin", function (event) {
    if (event.target.tagName === "TEXTAREA") event.target.setAttribute("data-caret-known", "1");
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-canned]");
    if (!button) return;
    event.preventDefault();
    var select = document.querySelector(button.getAttribute("data-insert-canned"));
    var box = document.getElementById(button.getAttribute("aria-controls"));
    var option = select && select.options[select.selectedIndex];
    if (!box || !option || !option.value) {
      if (select) select.focus();
      return;
    }
    var known = box.hasAttribute("data-caret-known");
    var start = known ? box.selectionStart : box.value.length;
    var end = known ? box.selectionEnd : box.value.length;
    box.focus();
    box.setRangeText(option.getAttribute("data-text") || "", start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (status) status.textContent = status.getAttribute("data-template").replace("{title}", option.text);
  });

  // Business hours: the from/to inputs, "Add interval" and "Remove" only matter when a day is open for set hours.
  function syncDay(select) {
    var row = select.closest("tr");
    if (!row) return;
    row.querySelectorAll("input[data-time], button[data-interval-action]").forEach(function (control) {
      control.disabled = select.value !== "hours";
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-day-mode]")) syncDay(event.target);
  });
  document.addEventListener("htmx:afterSettle", function (event) {  // a day's row swapped in by "Add interval"
    var row = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("tr") : null;
    var select = row && row.querySelector("select[data-day-mode]");
    if (select) syncDay(select);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-day-mode]").forEach(syncDay);
    document.querySelectorAll("[data-filter-options]").forEach(function (input) { if (input.value) filterOptions(input); });
    document.querySelectorAll("select.tz-select").forEach(function (select) {
      var selected = select.options[select.selectedIndex];
      if (selected) select.scrollTop = Math.max(0, selected.offsetTop - select.clientHeight / 2);
    });
  });
})();
