// Words for timeline entries. Unknown kinds (from newer servers, other issues) still show, with
// their data, so nothing recorded is ever hidden from the dispatcher.

import { label } from "./model.js";

function move(entry) {
  if (!entry.to_status) return "";
  return entry.from_status ? `${label(entry.from_status)} → ${label(entry.to_status)}` : label(entry.to_status);
}

export function describeEntry(entry, model) {
  const data = entry.data ?? {};
  const note = data.note ? `“${data.note}”` : "";
  switch (entry.kind) {
    case "created":
      return { title: "Opened", detail: move(entry) };
    case "dispatched":
      return { title: `Dispatched ${data.crew ?? model.crewName(data.crew_id)}`, detail: [move(entry), note].filter(Boolean).join(" ") };
    case "status": {
      const outcome = data.outcome ? `outcome: ${label(data.outcome)}` : "";
      const detained = data.persons_detained ? `${data.persons_detained} detained` : "";
      const device = entry.device_at ? `(device time ${entry.device_at})` : "";
      return { title: "Status", detail: [move(entry), outcome, detained, note, device].filter(Boolean).join(", ") };
    }
    case "note":
      return { title: "Note", detail: `“${data.text ?? ""}”` };
    case "delivered":
      return { title: "Delivered", detail: `to tablet ${data.tablet ?? "?"} (dispatch ${data.dispatch_id ?? "?"})` };
    case "dispatch_resent":
      return { title: "Dispatch re-sent", detail: `${model.crewName(data.crew_id)} had not acknowledged` };
    case "escalated": {
      const proposed = data.proposed_crew_id ? `; proposed ${model.crewName(data.proposed_crew_id)}` : "; no other crew to propose";
      return { title: "Escalated", detail: `${model.crewName(data.crew_id)} did not acknowledge${proposed}` };
    }
    default:
      return { title: label(entry.kind), detail: [move(entry), JSON.stringify(data)].filter((part) => part && part !== "{}").join(" ") };
  }
}
