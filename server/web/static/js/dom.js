// Small DOM helpers. Data from the server is only ever put in the page as text (never as HTML),
// because alert descriptions and notes are typed by people and devices outside our control.

import { formatTime } from "./i18n.js";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** HH:MM:SS in the deployment's time zone (i18n.js), whatever zone the browser is in. */
export function formatClock(epochMs) {
  return formatTime(epochMs);
}

export function parseTime(text) {
  return text ? Date.parse(text) : NaN;
}

/**
 * Update a table body (or a list) to show `items` in order, reusing each item's row, so focus
 * and selection survive a live update and nothing on screen jumps without need.
 */
export function renderRows(tbody, items, keyOf, build, update) {
  const focused = tbody.contains(document.activeElement) ? document.activeElement : null;
  const existing = new Map([...tbody.children].map((row) => [row.dataset.key, row]));
  const rows = items.map((item) => {
    const key = String(keyOf(item));
    let row = existing.get(key);
    existing.delete(key);
    if (row === undefined) {
      row = build(item);
      row.dataset.key = key;
    }
    update(row, item);
    return row;
  });
  for (const stale of existing.values()) stale.remove();
  rows.forEach((row, index) => {
    if (tbody.children[index] !== row) tbody.insertBefore(row, tbody.children[index] ?? null);
  });
  if (focused !== null && focused.isConnected && document.activeElement !== focused) {
    focused.focus({ preventScroll: true });
  }
}
