// Every action is one click plus one confirmation: a modal <dialog>, which traps focus, closes on
// Escape (as "cancel") and gives focus back to the button that opened it.

import { byId } from "./dom.js";
import { t } from "./i18n.js";

export function confirmAction(text, confirmLabel = t("confirm")) {
  const dialog = byId("confirm");
  byId("confirm-text").textContent = text;
  byId("confirm-ok").textContent = confirmLabel;
  dialog.returnValue = "cancel";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    byId("confirm-ok").focus();
  });
}
