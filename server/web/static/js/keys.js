// Keyboard shortcuts for the whole dispatch loop: `n` opens the next pending incident (P1s first),
// `d` dispatches the recommended crew (one confirmation: Enter), `m` goes to the note, `r` to the
// outcome that closes the incident, `?` shows the card that lists them, Escape closes any dialog
// (the browser does that for <dialog>). So a P1 is sent with n, d, Enter: three keys.
// A key typed into a field is the field's, never a shortcut; nor is a key with a modifier.

import { byId } from "./dom.js";

const FIELDS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function typing(target) {
  return target instanceof Element && (FIELDS.has(target.tagName) || target.isContentEditable);
}

function toggleCard(card) {
  if (card.open) card.close();
  else card.showModal();
}

/** `actions` maps a key ("n", "d", …) to what it does; `?` and Escape are handled here. */
export function bindShortcuts(actions) {
  const card = byId("shortcuts");
  byId("shortcuts-toggle").addEventListener("click", () => toggleCard(card));
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) return;
    if (event.key === "?") {
      event.preventDefault();
      if (card.open || document.querySelector("dialog[open]") === null) toggleCard(card);
      return;
    }
    // While a question is asked, Enter and Escape answer it and nothing else acts behind it.
    if (document.querySelector("dialog[open]") !== null || byId("console").hidden) return;
    const action = actions[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  });
}
