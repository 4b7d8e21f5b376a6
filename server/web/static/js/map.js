// The map. With a vector basemap (Posbon serves a PMTiles file, `--basemap`) and WebGL it is
// MapLibre GL: streets, names and house numbers, labels decluttered by MapLibre's collision.
// Otherwise it is Leaflet over Posbon's own GeoJSON outline of the city (approximate,
// hand-drawn), or over a tile server when a deployment sets `map_tile_url`, its labels decluttered
// by `declutter` (P1 incidents first, then crews). Both draw the same sites, incidents and crews
// (coloured by status, with a legend); labels are text, never markup.
// Clicking an incident opens it and shows its popup; a pending one's popup sends its recommended
// crew (`onDispatchRecommended`, the same confirmation as the queue's Send). Every word, the
// libraries' own control titles included, is the app's (`t`); the basemap follows the night scheme
// (the vector style switches flavour, the outline map is darkened by app.css).

import * as L from "../vendor/leaflet/leaflet-src.esm.js";
import {
  crewColour,
  crewColourExpression,
  crewStatusLegend,
  ElementControl,
  LABEL_FONT,
  openVectorMap,
  points,
  vectorBasemapOf,
  webglAvailable,
} from "../shared/vector-map.js";
import { language, t } from "./i18n.js";
import { positionAge } from "./model.js";
import { incidentTitle, statusLabel } from "./words.js";

const CITY_CENTRE = [39.6548, 66.9757];
const START_ZOOM = 13;
const MAX_ZOOM = 19;
const BASEMAP_STYLE = {
  outline: { color: "#9aa5b1", weight: 2, fillColor: "#fbfaf6", fillOpacity: 1 },
  road: { color: "#c0b9a8", weight: 4, opacity: 1 },
  water: { color: "#8ab4d8", weight: 3, opacity: 1 },
};
const BASEMAP_PANE = "basemap";
const BASEMAP_Z_INDEX = 350;
const ROUTE_STYLE = { color: "#0f766e", weight: 4, dashArray: "8 6", className: "recommended-route" };
const INCIDENT_COLOURS = { 1: "#b91c1c", 2: "#c2410c", 3: "#a16207", 4: "#4b5563" };
const SITE_COLOUR = "#5b7083";
const CAMERA_COLOUR = "#334155";
const FIT_PADDING = 0.1;

// Leaflet treats a string tooltip as HTML; an element keeps names as plain text.
function textOf(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return element;
}

/** A text label; with `dot`, a marker of that colour at the point too, which stays when the
 * label is decluttered away (`declutter`). */
function labelIcon(text, className, { colour = null, dot = null } = {}) {
  const element = document.createElement("span");
  element.className = `map-label ${className}`;
  element.textContent = text;
  if (colour !== null) element.style.borderLeft = `6px solid ${colour}`;
  let html = element;
  if (dot !== null) {
    const marker = document.createElement("span");
    marker.className = "map-dot";
    marker.style.backgroundColor = dot;
    html = document.createElement("span");
    html.append(marker, element);
  }
  return L.divIcon({ html, className: "posbon-icon", iconSize: null, iconAnchor: [0, 10] });
}

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Leaflet draws every label, so near labels cover one another (MapLibre's collision does this
 * for the vector map): in `labels`' order (the most important first) each label is shown only
 * where it overlaps none already shown; a hidden one keeps its place (visibility, not removal),
 * its marker's dot and its marker's title. One read pass, then one write pass: no layout thrash.
 */
function declutter(labels) {
  const boxes = labels.map((label) => label.getBoundingClientRect());
  const placed = [];
  const visible = boxes.map((box) => {
    if (box.width === 0 || box.height === 0) return true; // not laid out (a hidden panel)
    if (placed.some((other) => overlaps(box, other))) return false;
    placed.push(box);
    return true;
  });
  labels.forEach((label, i) => {
    label.style.visibility = visible[i] ? "" : "hidden";
  });
}

function siteText(site, cameras) {
  if (cameras.length === 0) return t("map_site", { site: site.name, kind: site.kind });
  const names = cameras.map((camera) => `${camera.name} (${camera.kind})`).join(", ");
  return t("map_camera_site", { site: site.name, cameras: names });
}

/** What an incident's popup says; the key changes whenever what it says (or offers) changes. */
function popupKey(incident) {
  return [incident.status, incident.priority, incidentTitle(incident)].join("|");
}

/** An incident's popup: its code, title and status, and for a pending one "Send recommended". */
function incidentPopup(incident, onDispatchRecommended) {
  const box = document.createElement("div");
  box.className = "map-popup";
  box.dataset.incidentId = String(incident.id);
  const title = document.createElement("strong");
  title.textContent = `P${incident.priority} #${incident.id} ${incidentTitle(incident)}`;
  const status = document.createElement("div");
  status.className = "map-popup-status";
  status.textContent = statusLabel(incident.status);
  box.append(title, status);
  if (incident.status === "new" && onDispatchRecommended !== null) {
    const send = document.createElement("button");
    send.type = "button";
    send.className = "primary send-recommended";
    send.textContent = t("send_recommended");
    send.setAttribute("aria-label", t("send_recommended_to", { id: incident.id }));
    send.addEventListener("click", () => onDispatchRecommended(incident.id));
    box.append(send);
  }
  return box;
}

/** One incident popup per map, kept open across redraws while its incident is still shown. */
class IncidentPopups {
  constructor(onDispatchRecommended, show, hide) {
    this.onDispatchRecommended = onDispatchRecommended;
    this.show = show; // (incident, content) → opens or moves the popup
    this.hide = hide;
    this.incidentId = null;
    this.key = null;
  }

  open(incident) {
    this.incidentId = incident.id;
    this.key = popupKey(incident);
    this.show(incident, incidentPopup(incident, this.onDispatchRecommended));
  }

  closed() {
    this.incidentId = null;
    this.key = null;
  }

  /** The incidents were drawn again: the open popup follows its incident, or closes with it. */
  refresh(incidents) {
    if (this.incidentId === null) return;
    const incident = incidents.find((each) => each.id === this.incidentId);
    if (incident === undefined) {
      this.closed();
      this.hide();
    } else if (popupKey(incident) !== this.key) {
      this.open(incident);
    }
  }
}

/** MapLibre's own words (its controls' titles, the map's label) in the page's language. */
function mapLibreWords() {
  return {
    "Map.Title": t("map_label"),
    "NavigationControl.ZoomIn": t("map_zoom_in"),
    "NavigationControl.ZoomOut": t("map_zoom_out"),
    "AttributionControl.ToggleAttribution": t("map_attribution_toggle"),
    "Popup.Close": t("close"),
  };
}

function escapeHtml(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return element.innerHTML.replaceAll('"', "&quot;");
}

function crewTitle(crew, stale) {
  const status = t(`crew_status_${crew.status}`);
  return t(stale ? "map_crew_title_stale" : "map_crew_title", { name: crew.name, status });
}

function camerasBySite(cameras) {
  const at = new Map();
  for (const camera of cameras) {
    if (camera.site_id !== null) at.set(camera.site_id, [...(at.get(camera.site_id) ?? []), camera]);
  }
  return at;
}

/** Leaflet: the outline map (or a tile server), and the map when WebGL or a basemap is missing. */
class LeafletView {
  constructor(element, config, onOpen, onDispatchRecommended) {
    this.config = config;
    this.onOpen = onOpen;
    this.map = L.map(element, { preferCanvas: true, zoomControl: false }).setView(CITY_CENTRE, START_ZOOM);
    // Leaflet's own English (its zoom titles, its credit's title) replaced by the page's words.
    L.control.zoom({ zoomInTitle: t("map_zoom_in"), zoomOutTitle: t("map_zoom_out") }).addTo(this.map);
    this.map.attributionControl.setPrefix(
      `<a href="https://leafletjs.com" title="${escapeHtml(t("map_library"))}">Leaflet</a>`,
    );
    this.popup = L.popup({ autoPanPadding: [16, 16] });
    this.popups = new IncidentPopups(
      onDispatchRecommended,
      (incident, content) => {
        this.popup.setLatLng([incident.site.lat, incident.site.lon]).setContent(content);
        if (!this.popup.isOpen()) this.popup.openOn(this.map);
        const close = this.popup.getElement()?.querySelector(".leaflet-popup-close-button");
        close?.setAttribute("aria-label", t("close"));
      },
      () => this.map.closePopup(this.popup),
    );
    this.popup.on("remove", () => this.popups.closed());
    // Its own pane below the markers' (z-index 400), so the outline always lies underneath.
    this.map.createPane(BASEMAP_PANE).style.zIndex = String(BASEMAP_Z_INDEX);
    this.sites = L.layerGroup().addTo(this.map);
    this.incidents = L.layerGroup().addTo(this.map);
    this.crews = L.layerGroup().addTo(this.map);
    this.route = L.layerGroup().addTo(this.map);
    this.routeRenderer = L.svg(); // one SVG line among canvas markers: it can carry a tooltip and a class
    // Labels to declutter, the most important first: incidents by priority, then crews.
    this.incidentLabels = [];
    this.crewLabels = [];
    this.map.on("zoomend moveend", () => this.declutter());
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => crewStatusLegend(t, t("map_legend_crews"));
    legend.addTo(this.map);
    // The panel may be laid out (or resized) after the map is made: keep Leaflet's size in step.
    this.resizes = new ResizeObserver(() => this.map.invalidateSize());
    this.resizes.observe(element);
  }

  showBase(outline) {
    const tiles = this.config.map_tile_url;
    if (tiles) {
      const host = new URL(tiles.replaceAll(/[{}]/g, ""), location.href).host;
      L.tileLayer(tiles, { maxZoom: MAX_ZOOM, attribution: escapeHtml(t("map_tiles_attribution", { host })) }).addTo(
        this.map,
      );
      return;
    }
    L.geoJSON(outline, {
      pane: BASEMAP_PANE,
      interactive: false,
      style: (feature) => BASEMAP_STYLE[feature.properties.kind] ?? BASEMAP_STYLE.road,
      pointToLayer: (feature, at) =>
        L.marker(at, {
          icon: labelIcon(feature.properties.name, "landmark-label"),
          interactive: false,
          keyboard: false,
          pane: BASEMAP_PANE,
        }),
    }).addTo(this.map);
    this.map.attributionControl.addAttribution(t("map_outline_attribution"));
  }

  destroy() {
    this.resizes.disconnect();
    this.map.remove();
  }

  /** Right away, so that no frame paints labels over one another (a few dozen: one layout). */
  declutter() {
    declutter([...this.incidentLabels, ...this.crewLabels]);
  }

  showSites(sites, cameras, fit) {
    this.sites.clearLayers();
    const camerasAt = camerasBySite(cameras);
    for (const site of sites) {
      const here = camerasAt.get(site.id) ?? [];
      const marker =
        here.length > 0
          ? // A camera site: a square (not only another colour), named in its tooltip.
            L.marker([site.lat, site.lon], {
              icon: L.divIcon({ className: "camera-marker", html: "", iconSize: [10, 10] }),
              keyboard: false,
            })
          : L.circleMarker([site.lat, site.lon], {
              radius: 4,
              color: "#ffffff",
              weight: 1,
              fillColor: SITE_COLOUR,
              fillOpacity: 0.9,
            });
      marker.bindTooltip(textOf(siteText(site, here))).addTo(this.sites);
    }
    // One site (or several at one spot) is a bounds of no size: without a zoom cap Leaflet
    // zooms without end and later reports "Invalid LatLng (NaN, NaN)".
    if (fit) {
      const bounds = L.latLngBounds(sites.map((site) => [site.lat, site.lon])).pad(FIT_PADDING);
      this.map.fitBounds(bounds, { maxZoom: MAX_ZOOM });
    }
  }

  showIncidents(incidents) {
    this.incidents.clearLayers();
    const labels = [];
    for (const incident of incidents) {
      const code = `P${incident.priority} #${incident.id}`;
      const marker = L.marker([incident.site.lat, incident.site.lon], {
        icon: labelIcon(code, `incident-label prio-${incident.priority}`, {
          dot: INCIDENT_COLOURS[incident.priority] ?? INCIDENT_COLOURS[4],
        }),
        keyboard: false, // the queue is the keyboard path to an incident
        zIndexOffset: 1000 - incident.priority * 100,
        title: `${code} ${incidentTitle(incident)}`, // the label's words too, if it is hidden
      });
      marker.on("click", () => {
        this.onOpen(incident.id);
        this.popups.open(incident);
      });
      marker.addTo(this.incidents);
      labels.push([incident.priority, marker.getElement().querySelector(".map-label")]);
    }
    // P1 before P2…, in the order given within a priority (sort is stable).
    this.incidentLabels = labels.sort(([a], [b]) => a - b).map(([, label]) => label);
    this.declutter();
    this.popups.refresh(incidents);
  }

  showCrews(crews, nowMs) {
    this.crews.clearLayers();
    this.crewLabels = [];
    for (const crew of crews) {
      const { stale } = positionAge(crew, nowMs, this.config.position_stale_s);
      const text = stale ? t("map_stale", { name: crew.name }) : crew.name;
      const colour = crewColour(crew.status);
      const marker = L.marker([crew.lat, crew.lon], {
        icon: labelIcon(text, stale ? "crew-label stale" : "crew-label", { colour, dot: colour }),
        keyboard: false,
        title: crewTitle(crew, stale), // names the crew, so a hidden label's words stay
      });
      marker.addTo(this.crews);
      const label = marker.getElement().querySelector(".crew-label");
      label.setAttribute("data-status", crew.status);
      this.crewLabels.push(label);
    }
    this.declutter();
  }

  showRecommendation(incident, crew, reason) {
    this.route.clearLayers();
    if (incident === null) return;
    L.polyline(
      [
        [crew.lat, crew.lon],
        [incident.site.lat, incident.site.lon],
      ],
      { ...ROUTE_STYLE, renderer: this.routeRenderer },
    )
      .bindTooltip(textOf(t("map_recommended", { crew: crew.name, reason })), { sticky: true })
      .addTo(this.route);
  }

  focusOn(lat, lon) {
    const at = L.latLng(lat, lon);
    if (!this.map.getBounds().pad(-0.1).contains(at)) this.map.panTo(at);
  }
}

const LAYERS = {
  route: "posbon-route",
  routeLabel: "posbon-route-label",
  sites: "posbon-sites",
  incidents: "posbon-incidents",
  incidentLabels: "posbon-incident-labels",
  crews: "posbon-crews",
  crewLabels: "posbon-crew-labels",
};
const EMPTY = { type: "FeatureCollection", features: [] };

/** MapLibre over the vector basemap: Posbon's markers are GeoJSON layers on top of the style. */
class VectorView {
  static async open(element, config, onOpen, onDispatchRecommended, basemap, token) {
    const { maplibregl, map } = await openVectorMap(element, {
      basemap,
      token,
      lang: language(),
      locale: mapLibreWords(),
      center: CITY_CENTRE,
      zoom: START_ZOOM,
    });
    return new VectorView(maplibregl, map, config, onOpen, onDispatchRecommended);
  }

  constructor(maplibregl, map, config, onOpen, onDispatchRecommended) {
    this.maplibregl = maplibregl;
    this.map = map;
    this.config = config;
    for (const source of ["route", "sites", "incidents", "crews"]) map.addSource(`posbon-${source}`, { type: "geojson", data: EMPTY });
    const label = (extra) => ({ "text-font": LABEL_FONT, "text-size": 12, "text-anchor": "left", "text-offset": [0.8, 0], ...extra });
    const halo = { "text-halo-color": "#ffffff", "text-halo-width": 1.5 };
    map.addLayer({
      id: LAYERS.route,
      type: "line",
      source: "posbon-route",
      paint: { "line-color": ROUTE_STYLE.color, "line-width": 4, "line-dasharray": [2, 1.5] },
    });
    map.addLayer({
      id: LAYERS.routeLabel,
      type: "symbol",
      source: "posbon-route",
      layout: { ...label({ "text-anchor": "center", "text-offset": [0, -1] }), "symbol-placement": "line-center", "text-field": ["get", "label"] },
      paint: { "text-color": ROUTE_STYLE.color, ...halo },
    });
    map.addLayer({
      id: LAYERS.sites,
      type: "circle",
      source: "posbon-sites",
      paint: {
        "circle-radius": ["case", ["get", "camera"], 5, 4],
        "circle-color": ["case", ["get", "camera"], CAMERA_COLOUR, SITE_COLOUR],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 1,
      },
    });
    map.addLayer({
      id: LAYERS.incidents,
      type: "circle",
      source: "posbon-incidents",
      paint: {
        "circle-radius": 7,
        "circle-color": ["match", ["get", "priority"], ...Object.entries(INCIDENT_COLOURS).flatMap(([p, c]) => [Number(p), c]), "#4b5563"],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 2,
      },
    });
    map.addLayer({
      id: LAYERS.crews,
      type: "circle",
      source: "posbon-crews",
      paint: {
        "circle-radius": 7,
        "circle-color": crewColourExpression(),
        "circle-opacity": ["case", ["get", "stale"], 0.5, 1],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 2,
      },
    });
    // Labels: one symbol layer each, so MapLibre's collision keeps them from overlapping one
    // another and the basemap's; P1 labels are placed first (lowest sort key).
    map.addLayer({
      id: LAYERS.crewLabels,
      type: "symbol",
      source: "posbon-crews",
      layout: label({ "text-field": ["get", "label"] }),
      paint: { "text-color": "#111827", ...halo },
    });
    map.addLayer({
      id: LAYERS.incidentLabels,
      type: "symbol",
      source: "posbon-incidents",
      layout: label({ "text-field": ["get", "label"], "symbol-sort-key": ["get", "priority"] }),
      paint: { "text-color": ["match", ["get", "priority"], 1, INCIDENT_COLOURS[1], "#111827"], ...halo },
    });
    map.addControl(new ElementControl(crewStatusLegend(t, t("map_legend_crews"))), "bottom-left");
    // Closed by its button or a click on the map off the incidents (not by MapLibre's
    // closeOnClick, which would also close it on the click that moves it to another incident).
    this.incidentPopup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, maxWidth: "18rem" });
    this.incidentPopup.on("close", () => this.popups.closed());
    this.popups = new IncidentPopups(
      onDispatchRecommended,
      (incident, content) => {
        this.incidentPopup.setLngLat([incident.site.lon, incident.site.lat]).setDOMContent(content);
        if (!this.incidentPopup.isOpen()) this.incidentPopup.addTo(map);
      },
      () => this.incidentPopup.remove(),
    );
    this.shownIncidents = [];
    const clicked = (event) => {
      const id = event.features[0].properties.id;
      const incident = this.shownIncidents.find((each) => each.id === id);
      onOpen(id);
      if (incident !== undefined) this.popups.open(incident);
    };
    map.on("click", LAYERS.incidents, clicked);
    map.on("click", LAYERS.incidentLabels, clicked);
    map.on("click", (event) => {
      const layers = [LAYERS.incidents, LAYERS.incidentLabels];
      if (map.queryRenderedFeatures(event.point, { layers }).length === 0) this.incidentPopup.remove();
    });
    for (const layer of [LAYERS.incidents, LAYERS.incidentLabels]) {
      map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
      map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
    }
    this.popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    for (const layer of [LAYERS.sites, LAYERS.crews]) {
      map.on("mouseenter", layer, (event) => {
        const feature = event.features[0];
        this.popup.setLngLat(feature.geometry.coordinates).setDOMContent(textOf(feature.properties.title)).addTo(map);
      });
      map.on("mouseleave", layer, () => this.popup.remove());
    }
    this.resizes = new ResizeObserver(() => map.resize());
    this.resizes.observe(map.getContainer());
  }

  destroy() {
    this.resizes.disconnect();
    this.map.remove();
  }

  showSites(sites, cameras, fit) {
    const camerasAt = camerasBySite(cameras);
    this.map.getSource("posbon-sites").setData(
      points(
        sites,
        (site) => site,
        (site) => ({ camera: camerasAt.has(site.id), title: siteText(site, camerasAt.get(site.id) ?? []) }),
      ),
    );
    if (fit) {
      const bounds = new this.maplibregl.LngLatBounds();
      for (const site of sites) bounds.extend([site.lon, site.lat]);
      this.map.fitBounds(bounds, { padding: 40, maxZoom: 16, animate: false });
    }
  }

  showIncidents(incidents) {
    this.shownIncidents = incidents;
    this.map.getSource("posbon-incidents").setData(
      points(
        incidents,
        (incident) => incident.site,
        (incident) => ({ id: incident.id, priority: incident.priority, label: `P${incident.priority} #${incident.id}` }),
      ),
    );
    this.popups.refresh(incidents);
  }

  showCrews(crews, nowMs) {
    this.map.getSource("posbon-crews").setData(
      points(
        crews,
        (crew) => crew,
        (crew) => {
          const { stale } = positionAge(crew, nowMs, this.config.position_stale_s);
          return {
            id: crew.id,
            status: crew.status,
            stale,
            label: stale ? t("map_stale", { name: crew.name }) : crew.name,
            title: crewTitle(crew, stale),
          };
        },
      ),
    );
  }

  showRecommendation(incident, crew, reason) {
    const data =
      incident === null
        ? EMPTY
        : {
            type: "Feature",
            geometry: {
              type: "LineString",
              coordinates: [
                [crew.lon, crew.lat],
                [incident.site.lon, incident.site.lat],
              ],
            },
            properties: { label: t("map_recommended", { crew: crew.name, reason }) },
          };
    this.map.getSource("posbon-route").setData(data);
  }

  focusOn(lat, lon) {
    const bounds = this.map.getBounds();
    if (!bounds.contains([lon, lat])) this.map.panTo([lon, lat]);
  }
}

/** While the vector map loads: draws nothing (DispatchMap keeps what to draw, and redraws). */
const LOADING = {
  showSites() {},
  showIncidents() {},
  showCrews() {},
  showRecommendation() {},
  focusOn() {},
  destroy() {},
};

export class DispatchMap {
  /** `onOpen(id)` opens an incident; `onDispatchRecommended(id)` sends its recommended crew. */
  constructor(element, config, api, onOpen, { onDispatchRecommended = null } = {}) {
    this.element = element;
    this.config = config;
    this.api = api;
    this.onOpen = onOpen;
    this.onDispatchRecommended = onDispatchRecommended;
    this.view = new LeafletView(element, config, onOpen, onDispatchRecommended);
    this.fitted = false;
    // What was last shown, so a view that replaces another draws it again.
    this.shown = { sites: null, incidents: null, crews: null, recommendation: null };
  }

  /** Which map kind: "vector" (MapLibre over the PMTiles basemap) or "outline" (Leaflet). */
  get kind() {
    return this.view instanceof VectorView ? "vector" : "outline";
  }

  async loadBasemap() {
    const outline = await this.api.get(this.config.basemap_url);
    const basemap = vectorBasemapOf(outline);
    if (basemap !== null && webglAvailable()) {
      try {
        this.view.destroy();
        this.view = LOADING;
        this.view = await VectorView.open(
          this.element,
          this.config,
          this.onOpen,
          this.onDispatchRecommended,
          basemap,
          this.api.token,
        );
        this.redraw();
        return;
      } catch (error) {
        console.warn("vector basemap unavailable, drawing the outline map:", error.message);
        this.element.replaceChildren();
        this.view = new LeafletView(this.element, this.config, this.onOpen, this.onDispatchRecommended);
        this.redraw();
      }
    }
    this.view.showBase(outline);
  }

  redraw() {
    const { sites, incidents, crews, recommendation } = this.shown;
    this.fitted = false;
    if (sites !== null) this.showSites(...sites);
    if (incidents !== null) this.showIncidents(incidents);
    if (crews !== null) this.showCrews(...crews);
    if (recommendation !== null) this.showRecommendation(...recommendation);
  }

  showSites(sites, cameras = []) {
    this.shown.sites = [sites, cameras];
    const placed = sites.filter((site) => site.lat != null && site.lon != null);
    const fit = !this.fitted && placed.length > 0;
    this.view.showSites(placed, cameras, fit);
    if (fit) this.fitted = true;
  }

  showIncidents(incidents) {
    this.shown.incidents = incidents;
    this.view.showIncidents(incidents.filter((incident) => incident.site.lat != null && incident.site.lon != null));
  }

  showCrews(crews, nowMs) {
    this.shown.crews = [crews, nowMs];
    this.view.showCrews(
      crews.filter((crew) => crew.lat != null && crew.lon != null),
      nowMs,
    );
  }

  /** The recommended crew's line to the incident, labelled with why it was chosen. */
  showRecommendation(incident, crew, reason) {
    this.shown.recommendation = [incident, crew, reason];
    const drawn = incident !== null && crew !== null && crew.lat != null && incident.site.lat != null;
    this.view.showRecommendation(drawn ? incident : null, crew, reason);
  }

  /** Bring an incident into view without moving a map that already shows it. */
  focusOn(incident) {
    if (incident.site.lat == null) return;
    this.view.focusOn(incident.site.lat, incident.site.lon);
  }
}
