/* Plaint desk: keyboard shortcuts and the collision banner's announcement.
 *
 * Shipped as a static file (the Content-Security-Policy allows no inline script and no
 * other origin). Every shortcut is a key press for something already on the page (a
 * link, a form, a <details>), so everything works without it too, by Tab and Enter.
 * Keys are ignored while typing in a field, and with Ctrl, Alt or Meta held.
 *
 *   anywhere   ?        show or hide the list of shortcuts (Esc closes it)
 *   queue      j / k    next / previous case
 *              Enter, o open the case
 *              a        assign the case to me
 *   case page  n        add a note
 *              c        log a contact
 *              r        reply to the customer by e-mail
 */
(function () {
  "use strict";

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function say(text) {
    var live = document.getElementById("kbd-status");
    if (live) live.textContent = text;
  }

  // ------------------------------------------------------------------ the queue
  function rows() {
    return Array.prototype.slice.call(
      document.querySelectorAll("#case-table tbody tr[data-reference]")
    );
  }

  function currentRow() {
    return document.querySelector("#case-table tbody tr.kbd-current");
  }

  function moveTo(row) {
    rows().forEach(function (r) {
      r.classList.remove("kbd-current");
      r.removeAttribute("aria-current");
    });
    row.classList.add("kbd-current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function step(by) {
    var all = rows();
    if (!all.length) return false;
    var at = all.indexOf(chosenRow());
    var next = at === -1 ? (by > 0 ? 0 : all.length - 1) : at + by;
    moveTo(all[Math.min(Math.max(next, 0), all.length - 1)]);
    return true;
  }

  function chosenRow() {
    return currentRow() || rows().find(function (r) { return r.contains(document.activeElement); });
  }

  function openRow() {
    var row = chosenRow();
    var link = row && row.querySelector("a");
    if (!link) return false;
    link.click();
    return true;
  }

  function assignRow() {
    var form = document.getElementById("kbd-assign");
    var row = chosenRow();
    if (!form || !row) return false;
    var mine = form.dataset.me;
    if (row.dataset.assignee === mine) {
      say(row.dataset.reference + " is already assigned to you.");
      return true;
    }
    if (row.dataset.assignee && form.dataset.reassign !== "true") {
      say(row.dataset.reference + " is assigned to someone else: only a supervisor can reassign it.");
      return true;
    }
    form.action = form.dataset.urlPattern.replace("REFERENCE", encodeURIComponent(row.dataset.reference));
    form.elements.version.value = row.dataset.ledger;
    form.elements.next.value = window.location.pathname + window.location.search;
    say("Assigning " + row.dataset.reference + " to you…");
    form.submit();
    return true;
  }

  // ------------------------------------------------------------------ the case page
  function openForm(formSelector, fieldSelector) {
    var form = document.querySelector(formSelector);
    if (!form) return false;
    var details = form.closest("details");
    if (details) details.open = true;
    var field = form.querySelector(fieldSelector || "textarea, input:not([type=hidden]), select");
    (field || form).focus();
    form.scrollIntoView({ block: "nearest" });
    return true;
  }

  // ------------------------------------------------------------------ the list of shortcuts
  function toggleHelp() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog) return false;
    if (dialog.open) dialog.close();
    else dialog.showModal();
    return true;
  }

  var KEYS = {
    "?": toggleHelp,
    j: function () { return step(1); },
    k: function () { return step(-1); },
    o: openRow,
    Enter: function (event) {
      // A focused link opens itself; Enter on a row that is marked but not focused opens it.
      return event.target === document.body && currentRow() ? openRow() : false;
    },
    a: assignRow,
    n: function () { return openForm("form#note", "textarea"); },
    c: function () { return openForm("form#contact"); },
    r: function () { return openForm("form#mail-send", "textarea"); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open && event.key !== "?") return; // Esc and Tab work as usual
    var action = KEYS[event.key];
    if (action && action(event)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target instanceof Element && event.target.closest("[data-shortcuts]");
    if (opener) {
      event.preventDefault();
      toggleHelp();
    }
  });

  // ------------------------------------------------------------------ collision banner
  // The banner is fetched again every few seconds (its "10 seconds ago" moves on); a
  // screen reader hears it once per new change, through a live region that only changes
  // when the newest change does.
  document.addEventListener("htmx:afterSettle", function () {
    var banner = document.getElementById("collision-banner");
    var live = document.getElementById("collision-live");
    if (!banner || !live || !banner.dataset.latest) return;
    if (live.dataset.announced === banner.dataset.latest) return;
    live.dataset.announced = banner.dataset.latest;
    var said = banner.querySelector(".collision-said");
    live.textContent = (said ? said.textContent : "This case changed") + ". Reload to see it.";
  });
})();
