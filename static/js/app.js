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

  function messageOf(xhr) {
    var text = "";
    if (xhr && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fragment = doc.querySelector(".error-fragment, .error-page p");
      text = (fragment || doc.body).textContent.trim().replace(/\s+/g, " ");
    }
    if (!text) text = document.documentElement.lang === "ru" ? "Запрос не выполнен." : "The request failed.";
    return text.slice(0, 300);
  }

  // Refusals (403, a stale CSRF token, 404, 409, 5xx) are shown, never a silent no-op.
  document.addEventListener("htmx:responseError", function (event) {
    toast(messageOf(event.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.documentElement.lang === "ru" ? "Нет связи с сервером." : "The server cannot be reached.", "error");
  });

  // Filter box: narrows a list as you type. data-filter-target names the container;
  // rows carry data-filter-text, sections hide when none of their rows match.
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
    if (counter) counter.textContent = counter.getAttribute("data-template").replace("{n}", shown);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-filter-target]")) applyFilter(event.target);
  });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-filter-target]").forEach(function (input) { if (input.value) applyFilter(input); });
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

  // Business hours: the from/to inputs only matter when a day is open for set hours.
  function syncDay(select) {
    var row = select.closest("tr");
    if (!row) return;
    row.querySelectorAll("input[type=time]").forEach(function (input) { input.disabled = select.value !== "hours"; });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-day-mode]")) syncDay(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-day-mode]").forEach(syncDay);
  });
})();
