// Who is signed in, shown in the header beside "Sign out": a person's name (a session) or the
// token's own name, and the role in the page's language. A long name ends in an ellipsis (the
// header stays one line at 1366 px); the title holds it whole. GET /api/v1/session says who.

import { byId } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { roleLabel } from "./words.js";

const SESSION_PATH = "/api/v1/session";

/** The name to show: a person's display name, else the name they sign in with; a token's name. */
export function shownName(whoami) {
  return whoami.user?.display_name || whoami.user?.username || whoami.name;
}

function draw(whoami) {
  const name = shownName(whoami);
  const role = roleLabel(whoami.user?.role ?? whoami.role);
  byId("who-name").textContent = name;
  byId("who-role").textContent = role;
  byId("who").title = t("signed_in_as", { name, role });
  byId("who").hidden = false;
}

/** Ask the server who this page is signed in as and show it; a failure only leaves it hidden. */
export async function showWho(api) {
  let whoami;
  try {
    whoami = await api.get(SESSION_PATH);
  } catch (error) {
    console.warn("who is signed in is unknown:", error.message);
    return;
  }
  draw(whoami);
  onLanguageChange(() => draw(whoami));
}
