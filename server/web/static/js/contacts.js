// "Who to call" for the open incident: the site's contacts as the server orders them (those
// whose hours cover now first, then the call order), the next one to call highlighted, phones
// as tel: links, a button per call result and the calls made so far. Recording a call is one
// POST; the server writes it on the timeline, and the timeline's relay event (kind "call")
// makes the incident panel reload this list, so every dispatcher's page shows the same calls.
// The results are the server's vocabulary (WhoToCall.results), never written out here.
// Each contact also offers an SMS or Telegram notice, and the panel ends with the police duty
// desk; those notices and their states are notices.js's.

import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, language, t } from "./i18n.js";
import { Notices } from "./notices.js";
import { actorName, plain } from "./words.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const REACHED = new Set(["answered", "password_given", "wrong_password"]);
const A_MONDAY_UTC = Date.UTC(2024, 0, 1, 12);

/** A weekday code ("mon") as the page's language writes it, short. */
export function weekdayName(code) {
  const index = WEEKDAYS.indexOf(code);
  if (index < 0) return code;
  const day = new Date(A_MONDAY_UTC + index * 86_400_000);
  try {
    return new Intl.DateTimeFormat(language(), { weekday: "short", timeZone: "UTC" }).format(day);
  } catch {
    return code;
  }
}

/** Words for a call result, from the catalog (the value itself for one it does not know). */
export function callResultLabel(result) {
  const text = t(`call_result_${result}`);
  return text === `call_result_${result}` ? plain(result) : text;
}

/** Why a contact may (or may not) be called now: an entry of GET /incidents/{id}/contacts. */
export function availabilityText(entry) {
  const hours = entry.hours;
  if (entry.reason === "any_time" || !hours) return t("contact_any_time");
  const params = { day: weekdayName(hours.days[0]), start: hours.start, end: hours.end };
  return t(entry.reason === "in_hours" ? "contact_in_hours" : "contact_outside_hours", params);
}

/** The contact to call next: nobody once someone was reached, else the first not yet called. */
export function nextToCall(entries) {
  if (entries.some((entry) => entry.calls.some((call) => REACHED.has(call.result)))) return null;
  return entries.find((entry) => entry.calls.length === 0)?.contact.id ?? null;
}

export class WhoToCall {
  /** `current()` gives the open incident's id (null: none). */
  constructor(api, current) {
    this.api = api;
    this.current = current;
    this.found = null;
    this.notices = new Notices(api, current, () => this.render());
  }

  clear() {
    this.found = null;
    this.notices.clear();
    this.render();
  }

  async load() {
    const incidentId = this.current();
    if (incidentId === null) return;
    this.notices.load();
    const found = await this.api.get(`/api/v1/incidents/${incidentId}/contacts`).catch(() => null);
    if (incidentId !== this.current()) return;
    this.found = found;
    this.render();
  }

  render() {
    const entries = this.found?.contacts ?? [];
    byId("who-to-call-empty").hidden = this.found === null || entries.length > 0;
    const next = nextToCall(entries);
    replaceChildren(
      byId("who-to-call-list"),
      entries.map((entry) => this.contactItem(entry, entry.contact.id === next)),
    );
    this.renderDutyDesk();
  }

  /** The police duty desk: its buttons (only for channels it can be reached on) and notices. */
  renderDutyDesk() {
    const shown = this.found !== null && this.notices.dutyDeskOffered();
    byId("duty-desk").hidden = !shown;
    if (!shown) return;
    replaceChildren(
      byId("duty-desk-body"),
      h("div", { class: "notice-actions" }, this.notices.dutyDeskButtons()),
      this.notices.list(this.notices.to(null), t("notices_to", { name: t("notice_duty_desk") })),
    );
  }

  contactItem(entry, isNext) {
    const contact = entry.contact;
    const phone = h("select", { class: "call-phone", "aria-label": t("call_phone", { name: contact.name }) });
    for (const number of contact.phones) phone.append(h("option", { value: number }, number));
    const facts = [contact.role, contact.languages.length ? t("contact_languages", { languages: contact.languages.join(", ") }) : ""];
    return h(
      "li",
      { class: ["contact", isNext ? "next" : "", entry.available_now ? "" : "unavailable"].join(" ").trim(), dataset: { contactId: contact.id } },
      h("div", { class: "contact-head" },
        isNext ? h("strong", { class: "next-badge" }, t("call_next")) : "",
        h("strong", { class: "contact-name" }, contact.name),
        " ",
        h("span", { class: "contact-facts" }, facts.filter(Boolean).join(" · ")),
      ),
      h("p", { class: "contact-when" }, availabilityText(entry)),
      contact.has_password ? h("p", { class: "contact-password" }, t("contact_has_password")) : "",
      contact.note ? h("p", { class: "contact-note" }, contact.note) : "",
      h("p", { class: "contact-phones" }, contact.phones.map((number) => [h("a", { href: `tel:${number}` }, number), " "])),
      h("div", { class: "call-results" },
        contact.phones.length > 1 ? phone : "",
        (this.found?.results ?? []).map((result) =>
          h("button", {
            type: "button",
            class: "secondary",
            dataset: { result },
            onclick: () => this.record(contact, contact.phones.length > 1 ? phone.value : contact.phones[0], result),
          }, callResultLabel(result)),
        ),
      ),
      entry.calls.length ? h("ul", { class: "calls" }, entry.calls.map((call) => callItem(call))) : "",
      h("div", { class: "notice-actions" },
        this.notices.contactButtons(contact, () => (contact.phones.length > 1 ? phone.value : contact.phones[0])),
      ),
      this.notices.list(this.notices.to(contact.id), t("notices_to", { name: contact.name })),
    );
  }

  async record(contact, phone, result) {
    const incidentId = this.current();
    try {
      await this.api.post(`/api/v1/incidents/${incidentId}/calls`, { contact_id: contact.id, phone, result });
      notify(t("call_recorded", { name: contact.name, result: callResultLabel(result) }));
      await this.load();
    } catch (error) {
      notify(t("call_failed", { reason: error.message }));
    }
  }
}

function callItem(call) {
  return h(
    "li",
    { dataset: { result: call.result } },
    h("time", { datetime: call.at }, formatTime(call.at)),
    " ",
    `${call.phone}: ${callResultLabel(call.result)}`,
    call.note ? ` — ${call.note}` : "",
    " ",
    h("span", { class: "actor" }, t("timeline_by", { actor: actorName(call.actor) })),
  );
}
