// REST calls with the crew's token and the tablet's language (the server writes its error
// sentences in it). A failure says whether it is worth retrying: no network and 5xx are
// transient (the queue keeps the item); a 4xx is the server's final answer.

import { language, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(detail);
    this.status = status;
    this.code = code;
    this.body = body;
  }

  get transient() {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body, contentType = "application/json") {
    const headers = { Authorization: `Bearer ${this.token}`, "Accept-Language": language() };
    if (body !== undefined) headers["Content-Type"] = contentType;
    let response;
    try {
      response = await fetch(path, { method, headers, body, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, "network", t("server_unreachable"));
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    let problem = {};
    try {
      problem = JSON.parse(text);
    } catch (error) {
      problem = {};
    }
    const failure = new ApiError(
      response.status,
      problem.code ?? `http_${response.status}`,
      problem.message ?? problem.detail ?? t("server_answered", { status: response.status }),
      problem,
    );
    if (response.status === 401 && this.onUnauthorized) this.onUnauthorized(failure);
    throw failure;
  }

  async get(path) {
    return (await this.request("GET", path)).json();
  }

  async post(path, value) {
    const response = await this.request("POST", path, JSON.stringify(value));
    return response.status === 204 ? null : response.json();
  }

  async postText(path, text) {
    return (await this.request("POST", path, text)).text();
  }

  async getText(path) {
    return (await this.request("GET", path)).text();
  }
}
