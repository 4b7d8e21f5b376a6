// The call this tablet holds (the "current" entry of IndexedDB's meta store) and the crew it is
// held for.

function crewId(stream) {
  const match = /^crew:(\d+)$/.exec(stream ?? "");
  return match === null ? null : Number(match[1]);
}

/** This tablet's crew: as the server described it, else from the socket's stream name. */
export async function myCrewId(crew, db) {
  return crew.id() ?? crewId(await db.meta("stream"));
}

/** The call held now, as stored on the tablet, or null (standby). */
export async function currentIncident(db) {
  const id = await db.meta("current");
  return id === null ? null : ((await db.get("incidents", id)) ?? null);
}
