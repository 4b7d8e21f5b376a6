// Words for timeline entries, built from each entry's kind and data through the catalog: no
// device UUIDs, clock offsets or raw timestamps. Unknown kinds (from newer servers, other issues)
// still show, with their plain data, so nothing recorded is ever hidden from the dispatcher.

import { t } from "./i18n.js";
import { outcomeLabel, plain, statusLabel } from "./words.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HIDDEN_FIELDS = new Set(["op_id", "seq", "dispatch_id", "device_id", "mutation_id", "offset_ms", "device_at"]);

function termOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

function move(entry) {
  if (!entry.to_status) return "";
  const to = statusLabel(entry.to_status);
  return entry.from_status ? `${statusLabel(entry.from_status)} → ${to}` : to;
}

function quoted(text) {
  return text ? t("quoted", { text }) : "";
}

function joined(parts) {
  return parts.filter(Boolean).join(", ");
}

/** The data of an entry of a kind this page does not know, without ids a person cannot use. */
function plainData(data) {
  return Object.entries(data)
    .filter(([key, value]) => !HIDDEN_FIELDS.has(key) && value !== null && typeof value !== "object")
    .filter(([, value]) => !UUID.test(String(value)))
    .map(([key, value]) => `${plain(key)}: ${value}`)
    .join(", ");
}

function statusDetail(entry, data) {
  const outcome = data.outcome ? t("timeline_outcome", { outcome: outcomeLabel(data.outcome) }) : "";
  const detained = data.persons_detained ? t("timeline_detained", { n: data.persons_detained }) : "";
  return joined([move(entry), outcome, detained, quoted(data.note ?? data.notes)]);
}

export function describeEntry(entry, model) {
  const data = entry.data ?? {};
  const title = termOr(`timeline_${entry.kind}`, plain(entry.kind));
  switch (entry.kind) {
    case "created":
      return { title, detail: move(entry) };
    case "dispatched":
      return { title, detail: joined([data.crew ?? model.crewName(data.crew_id), move(entry), quoted(data.note)]) };
    case "status":
    case "status_report":
      return { title, detail: statusDetail(entry, data) };
    case "note":
      return { title, detail: quoted(data.text ?? "") };
    case "delivered":
      return { title, detail: data.tablet && !UUID.test(data.tablet) ? data.tablet : "" };
    case "dispatch_resent":
      return { title, detail: t("timeline_not_acknowledged", { crew: model.crewName(data.crew_id) }) };
    case "escalated": {
      const crew = model.crewName(data.crew_id);
      const detail = data.proposed_crew_id
        ? t("timeline_escalated_proposed", { crew, proposed: model.crewName(data.proposed_crew_id) })
        : t("timeline_escalated_none", { crew });
      return { title, detail };
    }
    case "call": {
      const result = termOr(`call_result_${data.result}`, plain(data.result));
      return { title, detail: joined([t("timeline_call_detail", { contact: data.contact, phone: data.phone, result }), quoted(data.note)]) };
    }
    case "plan_attached":
      return { title, detail: t("timeline_plan_attached_detail", { plan: data.plan, version: data.version }) };
    case "plan_step": {
      const state = termOr(`plan_state_${data.state}`, plain(data.state));
      return { title, detail: joined([t("timeline_plan_step_detail", { n: data.index + 1, step: data.step, state }), quoted(data.reason)]) };
    }
    case "plan_override":
      return { title, detail: joined([(data.open_steps ?? []).join("; "), quoted(data.reason)]) };
    case "notice_queued":
    case "notice_submitted":
    case "notice_delivered":
    case "notice_failed":
    case "notice_retrying": {
      const channel = termOr(`notice_channel_${data.channel}`, plain(data.channel));
      const recipient = data.recipient === "duty desk" ? t("notice_duty_desk") : data.recipient;
      return { title, detail: joined([t("timeline_notice_detail", { channel, recipient }), quoted(data.error)]) };
    }
    default:
      return { title, detail: joined([move(entry), plainData(data)]) };
  }
}
