// The dispatcher page's words, in Uzbek (Latin and Cyrillic), Russian and English.
//
// Every text a person reads goes through `t(key, params)`; the catalogs are js/lang/<code>.js. A
// key missing in the chosen language falls back to English, then to the key itself. The language is
// chosen per user (the header's picker), kept in localStorage, and defaults to the browser's
// languages. Dates and times are shown in the deployment's time zone, which the server puts in the
// page shell (`#posbon-settings`), never in the browser's own zone and never as raw UTC.

import en from "./lang/en.js";
import ru from "./lang/ru.js";
import uzCyrl from "./lang/uz-Cyrl.js";
import uzLatn from "./lang/uz-Latn.js";
import {
  LANGUAGES,
  STORAGE_KEY,
  bindLanguagePicker,
  pickLanguage,
  storedLanguage,
} from "../shared/language.js";

export { LANGUAGES, pickLanguage };
export const CATALOGS = { en, ru, "uz-Latn": uzLatn, "uz-Cyrl": uzCyrl };
const DEFAULT_TIME_ZONE = "Asia/Samarkand";
const CHANGE_EVENT = "posbon:language";

let current = pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);

/** The deployment's IANA time zone, from the page shell's settings element. */
export function timeZone() {
  const element = document.getElementById("posbon-settings");
  try {
    const settings = JSON.parse(element?.textContent?.trim() || "{}");
    if (typeof settings.time_zone === "string" && settings.time_zone) return settings.time_zone;
  } catch {
    // an empty or broken element: the default below
  }
  return DEFAULT_TIME_ZONE;
}

const ZONE = timeZone();

export function language() {
  return current;
}

function lookup(key) {
  return CATALOGS[current][key] ?? en[key];
}

function fill(text, params) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The text of `key` in the current language with `{name}` filled from `params`. */
export function t(key, params = {}) {
  const text = lookup(key);
  if (text === undefined) return key;
  if (typeof text === "object") return plural(key, Number(params.n ?? 0), params);
  return fill(text, params);
}

/** Whether any catalog (the current one or English) has `key`. */
export function has(key) {
  return lookup(key) !== undefined;
}

/** A count's text: the catalog value is {one, few, many, other} (CLDR plural categories). */
export function plural(key, n, params = {}) {
  const forms = lookup(key);
  if (forms === undefined) return key;
  const values = { ...params, n: new Intl.NumberFormat(current).format(n) };
  if (typeof forms !== "object") return fill(forms, values);
  const category = new Intl.PluralRules(current).select(n);
  return fill(forms[category] ?? forms.other ?? Object.values(forms)[0], values);
}

function asDate(value) {
  return value instanceof Date ? value : new Date(typeof value === "string" ? Date.parse(value) : value);
}

const formats = new Map();

function formatter(name, options) {
  const id = `${current} ${name}`;
  if (!formats.has(id)) formats.set(id, new Intl.DateTimeFormat(current, { timeZone: ZONE, ...options }));
  return formats.get(id);
}

function format(name, options, value) {
  const date = asDate(value);
  return Number.isNaN(date.getTime()) ? "" : formatter(name, options).format(date);
}

/** HH:MM:SS in the deployment's time zone; takes a Date, an ISO string or epoch milliseconds. */
export function formatTime(value) {
  return format("time", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }, value);
}

/** Date and time (to the minute) in the deployment's time zone. */
export function formatDateTime(value) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return format("datetime", options, value);
}

/** The date alone in the deployment's time zone. */
export function formatDate(value) {
  return format("date", { year: "numeric", month: "2-digit", day: "2-digit" }, value);
}

export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(current, options).format(n);
}

const ATTRIBUTES = [
  ["i18nTitle", "title"],
  ["i18nPlaceholder", "placeholder"],
  ["i18nAriaLabel", "aria-label"],
];

/** Fill every `data-i18n*` element under `root` with its text in the current language. */
export function applyStatic(root = document) {
  if (root === document) document.title = t("app_title");
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const text = t(element.dataset.i18n);
    if (element.textContent !== text) element.textContent = text;
  }
  for (const [dataName, attribute] of ATTRIBUTES) {
    const selector = `[data-${dataName.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`;
    for (const element of root.querySelectorAll(selector)) {
      element.setAttribute(attribute, t(element.dataset[dataName]));
    }
  }
}

/** Switch the page's language (kept for this browser); views listening re-render themselves. */
export function setLanguage(code) {
  current = LANGUAGES.includes(code) ? code : "en";
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // not kept: the choice still holds until the page is left
  }
  document.documentElement.lang = current;
  applyStatic();
  const picker = document.getElementById("language");
  if (picker !== null) picker.value = current;
  window.dispatchEvent(new CustomEvent(CHANGE_EVENT, { detail: current }));
}

/** The words for a socket state (shared/socket.js: connecting, live, reconnecting, offline,
 * signed-out); `params.s` is the wait before the next try while reconnecting. */
export function linkState(state, params = {}) {
  if (state === "reconnecting" && params?.s !== undefined) return t("relay_reconnecting_in", params);
  const key = `relay_${String(state).replaceAll("-", "_")}`;
  return has(key) ? t(key) : String(state);
}

/** Call `listener(code)` after every language switch. */
export function onLanguageChange(listener) {
  window.addEventListener(CHANGE_EVENT, (event) => listener(event.detail));
}

/** The header's <select id="language">: one option per language, named in that language. Choosing
 * one reloads the page, so that every view, list and form is drawn again in it (the token is kept
 * for the tab, so the dispatcher stays signed in). */
function bindPicker() {
  const picker = document.getElementById("language");
  if (picker === null) return;
  bindLanguagePicker(picker, current, (code) => CATALOGS[code].language_name, (code) => {
    setLanguage(code);
    location.reload();
  });
}

document.documentElement.lang = current;
bindPicker();
applyStatic();
