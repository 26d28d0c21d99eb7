// Keyboard shortcuts for triage officers. Served from /static so the pages need no inline
// script (the Content-Security-Policy forbids it). Item page: a accepts, 1-5 choose a
// category, j/k go to the next/previous item. Queue: j/k move between rows, Enter opens.
(function () {
  "use strict";

  // Keys typed into a field are the officer's text; a radio button or checkbox takes no text,
  // so the shortcuts still work there (the exclusion reasons are radio buttons: arrow keys
  // choose one, then a confirms, with no type-ahead to change the choice unseen).
  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (tag === "input" && (target.type === "radio" || target.type === "checkbox")) {
      return false;
    }
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function onItemPage(key) {
    var form = document.getElementById("decision-form");
    if (key === "j" || key === "k") {
      var link = document.getElementById(key === "j" ? "next-item" : "previous-item");
      if (link) { window.location.assign(link.href); return true; }
      return false;
    }
    if (!form) { return false; }
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (!button) { return false; }
    var needsReason = button.value === "excluded" || button.value === "confirm_exclusion";
    var chosen = form.querySelector('input[name="excluded_reason"]:checked');
    var first = form.querySelector('input[name="excluded_reason"]');
    if (needsReason && !chosen) {
      // An exclusion needs its reason: focus the first, the officer moves with the arrow keys
      // (which choose as they go) and presses the same key again.
      if (first) { first.focus(); }
      return true;
    }
    if (form.dataset.sent) { return true; }  // one decision per page, however fast the keys
    form.dataset.sent = "yes";
    if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
    return true;
  }

  function onQueue(key) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.queue-link"));
    if (!links.length || (key !== "j" && key !== "k")) { return false; }
    var at = links.indexOf(document.activeElement);
    var next = key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
    links[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var key = event.key;
    if (!/^[ajk1-5]$/.test(key)) { return; }
    var handled = document.getElementById("decision-form") || document.getElementById("next-item") ||
      document.getElementById("previous-item") ? onItemPage(key) : onQueue(key);
    if (handled) { event.preventDefault(); }
  });

  // Forms submit once: a double click or a held key cannot decide an item twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "yes";
  });
})();
