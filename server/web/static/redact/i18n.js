// The redaction page's language: the same choice as the dispatcher page and the crew app
// (localStorage `posbon.lang`, picked there or in this page's header), else the browser's
// languages, else English. `t(key, params)` gives a text of lang.js with `{name}` filled; a value
// of plural forms is chosen by `params.n` through Intl.PluralRules. A key missing in the chosen
// language falls back to English, then to the key itself.
//
// The dispatcher's js/i18n.js is not imported (on import it binds that page's picker and writes
// that page's title); the choice itself is shared/language.js, as there.

import {
  LANGUAGES,
  STORAGE_KEY,
  bindLanguagePicker,
  pickLanguage,
  storedLanguage,
} from "../shared/language.js";
import { CATALOGS } from "./lang.js";

export { LANGUAGES, pickLanguage };

const current = pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
const plurals = new Intl.PluralRules(current);
const numbers = new Intl.NumberFormat(current);
const percents = new Intl.NumberFormat(current, { style: "percent", maximumFractionDigits: 0 });

export function language() {
  return current;
}

function fill(text, params) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The text of `key` in the page's language; a number `params.n` picks the plural form. */
export function t(key, params = {}) {
  const value = CATALOGS[current][key] ?? CATALOGS.en[key];
  if (value === undefined) return key;
  if (typeof value !== "object") return fill(value, params);
  const n = Number(params.n ?? 0);
  const form = value[plurals.select(n)] ?? value.other;
  return fill(form, { ...params, n: numbers.format(n) });
}

export const formatNumber = (n) => numbers.format(n);
export const formatPercent = (fraction) => percents.format(fraction);

const ATTRIBUTES = [
  ["i18nAriaLabel", "aria-label"],
  ["i18nAlt", "alt"],
];

/** Every `data-i18n*` element in its text, the title and `<html lang>`, in the page's language. */
export function applyStatic() {
  document.documentElement.lang = current;
  document.title = t("page_title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const [dataName, attribute] of ATTRIBUTES) {
    const selector = `[data-${dataName.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`;
    for (const element of document.querySelectorAll(selector)) {
      element.setAttribute(attribute, t(element.dataset[dataName]));
    }
  }
}

/** The header's <select id="language">, each language named in itself. A choice is kept for the
 * dispatcher page too and the page is loaded again in it (the tab keeps the token). */
export function bindPicker() {
  const nameOf = (code) => CATALOGS[code].language_name;
  bindLanguagePicker(document.getElementById("language"), current, nameOf, (code) => {
    try {
      localStorage.setItem(STORAGE_KEY, code);
    } catch {
      return; // not kept: a reload would come back in the old language
    }
    location.reload();
  });
}
