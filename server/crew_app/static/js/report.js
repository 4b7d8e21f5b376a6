// The incident report: narrative and outcome (last writer wins per field on the server),
// persons involved and detentions (rows written once). Everything is saved on the tablet
// first and queued as sync mutations; the server's verdicts show in the outbox list.

import { asBigInt, serverUuid, uuid7 } from "./ids.js";
import { REJECTED } from "./sync.js";
import { t } from "./i18n.js";

export class Reports {
  constructor(db, sync) {
    this.db = db;
    this.sync = sync;
  }

  async load(incidentId) {
    return (
      (await this.db.get("reports", incidentId)) ?? {
        incident_id: incidentId,
        report_id: uuid7(),
        created: false,
        narrative: "",
        outcome: "",
        status: "draft",
        persons: [],
        detentions: [],
      }
    );
  }

  /** The stamps this tablet has seen for a report: the server's, with our own later writes
   * laid over them. Sent as the upsert's base, so overwriting our own earlier value is an
   * edit, not a conflict. */
  async base(reportId) {
    const seen = await this.sync.entity("incident_report", reportId);
    const base = Object.fromEntries(Object.entries(seen?.fields ?? {}).map(([name, stamp]) => [name, asBigInt(stamp.hlc)]));
    for (const row of await this.sync.mutations()) {
      if (row.wire.entity_id !== reportId || row.state === REJECTED || row.wire.name !== "incident_report.upsert.v1") continue;
      for (const name of Object.keys(row.wire.fields)) {
        if (base[name] === undefined || row.wire.hlc > base[name]) base[name] = row.wire.hlc;
      }
    }
    return base;
  }

  /** The upsert that sets `fields`, with the stamps this tablet has seen (the merge's base). */
  async upsert(report, crewId, fields) {
    const base = await this.base(report.report_id);
    // The owner fields are immutable; sending the same values again is harmless and keeps
    // every upsert valid on its own, even if an earlier one was refused.
    const owner = { incident_id: serverUuid("incident", report.incident_id), crew_id: serverUuid("crew", crewId) };
    report.created = true;
    await this.db.put("reports", report);
    await this.sync.enqueue(
      "incident_report.upsert.v1",
      report.report_id,
      { fields: { ...owner, ...fields }, base },
      { key: "item_report", values: { id: report.incident_id } },
    );
  }

  async save(incidentId, crewId, narrative, outcome, status) {
    const report = await this.load(incidentId);
    Object.assign(report, { narrative, outcome, status });
    await this.upsert(report, crewId, { narrative, outcome: outcome || null, status });
    return report;
  }

  async ensureCreated(report, crewId) {
    if (!report.created) await this.upsert(report, crewId, { narrative: report.narrative, status: report.status });
  }

  async addPerson(incidentId, crewId, person) {
    const report = await this.load(incidentId);
    await this.ensureCreated(report, crewId);
    const row = { id: uuid7(), ...person };
    report.persons.push(row);
    await this.db.put("reports", report);
    const fields = { report_id: report.report_id, role: row.role, full_name: row.full_name, document_ref: row.document_ref };
    if (row.birth_year) fields.birth_year = row.birth_year;
    await this.sync.enqueue("report_person.add.v1", row.id, { fields }, { key: "item_person", values: { name: row.full_name || t(`role_${row.role}`) } });
    return report;
  }

  async addDetention(incidentId, crewId, detention) {
    const report = await this.load(incidentId);
    await this.ensureCreated(report, crewId);
    const row = { id: uuid7(), detained_at: new Date().toISOString(), ...detention };
    report.detentions.push(row);
    await this.db.put("reports", report);
    const fields = {
      report_id: report.report_id,
      person_id: row.person_id,
      detained_at: row.detained_at,
      grounds: row.grounds,
      handed_to: row.handed_to,
    };
    await this.sync.enqueue("detention.add.v1", row.id, { fields }, { key: "item_detention", values: { grounds: row.grounds } });
    return report;
  }

  /** The server's narrative when another device's edit won over ours, else null. */
  async overruled(report, deviceId) {
    const seen = await this.sync.entity("incident_report", report.report_id);
    const stamp = seen?.fields?.narrative;
    if (stamp === undefined || stamp.device_id === deviceId || stamp.value === report.narrative) return null;
    return stamp.value;
  }
}
