// The full-width "Disconnected — data as of HH:MM:SS" bar both apps show when their socket has
// been down for more than `graceMs` (a reconnect that succeeds at once shows nothing). The time is
// when the server was last heard, in the deployment's time zone (the page shell's
// #posbon-settings), so the person knows how old what the screen shows is. Its text comes from the
// app's own catalog (key `disconnected_as_of`); its style from disconnected.css beside this file
// (no inline styles: the pages' Content-Security-Policy allows none).
//
// It is a SocketClient's `linkWatch`: down(asOfMs) when a live link goes, clear() when it is live
// again. While shown, <html data-disconnected="true"> lets an app's CSS mark what goes stale.

export const GRACE_MS = 3_000;
const STYLESHEET = new URL("./disconnected.css", import.meta.url).href;

/** HH:MM:SS in the deployment's time zone and the page's language. */
export function formatTimeOfDay(date) {
  let timeZone;
  try {
    timeZone = JSON.parse(document.getElementById("posbon-settings")?.textContent?.trim() || "{}").time_zone;
  } catch {
    timeZone = undefined; // an empty or broken element: the browser's zone
  }
  const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(date); // an unknown zone or language
  }
}

function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`) !== null) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = STYLESHEET;
  document.head.append(link);
}

export class DisconnectedOverlay {
  /** t: the app's `t(key, params)`; formatTime(date): HH:MM:SS (formatTimeOfDay by default). */
  constructor({ t, formatTime = formatTimeOfDay, graceMs = GRACE_MS }) {
    this.t = t;
    this.formatTime = formatTime;
    this.graceMs = graceMs;
    this.timer = null;
    this.asOfMs = null;
    addStylesheet();
    this.element = document.createElement("div");
    this.element.className = "disconnected-overlay";
    this.element.id = "disconnected";
    this.element.setAttribute("role", "alert");
    this.element.hidden = true;
    document.body.append(this.element);
  }

  down(asOfMs) {
    if (this.timer !== null || !this.element.hidden) return;
    this.asOfMs = asOfMs;
    this.timer = setTimeout(() => this.show(), this.graceMs);
  }

  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.element.hidden = true;
    delete document.documentElement.dataset.disconnected;
  }

  show() {
    this.timer = null;
    this.element.textContent = this.t("disconnected_as_of", { time: this.formatTime(new Date(this.asOfMs)) });
    this.element.hidden = false;
    document.documentElement.dataset.disconnected = "true";
  }
}
