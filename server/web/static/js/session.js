// A person's session: sign in with a username, password and code; the server keeps the session
// in an HttpOnly cookie this script cannot read, and gives a CSRF token (also in the readable
// posbon_csrf cookie) that every change must echo in X-CSRF-Token. Sign out ends this session,
// "sign out everywhere" every session of the person (their pages' sockets close at once).

import { ApiError } from "./api.js";
import { language, t } from "./i18n.js";

const CSRF_COOKIE = "posbon_csrf";
const SESSION_PATH = "/api/v1/session";

/** The session's CSRF token from its readable cookie, or "" when this browser has no session. */
export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return "";
}

async function call(method, path, body) {
  const headers = { "Accept-Language": language(), "X-CSRF-Token": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", t("error_network"));
  }
  if (response.ok) return response.status === 204 ? null : response.json();
  const problem = await response.json().catch(() => ({}));
  const error = new ApiError(response.status, problem.code ?? `http_${response.status}`, problem.message ?? problem.detail ?? "");
  error.retryAfterS = Number(response.headers.get("Retry-After") ?? 0);
  throw error;
}

/** Sign in; resolves to the session ({user, csrf, expires_at, idle_timeout_s}). */
export function signIn(username, password, code) {
  const body = { username, password };
  if (code) body.code = code;
  return call("POST", SESSION_PATH, body);
}

/** End this browser's session (everywhere: every session of the person). */
export function endSession(everywhere) {
  return everywhere ? call("POST", `${SESSION_PATH}/everywhere`) : call("DELETE", SESSION_PATH);
}

/** What the sign-in form says about a refusal, in the page's language. */
export function refusal(error) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.code === "code_required") return t("signin_code_required");
  if (error.code === "sign_in_failed") return t("signin_failed");
  if (error.code === "account_locked") {
    return t("signin_locked", { s: Math.max(1, Math.round(error.retryAfterS || 0)) });
  }
  return error.message || t("error_http", { status: error.status });
}
