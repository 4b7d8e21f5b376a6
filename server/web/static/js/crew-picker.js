// Which crew to send to the open incident: the server's suggestions first (the top one also
// recommended on the map while the incident is new), then every other crew that can be sent; the
// crew already sent is never offered again. The line under the choice says why it is suggested.

import { byId, h } from "./dom.js";
import { t } from "./i18n.js";
import { isOpen, suggestionReason } from "./model.js";
import { crewStatusLabel } from "./words.js";

// Crews that cannot be sent (the server refuses or skips them).
const UNSENDABLE = new Set(["off_duty", "out_of_service"]);

export class CrewPicker {
  /** `panel`: the IncidentPanel (the open incident, the model, the api, the map); `changed()`
   * runs whenever the chosen crew may have changed. */
  constructor(panel, changed) {
    this.panel = panel;
    this.changed = changed;
    this.suggestions = [];
    byId("dispatch-crew").addEventListener("change", () => {
      this.showReason();
      this.changed();
    });
  }

  /** The chosen crew's id (0 when none is offered). */
  chosen() {
    return Number(byId("dispatch-crew").value);
  }

  clear() {
    this.suggestions = [];
  }

  async load() {
    const { api, map, model } = this.panel;
    const incident = this.panel.incident;
    if (incident === null) return;
    const suggestions = isOpen(incident)
      ? await api.get(`/api/v1/incidents/${incident.id}/suggestions`).catch(() => [])
      : [];
    if (incident.id !== this.panel.incidentId) return; // another incident was opened meanwhile
    this.suggestions = suggestions.filter((s) => s.crew_id !== this.panel.incident?.crew_id);
    this.render();
    const top = this.suggestions[0];
    const recommended = top === undefined || incident.status !== "new" ? null : model.crews.get(top.crew_id) ?? null;
    map.showRecommendation(incident, recommended, top ? suggestionReason(top) : "");
  }

  /** Suggested crews first; the crew already sent is never offered again. */
  render() {
    const select = byId("dispatch-crew");
    const previous = select.value;
    const current = this.panel.incident?.crew_id ?? null;
    const suggested = new Set(this.suggestions.map((s) => s.crew_id));
    const others = [...this.panel.model.crews.values()]
      .filter((crew) => !suggested.has(crew.id) && crew.id !== current && !UNSENDABLE.has(crew.status))
      .sort((a, b) => a.name.localeCompare(b.name));
    select.replaceChildren(
      h(
        "optgroup",
        { label: t("suggested_crews") },
        this.suggestions.map((s) => h("option", { value: s.crew_id }, `${s.name}: ${suggestionReason(s)}`)),
      ),
      h(
        "optgroup",
        { label: t("other_crews") },
        others.map((crew) => h("option", { value: crew.id }, `${crew.name} (${crewStatusLabel(crew.status)})`)),
      ),
    );
    const stillThere = [...select.options].some((option) => option.value === previous);
    select.value = stillThere && previous !== "" ? previous : String(this.suggestions[0]?.crew_id ?? select.options[0]?.value ?? "");
    this.showReason();
    this.changed();
  }

  showReason() {
    const crewId = this.chosen();
    const suggestion = this.suggestions.find((s) => s.crew_id === crewId);
    const rank = this.suggestions.indexOf(suggestion);
    let text;
    if (suggestion !== undefined) {
      const params = { name: suggestion.name, reason: suggestionReason(suggestion), n: rank + 1 };
      text = rank === 0 ? t("recommended_crew", params) : t("suggested_crew_n", params);
    } else {
      text = this.suggestions.length === 0 ? t("no_suggestion") : t("not_suggested");
    }
    byId("dispatch-reason").textContent = text;
  }
}
