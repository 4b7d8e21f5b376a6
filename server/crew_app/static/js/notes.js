// The dispatcher's notes on a call (the socket's `note` events): kept with the call once, however
// often the socket replays them, with a short tone when it is the call held now, and listed on
// the call screen newest first.

import { item } from "./outbox.js";

const $ = (id) => document.getElementById(id);

/** Keep a note with its call (a call the tablet does not have is ignored); chime for the held one. */
export async function keepNote(db, alarm, data) {
  const incident = await db.get("incidents", data.incident_id);
  if (incident === undefined) return;
  const notes = incident.notes ?? [];
  if (notes.some((note) => note.entry_id === data.entry_id)) return;
  const note = { entry_id: data.entry_id, text: data.text, at: data.at, actor: data.actor };
  await db.put("incidents", { ...incident, notes: [...notes, note] });
  if ((await db.meta("current")) === data.incident_id) alarm.chime();
}

export function renderNotes(notes) {
  const newestFirst = [...notes].sort((a, b) => b.entry_id - a.entry_id);
  $("notes-box").hidden = notes.length === 0;
  $("notes").replaceChildren(...newestFirst.map((note) => item(note.text, null, "", note.at)));
}
