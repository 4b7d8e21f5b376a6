// Outbound notices (server/notify) of the open incident, as "Who to call" (contacts.js) shows
// them: buttons that queue an SMS or a Telegram message to a contact or the police duty desk,
// and each notice with its state in words. The server answers once the notice is stored; what
// becomes of it (sent to the gateway, delivered, failed, waiting for a retry) comes back as
// `notice` relay events, and as notice_* timeline entries that make this list reload, so every
// dispatcher's page shows the same states. Buttons for a channel the server has no gateway for
// are not offered (GET /notifications/channels); if that cannot be asked, they are, and the
// server's 409 sentence says how to switch the channel on.

import { notify } from "./announce.js";
import { h } from "./dom.js";
import { formatTime, t } from "./i18n.js";

const CHANNELS_PATH = "/api/v1/notifications/channels";
// How far a notice has got: a relay event older than what the page shows never moves it back.
const RANK = { pending: 0, submitted: 1, delivered: 2, failed: 2 };

/** A notice's state as a dispatcher reads it: a pending one is queued, or retrying once a try
 * failed (the sender keeps why in last_error until it is sent). */
export function noticeState(notice) {
  if (notice.state === "pending") return notice.last_error ? "retrying" : "queued";
  if (notice.state === "submitted") return "sent";
  return notice.state;
}

function channelLabel(channel) {
  const key = `notice_channel_${channel}`;
  const text = t(key);
  return text === key ? channel : text;
}

function isNewer(known, found) {
  const rank = (notice) => RANK[notice.state] ?? 0;
  if (rank(found) !== rank(known)) return rank(found) > rank(known);
  return found.attempts >= known.attempts;
}

export class Notices {
  /** `current()` gives the open incident's id (null: none); `onChange()` redraws the panel. */
  constructor(api, current, onChange) {
    this.api = api;
    this.current = current;
    this.onChange = onChange;
    this.channels = null; // unknown: every button is offered
    this.channelsAsked = false;
    this.byId = new Map();
  }

  clear() {
    this.byId = new Map();
  }

  async load() {
    const incidentId = this.current();
    if (incidentId === null) return;
    if (!this.channelsAsked) {
      this.channelsAsked = true;
      this.channels = await this.api.get(CHANNELS_PATH).catch(() => null);
    }
    const found = await this.api.get(`/api/v1/incidents/${incidentId}/notifications`).catch(() => null);
    if (incidentId !== this.current() || found === null) return;
    this.byId = new Map(found.map((notice) => [notice.id, notice]));
    this.onChange();
  }

  /** A `notice` relay event: a notice of the open incident changed. */
  noticed(notice) {
    if (notice.incident_id !== this.current()) return;
    const known = this.byId.get(notice.id);
    if (known !== undefined && !isNewer(known, notice)) return;
    this.byId.set(notice.id, notice);
    this.onChange();
  }

  /** Whether the server can send on `channel` ("sms", "telegram", "duty_desk_sms" …). */
  offers(channel) {
    return this.channels === null || this.channels[channel] === true;
  }

  /** The notices to a contact (`null`: to the duty desk), oldest first. */
  to(contactId) {
    return [...this.byId.values()].filter((notice) => notice.contact_id === contactId).sort((a, b) => a.id - b.id);
  }

  async send(body, name) {
    const incidentId = this.current();
    if (incidentId === null) return;
    const channel = channelLabel(body.channel);
    try {
      const notice = await this.api.post(`/api/v1/incidents/${incidentId}/notifications`, body);
      notify(t("notice_queued_for", { channel, recipient: name }));
      this.noticed(notice);
    } catch (error) {
      notify(t("notice_not_queued", { channel, recipient: name, reason: error.message }));
    }
  }

  /** "Send SMS" / "Telegram" for a contact; `phone()` gives the number chosen for the SMS. */
  contactButtons(contact, phone) {
    const send = (channel, extra) => this.send({ channel, contact_id: contact.id, ...extra }, contact.name);
    return [
      contact.phones.length && this.offers("sms")
        ? h("button", {
            type: "button",
            class: "secondary notice-send",
            dataset: { channel: "sms" },
            "aria-label": t("notice_sms_to", { name: contact.name }),
            onclick: () => send("sms", { phone: phone() }),
          }, t("notice_send_sms"))
        : "",
      contact.telegram_chat_id && this.offers("telegram")
        ? h("button", {
            type: "button",
            class: "secondary notice-send",
            dataset: { channel: "telegram" },
            "aria-label": t("notice_telegram_to", { name: contact.name }),
            onclick: () => send("telegram", {}),
          }, t("notice_send_telegram"))
        : "",
    ];
  }

  /** The duty desk's buttons, one per channel it can be reached on. */
  dutyDeskButtons() {
    const name = t("notice_duty_desk");
    return ["sms", "telegram"]
      .filter((channel) => this.offers(`duty_desk_${channel}`))
      .map((channel) =>
        h("button", {
          type: "button",
          class: "secondary notice-send",
          dataset: { channel },
          onclick: () => this.send({ channel, duty_desk: true }, name),
        }, t(`notice_duty_desk_${channel}`)),
      );
  }

  /** Whether the duty desk can be notified at all (its section is hidden otherwise). */
  dutyDeskOffered() {
    return this.offers("duty_desk_sms") || this.offers("duty_desk_telegram");
  }

  /** The list of `notices`, each with its state in words ("" when there are none). */
  list(notices, label) {
    if (notices.length === 0) return "";
    return h("ul", { class: "notices", "aria-label": label }, notices.map((notice) => noticeItem(notice)));
  }
}

function noticeItem(notice) {
  const state = noticeState(notice);
  const waiting = state === "retrying" ? t("notice_next_try", { time: formatTime(notice.next_attempt_at) }) : "";
  const problem = state === "retrying" || state === "failed" ? notice.last_error : "";
  return h(
    "li",
    { class: `notice-entry notice-${state}`, dataset: { noticeId: notice.id, state } },
    h("time", { datetime: notice.created_at }, formatTime(notice.created_at)),
    " ",
    t("notice_line", { channel: channelLabel(notice.channel), address: notice.address }),
    " ",
    h("strong", { class: "notice-state" }, t(`notice_state_${state}`)),
    waiting ? ` (${waiting})` : "",
    problem ? h("span", { class: "notice-error" }, ` — ${problem}`) : "",
  );
}
