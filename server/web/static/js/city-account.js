// "Sign in with the city account": single sign-on through the city's identity provider
// (server/oidc). The link is shown only when the server has it set up; it is a plain navigation
// to /auth/oidc/login, which sends the browser to the provider and, once signed in there, back
// to this page with a session cookie.

import { byId } from "./dom.js";

export async function offerCityAccount() {
  let status;
  try {
    const response = await fetch("/auth/oidc/status", { cache: "no-store" });
    if (!response.ok) return;
    status = await response.json();
  } catch {
    return; // the server is unreachable: the token form says so when used
  }
  byId("signin-city").hidden = !status.enabled;
}
