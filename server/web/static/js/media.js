// The open incident's verification media: the panel's own verification links (DC-09 [V…]) and
// the camera snapshots the server took at the moment of the alarm. Snapshot files are evidence:
// they play through the recordings' file route, which needs the token (and logs each view), so
// each thumbnail is fetched, not linked; a click opens it full size.

import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";

const WEB_LINK = /^https?:\/\//i;
const VERIFICATION_ACTOR = "system:verification";

export class IncidentMedia {
  /** `current()` gives the open incident's id (null: none). */
  constructor(api, current) {
    this.api = api;
    this.current = current;
    this.media = { links: [], snapshots: [] };
    this.images = new Map(); // recording id → object URL, fetched once per incident
  }

  clear() {
    for (const url of this.images.values()) URL.revokeObjectURL(url);
    this.images = new Map();
    this.media = { links: [], snapshots: [] };
    replaceChildren(byId("incident-media"));
    byId("incident-media-title").hidden = true;
  }

  async load() {
    const incidentId = this.current();
    const media = await this.api.get(`/api/v1/incidents/${incidentId}/media`).catch(() => null);
    if (media === null || incidentId !== this.current()) return;
    this.media = media;
    await Promise.all(media.snapshots.filter((s) => s.state === "done").map((s) => this.fetchImage(s)));
    if (incidentId === this.current()) this.render();
  }

  /** A timeline entry arrived for the open incident: a snapshot may have been attached. */
  noticed(entry) {
    if (entry.actor === VERIFICATION_ACTOR) this.load();
  }

  async fetchImage(snapshot) {
    if (this.images.has(snapshot.recording_id)) return;
    try {
      const blob = await this.api.blob(`/api/v1/recordings/${snapshot.recording_id}/file`);
      this.images.set(snapshot.recording_id, URL.createObjectURL(new Blob([blob], { type: "image/jpeg" })));
    } catch {
      // shown as not loaded; the next load tries again
    }
  }

  render() {
    const { links, snapshots } = this.media;
    byId("incident-media-title").hidden = links.length === 0 && snapshots.length === 0;
    replaceChildren(byId("incident-media"), [
      ...links.map((link) => this.linkItem(link)),
      ...snapshots.map((snapshot) => this.snapshotItem(snapshot)),
    ]);
  }

  linkItem(link) {
    // Only a web address becomes a link: a panel's text is never run as a script URL.
    const target = WEB_LINK.test(link.url)
      ? h("a", { href: link.url, target: "_blank", rel: "noopener noreferrer" }, t("media_panel_link"))
      : h("code", {}, link.url);
    return h("figure", { class: "media-link", dataset: { alertId: link.alert_id } }, target, h("figcaption", {}, t("media_for_alert", { id: link.alert_id })));
  }

  snapshotItem(snapshot) {
    const caption = h("figcaption", {}, t("media_camera", { camera: snapshot.camera_name, time: formatTime(snapshot.captured_at ?? snapshot.alarm_at) }));
    const url = this.images.get(snapshot.recording_id);
    if (snapshot.state !== "done" || url === undefined) {
      const note = snapshot.state === "failed" ? t("media_failed", { reason: snapshot.error }) : t("media_pending");
      return h("figure", { class: `media-snapshot media-${snapshot.state}` }, h("p", {}, note), caption);
    }
    const image = h("img", { src: url, alt: t("media_snapshot_alt", { camera: snapshot.camera_name }), class: "media-thumb" });
    const full = h("a", { href: url, target: "_blank", rel: "noopener", title: t("media_open_full") }, image);
    const hash = h("code", { class: "media-hash", title: snapshot.sha256 }, `sha256 ${snapshot.sha256.slice(0, 12)}…`);
    return h("figure", { class: "media-snapshot", dataset: { recordingId: snapshot.recording_id } }, full, caption, hash);
  }
}
