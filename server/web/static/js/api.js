// The REST client: every call carries the dispatcher's bearer token and the page's language
// (Accept-Language), so the server writes its sentences for a person in that language; errors carry
// the server's machine-readable code and that sentence.

import { has, language, t } from "./i18n.js";
import { csrfToken } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const PAGE_SIZE = 1000;

/** The server's sentence in our language (`message`), else ours for its code, else its English. */
function sentence(problem, code, status) {
  if (typeof problem.message === "string" && problem.message) return problem.message;
  if (has(`error_${code}`)) return t(`error_${code}`);
  return problem.detail ?? t("error_http", { status });
}
const MAX_PAGES = 20;

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
    this.clockSkewMs = 0;
  }

  async request(method, path, body) {
    // A signed-in person's page has no token: its session cookie goes along by itself, and each
    // change carries the session's CSRF token (js/session.js).
    const headers = this.token
      ? { Authorization: `Bearer ${this.token}`, "Accept-Language": language() }
      : { "X-CSRF-Token": csrfToken(), "Accept-Language": language() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "network", t("error_network"));
    }
    this.noteServerClock(response);
    if (response.ok) return response;
    const problem = await response.json().catch(() => ({}));
    const code = problem.code ?? "http_" + response.status;
    const error = new ApiError(response.status, code, sentence(problem, code, response.status));
    if (response.status === 401 && this.onUnauthorized) this.onUnauthorized(error);
    throw error;
  }

  // The browser's clock may be wrong; ages are computed against the server's (to ~1 s).
  noteServerClock(response) {
    const date = Date.parse(response.headers.get("Date") ?? "");
    if (!Number.isNaN(date)) this.clockSkewMs = date + 500 - Date.now();
  }

  now() {
    return Math.abs(this.clockSkewMs) > 2000 ? Date.now() + this.clockSkewMs : Date.now();
  }

  async get(path) {
    return (await this.request("GET", path)).json();
  }

  async post(path, body) {
    const response = await this.request("POST", path, body);
    return response.status === 204 ? null : response.json();
  }

  async blob(path) {
    return (await this.request("GET", path)).blob();
  }

  /** Every item of a paged list route (limit/offset), up to a sane bound. */
  async all(path) {
    const separator = path.includes("?") ? "&" : "?";
    const items = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const batch = await this.get(`${path}${separator}limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`);
      items.push(...batch);
      if (batch.length < PAGE_SIZE) break;
    }
    return items;
  }
}
