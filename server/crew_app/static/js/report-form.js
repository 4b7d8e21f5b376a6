// The report and resolve forms of the held call: the narrative, the outcome, persons involved
// and detentions (saved on the tablet, sent by the sync client), and the resolve form that closes
// the call. The two forms share one outcome: choosing it in either shows it in both, and the
// resolve saves it to the report first (the server keeps one outcome per incident).

import { currentIncident, myCrewId } from "./held.js";
import { t } from "./i18n.js";
import { item } from "./outbox.js";
import { VOCABULARY } from "./vocabulary.js";

const $ = (id) => document.getElementById(id);

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

/** The outcome choices of both forms, in the current language (the choice made is kept). */
export function fillOutcomes() {
  const outcomes = VOCABULARY.outcomes.map((value) => option(value, t(`outcome_${value}`)));
  for (const id of ["resolve-outcome", "report-outcome"]) {
    const value = $(id).value;
    $(id).replaceChildren(option("", t("outcome_none")), ...outcomes.map((node) => node.cloneNode(true)));
    $(id).value = value;
  }
}

export class ReportForm {
  /** `app` holds the services main.js starts at sign-in (db, reports, sync, crew); `act(status,
   * resolve)` queues a tap on the held call, `flush()` sends what waits, `render()` redraws. */
  constructor(app, { act, flush, render }) {
    this.app = app;
    this.act = act;
    this.flush = flush;
    this.render = render;
    this.bind();
  }

  crewId() {
    return myCrewId(this.app.crew, this.app.db);
  }

  async show(incident) {
    const { reports, sync } = this.app;
    const report = await reports.load(incident.id);
    const form = $("report-form");
    if (form.dataset.incident !== String(incident.id)) {
      form.dataset.incident = String(incident.id);
      $("narrative").value = report.narrative;
      $("report-outcome").value = report.outcome;
      $("resolve-outcome").value = report.outcome;
    }
    $("persons").replaceChildren(...report.persons.map((person) => item(`${t(`role_${person.role}`)}: ${person.full_name}`)));
    $("detentions").replaceChildren(
      ...report.detentions.map((detention) => {
        const person = report.persons.find((candidate) => candidate.id === detention.person_id);
        return item(`${person?.full_name ?? "?"}: ${detention.grounds}`);
      }),
    );
    const options = report.persons.map((person) => option(person.id, person.full_name || t(`role_${person.role}`)));
    $("detention-person").replaceChildren(...options);
    const overruled = await reports.overruled(report, await sync.deviceId());
    $("report-saved").textContent = overruled === null ? $("report-saved").textContent : `${t("conflict_note")} «${overruled}»`;
  }

  /** The resolve form, prefilled from the report: its outcome and how many it detained. */
  async openResolve() {
    const incident = await currentIncident(this.app.db);
    if (incident === null) return;
    const report = await this.app.reports.load(incident.id);
    $("resolve-outcome").value = $("report-outcome").value || report.outcome;
    $("resolve-detained").value = String(report.detentions.length);
    $("resolve-error").textContent = "";
    $("resolve-form").hidden = false;
    $("resolve-outcome").focus();
  }

  /** Close the call with the report's outcome; a different choice here is saved to the report
   * first, so the two never disagree (the server keeps one outcome per incident). */
  async resolve(event) {
    event.preventDefault();
    const incident = await currentIncident(this.app.db);
    const outcome = $("resolve-outcome").value;
    if (incident === null) return;
    if (!outcome) {
      $("resolve-error").textContent = t("outcome_needed");
      $("resolve-outcome").focus();
      return;
    }
    $("resolve-form").hidden = true;
    $("report-outcome").value = outcome;
    const report = await this.app.reports.load(incident.id);
    if (report.outcome !== outcome) {
      await this.app.reports.save(incident.id, await this.crewId(), report.narrative, outcome, report.status);
      this.flush();
    }
    await this.act("resolved", {
      outcome,
      notes: $("resolve-notes").value,
      persons_detained: Number($("resolve-detained").value || 0),
    });
  }

  bind() {
    $("resolve-cancel").addEventListener("click", () => {
      $("resolve-form").hidden = true;
    });
    $("resolve-form").addEventListener("submit", (event) => this.resolve(event));
    // One outcome: the report's field and the resolve form's show the same value.
    $("resolve-outcome").addEventListener("change", () => {
      $("report-outcome").value = $("resolve-outcome").value;
    });
    $("report-outcome").addEventListener("change", () => {
      $("resolve-outcome").value = $("report-outcome").value;
    });
    $("report-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const incident = await currentIncident(this.app.db);
      const status = event.submitter?.dataset.status ?? "draft";
      await this.app.reports.save(incident.id, await this.crewId(), $("narrative").value, $("report-outcome").value, status);
      $("report-saved").textContent = t("report_saved");
      this.flush();
    });
    $("person-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const incident = await currentIncident(this.app.db);
      const year = Number($("person-year").value);
      await this.app.reports.addPerson(incident.id, await this.crewId(), {
        role: $("person-role").value,
        full_name: $("person-name").value.trim(),
        birth_year: year >= 1900 ? year : null,
        document_ref: $("person-document").value.trim(),
      });
      event.target.reset();
      await this.render();
      this.flush();
    });
    $("detention-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const incident = await currentIncident(this.app.db);
      await this.app.reports.addDetention(incident.id, await this.crewId(), {
        person_id: $("detention-person").value,
        grounds: $("detention-grounds").value.trim(),
        handed_to: $("detention-handed").value.trim(),
      });
      event.target.reset();
      await this.render();
      this.flush();
    });
  }
}
