// The "Recent recognitions" panel: the latest face and plate alerts with their crops, a big
// "Correct" and "Wrong" on each (wrong on a face teaches the watchlist that this face is not that
// person; wrong on a possible plate match, that this reading is not that list entry; wrong on an
// exact plate match teaches nothing, and the card says to check the list entry), and each watchlist's threshold on a slider with the false-match and true-match rates
// that threshold implies on the project's evaluation pairs.
//
// Crops are our own routes, which need the token: each is fetched once and shown from a blob URL.
// Seeing a face crop is written to its incident's timeline by the server, as any view is.

import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatDateTime, formatNumber, onLanguageChange, t } from "./i18n.js";
import { actorName, kindLabel } from "./words.js";

const QUEUE_LIMIT = 50;

function percent(rate) {
  return formatNumber(rate, { style: "percent", maximumFractionDigits: 1 });
}

function score(value) {
  return value === null || value === undefined ? "—" : formatNumber(value, { maximumFractionDigits: 2 });
}

/** The measured rates at the step nearest to `threshold` (the table is in steps of 0.01). */
export function rateAt(rates, threshold) {
  let best = null;
  for (const rate of rates) {
    if (best === null || Math.abs(rate.threshold - threshold) < Math.abs(best.threshold - threshold)) best = rate;
  }
  return best;
}

export class ReviewPanel {
  constructor(api) {
    this.api = api;
    this.crops = new Map(); // crop URL → blob URL, fetched once
    this.items = [];
    this.watchlists = [];
    this.rates = null;
    this.toggle = byId("recognitions-toggle");
    this.section = byId("recognitions");
    this.toggle.addEventListener("click", () => this.setOpen(this.section.hidden));
    byId("recognitions-close").addEventListener("click", () => this.setOpen(false));
    byId("recognitions-refresh").addEventListener("click", () => this.load());
    for (const radio of this.section.querySelectorAll('input[name="recognitions-status"]')) {
      radio.addEventListener("change", () => this.loadQueue());
    }
    onLanguageChange(() => {
      if (!this.section.hidden) this.render();
    });
  }

  get status() {
    return this.section.querySelector('input[name="recognitions-status"]:checked').value;
  }

  setOpen(open) {
    if (open && !byId("stats").hidden) byId("stats-close").click(); // one side panel at a time
    this.section.hidden = !open;
    byId("console").classList.toggle("with-recognitions", open);
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      byId("recognitions-title").focus();
      this.load();
    } else {
      this.toggle.focus();
    }
  }

  async load() {
    await Promise.all([this.loadQueue(), this.loadThresholds()]);
  }

  async loadQueue() {
    this.section.dataset.state = "loading";
    try {
      this.items = await this.api.get(`/api/v1/recognitions/recent?status=${this.status}&limit=${QUEUE_LIMIT}`);
      this.renderQueue();
      this.section.dataset.state = "loaded";
    } catch (error) {
      this.section.dataset.state = "error";
      byId("recognitions-summary").textContent = t("recognitions_failed", { reason: error.message });
    }
  }

  async loadThresholds() {
    try {
      const [watchlists, rates] = await Promise.all([
        this.api.all("/api/v1/watchlists"),
        this.rates ?? this.api.get("/api/v1/watchlists/threshold-rates"),
      ]);
      this.watchlists = watchlists;
      this.rates = rates;
      this.renderThresholds();
    } catch (error) {
      byId("thresholds-hint").textContent = t("recognitions_failed", { reason: error.message });
    }
  }

  render() {
    this.renderQueue();
    this.renderThresholds();
  }

  renderQueue() {
    const list = byId("recognitions-list");
    byId("recognitions-summary").textContent =
      this.items.length === 0 ? t("recognitions_empty") : t("recognitions_count", { n: this.items.length });
    replaceChildren(list, this.items.map((item) => this.card(item)));
  }

  card(item) {
    const face = item.kind === "face_match";
    const image = h("img", { class: "recognition-crop", alt: t("recognition_crop_alt", { id: item.alert_id }) });
    const picture = item.crop_url ? image : h("div", { class: "recognition-crop recognition-no-crop" }, t("recognition_no_crop"));
    if (item.crop_url) this.showCrop(image, item.crop_url);
    const facts = [
      h(
        "p",
        { class: "recognition-kind" },
        item.possible ? h("span", { class: "possible-tag" }, t("possible_tag")) : null,
        kindLabel(item.kind),
      ),
      h("p", { class: "recognition-subject" }, item.subject || "—"),
      item.possible
        ? h("p", { class: "possible-note" }, t("possible_match", { listed: item.listed_plate ?? "", read: item.subject }))
        : null,
      h(
        "p",
        { class: "recognition-score" },
        face
          ? t("recognition_score_face", { score: score(item.score), threshold: score(item.threshold) })
          : t("recognition_score_plate", { score: score(item.score) }),
      ),
      item.watchlist ? h("p", {}, t("recognition_list", { list: item.watchlist })) : null,
      h("p", { class: "recognition-where" }, t("recognition_where", { camera: item.camera || "—", time: formatDateTime(item.occurred_at) })),
      h("p", { class: "recognition-verdict", role: "status" }, this.verdictText(item)),
      this.taughtLine(item),
    ];
    const verdict = item.review?.verdict ?? "none";
    const buttons = h(
      "div",
      { class: "recognition-buttons" },
      h(
        "button",
        { type: "button", class: "verdict-correct", "aria-pressed": String(verdict === "correct"), onclick: () => this.review(item, "correct") },
        t("recognition_correct"),
      ),
      h(
        "button",
        { type: "button", class: "verdict-wrong", "aria-pressed": String(verdict === "wrong"), onclick: () => this.review(item, "wrong") },
        t("recognition_wrong"),
      ),
    );
    return h(
      "li",
      { class: "recognition", dataset: { alertId: item.alert_id, verdict } },
      picture,
      h("div", { class: "recognition-facts" }, facts),
      buttons,
    );
  }

  verdictText(item) {
    const review = item.review;
    if (!review) return t("recognition_unreviewed");
    const params = { who: actorName(review.reviewer), time: formatDateTime(review.reviewed_at) };
    return t(review.verdict === "wrong" ? "recognition_marked_wrong" : "recognition_marked_correct", params);
  }

  /** What the verdict in force taught, where the dispatcher needs telling (null otherwise). */
  taughtLine(item) {
    const review = item.review;
    if (review?.verdict !== "wrong") return null;
    if (review.taught === "not_this_plate") {
      return h("p", { class: "recognition-taught" }, t("recognition_not_this_plate", { read: item.subject, plate: item.listed_plate }));
    }
    if (item.kind === "plate_wanted" && review.taught === "nothing") {
      return h("p", { class: "recognition-taught" }, t("recognition_read_right"));
    }
    return null;
  }

  async showCrop(image, url) {
    try {
      if (!this.crops.has(url)) this.crops.set(url, URL.createObjectURL(await this.api.blob(url)));
      image.src = this.crops.get(url);
    } catch (error) {
      image.replaceWith(h("div", { class: "recognition-crop recognition-no-crop" }, t("recognition_no_crop")));
    }
  }

  async review(item, verdict) {
    try {
      const outcome = await this.api.post(`/api/v1/recognitions/${item.alert_id}/review`, { verdict });
      item.review = outcome.review;
      if (verdict === "wrong" && outcome.review.taught === "negative_example") {
        notify(t("recognition_negative_added", { person: item.subject }));
      } else if (verdict === "wrong" && outcome.review.taught === "not_this_plate") {
        notify(t("recognition_not_this_plate", { read: item.subject, plate: item.listed_plate }));
      }
      this.renderQueue();
    } catch (error) {
      notify(t("recognition_review_failed", { reason: error.message }));
    }
  }

  renderThresholds() {
    const rates = this.rates;
    if (!rates) return;
    byId("thresholds-hint").textContent = t("thresholds_hint", {
      impostor: formatNumber(rates.impostor_pairs),
      genuine: formatNumber(rates.genuine_pairs),
    });
    const list = byId("thresholds-list");
    if (this.watchlists.length === 0) {
      replaceChildren(list, h("li", {}, t("thresholds_empty")));
      return;
    }
    replaceChildren(list, this.watchlists.map((watchlist) => this.slider(watchlist)));
  }

  slider(watchlist) {
    const id = `threshold-${watchlist.id}`;
    const value = h("output", { for: id, class: "threshold-value" });
    const implied = h("p", { class: "threshold-rates", "aria-live": "polite" });
    const input = h("input", { id, type: "range", min: "0.3", max: "0.95", step: "0.01", value: String(watchlist.threshold) });
    const save = h("button", { type: "button", class: "secondary", disabled: true }, t("threshold_save"));
    const show = () => {
      const threshold = Number(input.value);
      value.textContent = formatNumber(threshold, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const rate = rateAt(this.rates.rates, threshold);
      implied.textContent = rate
        ? t("threshold_rates", {
            fmr: percent(rate.false_match_rate),
            fm: formatNumber(rate.false_matches),
            impostor: formatNumber(this.rates.impostor_pairs),
            tmr: percent(rate.true_match_rate),
          })
        : "";
      implied.dataset.risk = rate && rate.false_match_rate > 0 ? "false-matches" : "none";
      save.disabled = Math.abs(threshold - watchlist.threshold) < 0.005;
    };
    input.addEventListener("input", show);
    save.addEventListener("click", async () => {
      try {
        const updated = await (
          await this.api.request("PATCH", `/api/v1/watchlists/${watchlist.id}`, { threshold: Number(input.value) })
        ).json();
        watchlist.threshold = updated.threshold;
        notify(t("threshold_saved", { name: watchlist.name, threshold: score(updated.threshold) }));
        show();
      } catch (error) {
        notify(t("threshold_save_failed", { reason: error.message }));
      }
    });
    show();
    return h(
      "li",
      { class: "threshold", dataset: { watchlistId: watchlist.id } },
      h("label", { for: id }, t("threshold_label", { name: watchlist.name })),
      h("div", { class: "threshold-row" }, input, value, save),
      implied,
    );
  }
}
