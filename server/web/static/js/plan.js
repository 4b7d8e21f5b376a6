// The open incident's action plan as a checklist (server/plans): each step with its state, who
// marked it and why; Done / Skip / Failed for an open incident (skip and fail need the reason
// typed in the row). While a required step is open the server holds every close: the section
// says so and offers the override, a reason the server puts on the timeline. Other pages' marks
// arrive as timeline events (incident.js reloads the list on a `plan_*` entry).

import { ApiError } from "./api.js";
import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { actorName } from "./words.js";

const CLOSED = new Set(["resolved", "cancelled", "false_alarm"]);
const MARKS = [
  { state: "done", label: "plan_mark_done", needsReason: false },
  { state: "skipped", label: "plan_mark_skip", needsReason: true },
  { state: "failed", label: "plan_mark_failed", needsReason: true },
];

export class PlanView {
  /** `current()`: the open incident (null when none), for its id and whether it is closed. */
  constructor(api, current) {
    this.api = api;
    this.current = current;
    this.checklist = null;
    this.reasons = new Map(); // typed reasons by step, kept while live updates redraw the list
    byId("plan-override-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.override();
    });
  }

  clear() {
    this.checklist = null;
    this.reasons = new Map();
    this.render();
  }

  async load() {
    const incidentId = this.current()?.id ?? null;
    if (incidentId === null) return this.clear();
    const checklist = await this.api.get(`/api/v1/incidents/${incidentId}/plan`).catch(() => null);
    if ((this.current()?.id ?? null) !== incidentId) return;
    this.checklist = checklist;
    this.render();
  }

  render() {
    const checklist = this.checklist;
    byId("plan").hidden = checklist === null;
    if (checklist === null) return;
    const open = !CLOSED.has(this.current()?.status);
    byId("plan-name").textContent = t("plan_name_version", { name: checklist.plan_name, version: checklist.version });
    replaceChildren(byId("plan-steps"), checklist.steps.map((step) => this.row(step, open)));
    const blocked = open && checklist.open_required.length > 0 && checklist.override === null;
    byId("plan-override-form").hidden = !blocked;
    const names = checklist.open_required.map((index) => `${index + 1}. ${checklist.steps[index].text}`).join("; ");
    byId("plan-blocked").textContent = blocked ? t("plan_close_held", { steps: names }) : "";
    const overridden = byId("plan-overridden");
    overridden.hidden = checklist.override === null;
    if (checklist.override !== null) {
      const { reason, actor, at } = checklist.override;
      overridden.textContent = t("plan_overridden", { reason, actor: actorName(actor), time: formatTime(at) });
    }
  }

  row(step, open) {
    const marked = step.state !== "open";
    const who = marked ? t("plan_marked_by", { actor: actorName(step.actor), time: formatTime(step.at) }) : "";
    const reasonInput = h("input", {
      type: "text",
      class: "plan-reason",
      maxlength: 2000,
      placeholder: t("plan_reason_placeholder"),
      "aria-label": t("plan_reason_for", { n: step.index + 1 }),
      oninput: (event) => this.reasons.set(step.index, event.target.value),
    });
    reasonInput.value = this.reasons.get(step.index) ?? "";
    const buttons = MARKS.filter((mark) => mark.state !== step.state).map((mark) =>
      h("button", { type: "button", class: "secondary", dataset: { mark: mark.state }, onclick: () => this.mark(step, mark, reasonInput) }, t(mark.label)),
    );
    return h(
      "li",
      { class: `plan-step plan-${step.state}`, dataset: { index: step.index, state: step.state } },
      h("span", { class: "plan-state" }, t(`plan_state_${step.state}`)),
      " ",
      h("span", { class: "plan-text" }, step.text),
      " ",
      h("span", { class: step.required ? "plan-required" : "plan-advisory" }, t(step.required ? "plan_required" : "plan_advisory")),
      who ? h("span", { class: "plan-who" }, ` — ${who}`) : "",
      step.reason ? h("span", { class: "plan-why" }, ` ${t("quoted", { text: step.reason })}`) : "",
      open ? this.controls(marked, reasonInput, buttons) : "",
    );
  }

  /** Done / Skip / Failed; once a step is marked they fold behind "Change", so the list reads
   * as what is done and what is left, and a wrong mark can still be put right. */
  controls(marked, reasonInput, buttons) {
    const marks = h("div", { class: "plan-marks" }, reasonInput, buttons);
    if (!marked) return marks;
    return h("details", { class: "plan-change" }, h("summary", {}, t("plan_change")), marks);
  }

  async mark(step, mark, reasonInput) {
    const reason = reasonInput.value.trim();
    if (mark.needsReason && reason === "") {
      notify(t("plan_reason_needed"));
      reasonInput.focus();
      return;
    }
    const done = t("plan_marked", { n: step.index + 1, state: t(`plan_state_${mark.state}`) });
    if (await this.send(`/plan/steps/${step.index}`, { state: mark.state, reason }, done)) {
      this.reasons.delete(step.index);
      this.render();
    }
  }

  async override() {
    const input = byId("plan-override-reason");
    const reason = input.value.trim();
    if (reason === "") {
      notify(t("plan_reason_needed"));
      input.focus();
      return;
    }
    if (await this.send("/plan/override", { reason }, t("plan_override_done"))) input.value = "";
  }

  async send(path, body, done) {
    const incidentId = this.current()?.id ?? null;
    if (incidentId === null) return false;
    try {
      const checklist = await this.api.post(`/api/v1/incidents/${incidentId}${path}`, body);
      if ((this.current()?.id ?? null) === incidentId) {
        this.checklist = checklist;
        this.render();
      }
      notify(done);
      return true;
    } catch (error) {
      notify(t("not_done", { reason: error instanceof ApiError ? error.message : String(error) }));
      return false;
    }
  }
}
