// Plate search: where a plate was seen by any camera within the read log's retention (GET
// /api/v1/plates/reads). The server folds O/0, I/1, B/8, S/5, Z/2, drops spaces and dashes and
// also finds reads one character off; each row says which. Every search is audited with the
// dispatcher's name, and the panel says so before the first search. An alert's crop, where the
// read has one, is fetched with the token on request (a plain link cannot carry it).

import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatDateTime, formatNumber, onLanguageChange, t } from "./i18n.js";

const HOUR_MS = 3600 * 1000;
const PERIOD_MS = { "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS, "30d": 30 * 24 * HOUR_MS };
const RESULT_LIMIT = 200;
const OTHER_PANELS = ["stats", "recognitions"]; // one side panel at a time

export class PlateSearchPanel {
  constructor(api) {
    this.api = api;
    this.reads = null; // the last answer, kept to redraw in another language
    this.asked = "";
    this.requests = 0;
    this.toggle = byId("plate-search-toggle");
    this.section = byId("plate-search");
    this.toggle.addEventListener("click", () => this.setOpen(this.section.hidden));
    byId("plate-search-close").addEventListener("click", () => this.setOpen(false));
    byId("plate-search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search();
    });
    for (const name of OTHER_PANELS) {
      byId(`${name}-toggle`)?.addEventListener("click", () => {
        if (!this.section.hidden) this.setOpen(false, { focus: false });
      });
    }
    onLanguageChange(() => {
      if (this.reads) this.render();
    });
  }

  setOpen(open, { focus = true } = {}) {
    if (open) {
      for (const name of OTHER_PANELS) {
        if (byId(name) && !byId(name).hidden) byId(`${name}-close`).click();
      }
    }
    this.section.hidden = !open;
    byId("console").classList.toggle("with-plate-search", open);
    this.toggle.setAttribute("aria-expanded", String(open));
    if (!focus) return;
    if (open) byId("plate-search-plate").focus();
    else this.toggle.focus();
  }

  async search() {
    const plate = byId("plate-search-plate").value.trim();
    if (!plate) return;
    const request = ++this.requests;
    const until = new Date(this.api.now());
    const since = new Date(until.getTime() - PERIOD_MS[byId("plate-search-period").value]);
    const query = new URLSearchParams({
      plate,
      since: since.toISOString(),
      until: until.toISOString(),
      limit: String(RESULT_LIMIT),
    });
    this.section.dataset.state = "loading";
    try {
      const reads = await this.api.get(`/api/v1/plates/reads?${query}`);
      if (request !== this.requests) return; // a newer search is on its way
      this.reads = reads;
      this.asked = plate.toUpperCase();
      this.render();
      this.section.dataset.state = "loaded";
    } catch (error) {
      if (request !== this.requests) return;
      this.section.dataset.state = "error";
      this.reads = null;
      replaceChildren(byId("plate-search-results").tBodies[0]);
      byId("plate-search-summary").textContent = t("plate_search_failed", { reason: error.message });
    }
  }

  render() {
    const reads = this.reads ?? [];
    byId("plate-search-summary").textContent = t("plate_search_found", { n: reads.length, plate: this.asked });
    const rows = reads.map((read) =>
      h(
        "tr",
        { dataset: { readId: read.id } },
        h("td", {}, formatDateTime(read.read_at)),
        h("td", {}, read.camera ?? t("plate_search_camera_gone", { id: read.camera_id })),
        h("td", { class: "plate-text" }, read.display || read.plate),
        h("td", { class: "number" }, formatNumber(read.confidence, { style: "percent" })),
        h("td", {}, read.distance === 0 ? t("plate_search_same") : t("plate_search_near")),
        h("td", {}, read.crop_id ? this.cropButton(read) : ""),
      ),
    );
    replaceChildren(byId("plate-search-results").tBodies[0], rows);
  }

  cropButton(read) {
    const button = h("button", { type: "button" }, t("show_snapshot"));
    button.addEventListener("click", async () => {
      try {
        const blob = await this.api.blob(`/api/v1/recognition/crops/${read.crop_id}`);
        const image = h("img", { class: "snapshot", alt: t("plate_search_crop_alt", { plate: read.plate }) });
        image.src = URL.createObjectURL(blob);
        button.replaceWith(image);
      } catch (error) {
        notify(t("snapshot_failed", { reason: error.message }));
      }
    });
    return button;
  }
}
