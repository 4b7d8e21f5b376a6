// The REST client: every call carries the dispatcher's bearer token; errors carry the server's
// machine-readable code and its sentence for a person.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const PAGE_SIZE = 1000;
const MAX_PAGES = 20;

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
    this.clockSkewMs = 0;
  }

  async request(method, path, body) {
    const headers = { Authorization: `Bearer ${this.token}` };
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
      throw new ApiError(0, "network", "The server cannot be reached (network down?).");
    }
    this.noteServerClock(response);
    if (response.ok) return response;
    const problem = await response.json().catch(() => ({}));
    const error = new ApiError(
      response.status,
      problem.code ?? "http_" + response.status,
      problem.detail ?? `The server answered ${response.status}.`,
    );
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
