// The map: Leaflet with no tile server by default. The basemap is Posbon's own GeoJSON outline of
// the city (approximate, hand-drawn); a deployment with a tile server sets `map_tile_url`.
// Labels are DOM elements built with textContent, so names never become markup.

import * as L from "../vendor/leaflet/leaflet-src.esm.js";
import { positionAge } from "./model.js";

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

// Leaflet treats a string tooltip as HTML; an element keeps names as plain text.
function textOf(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return element;
}

function labelIcon(text, className) {
  const element = document.createElement("span");
  element.className = `map-label ${className}`;
  element.textContent = text;
  return L.divIcon({ html: element, className: "posbon-icon", iconSize: null, iconAnchor: [0, 10] });
}

export class DispatchMap {
  constructor(element, config, api, onOpen) {
    this.config = config;
    this.api = api;
    this.onOpen = onOpen;
    this.map = L.map(element, { preferCanvas: true, zoomControl: true }).setView(CITY_CENTRE, START_ZOOM);
    // Its own pane below the markers' (z-index 400), so the outline always lies underneath.
    this.map.createPane(BASEMAP_PANE).style.zIndex = String(BASEMAP_Z_INDEX);
    this.sites = L.layerGroup().addTo(this.map);
    this.incidents = L.layerGroup().addTo(this.map);
    this.crews = L.layerGroup().addTo(this.map);
    this.route = L.layerGroup().addTo(this.map);
    this.routeRenderer = L.svg(); // one SVG line among canvas markers: it can carry a tooltip and a class
    this.fitted = false;
    // The panel may be laid out (or resized) after the map is made: keep Leaflet's size in step.
    new ResizeObserver(() => this.map.invalidateSize()).observe(element);
  }

  async loadBasemap() {
    const tiles = this.config.map_tile_url;
    if (tiles) {
      const host = new URL(tiles.replaceAll(/[{}]/g, ""), location.href).host;
      L.tileLayer(tiles, { maxZoom: MAX_ZOOM, attribution: `Tiles: ${host}` }).addTo(this.map);
      return;
    }
    const outline = await this.api.get(this.config.basemap_url);
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
    this.map.attributionControl.addAttribution("Outline map: hand-drawn, approximate (Posbon)");
  }

  showSites(sites, cameras = []) {
    this.sites.clearLayers();
    const placed = sites.filter((site) => site.lat !== null && site.lon !== null);
    const camerasAt = new Map();
    for (const camera of cameras) {
      if (camera.site_id !== null) camerasAt.set(camera.site_id, [...(camerasAt.get(camera.site_id) ?? []), camera]);
    }
    for (const site of placed) {
      const here = camerasAt.get(site.id) ?? [];
      if (here.length > 0) {
        // A camera site: a square (not only another colour), named in its tooltip.
        const names = here.map((camera) => `${camera.name} (${camera.kind})`).join(", ");
        L.marker([site.lat, site.lon], {
          icon: L.divIcon({ className: "camera-marker", html: "", iconSize: [10, 10] }),
          keyboard: false,
        })
          .bindTooltip(textOf(`${site.name}: camera ${names}`))
          .addTo(this.sites);
        continue;
      }
      L.circleMarker([site.lat, site.lon], {
        radius: 4,
        color: "#ffffff",
        weight: 1,
        fillColor: "#5b7083",
        fillOpacity: 0.9,
      })
        .bindTooltip(textOf(`${site.name} (${site.kind})`))
        .addTo(this.sites);
    }
    if (!this.fitted && placed.length > 0) {
      this.map.fitBounds(L.latLngBounds(placed.map((site) => [site.lat, site.lon])).pad(0.1));
      this.fitted = true;
    }
  }

  showIncidents(incidents) {
    this.incidents.clearLayers();
    for (const incident of incidents) {
      const { lat, lon } = incident.site;
      if (lat === null || lon === null) continue;
      const marker = L.marker([lat, lon], {
        icon: labelIcon(`P${incident.priority} #${incident.id}`, `incident-label prio-${incident.priority}`),
        keyboard: false, // the queue is the keyboard path to an incident
        zIndexOffset: 1000 - incident.priority * 100,
        title: incident.title,
      });
      marker.on("click", () => this.onOpen(incident.id));
      marker.addTo(this.incidents);
    }
  }

  showCrews(crews, nowMs) {
    this.crews.clearLayers();
    for (const crew of crews) {
      if (crew.lat === null || crew.lon === null) continue;
      const { stale } = positionAge(crew, nowMs, this.config.position_stale_s);
      const text = stale ? `${crew.name} (stale)` : crew.name;
      L.marker([crew.lat, crew.lon], {
        icon: labelIcon(text, stale ? "crew-label stale" : "crew-label"),
        keyboard: false,
        title: `${crew.name}: ${crew.status}${stale ? ", position is stale" : ""}`,
      }).addTo(this.crews);
    }
  }

  /** The recommended crew's line to the incident, labelled with why it was chosen. */
  showRecommendation(incident, crew, reason) {
    this.route.clearLayers();
    if (incident === null || crew === null || crew.lat === null || incident.site.lat === null) return;
    L.polyline(
      [
        [crew.lat, crew.lon],
        [incident.site.lat, incident.site.lon],
      ],
      { ...ROUTE_STYLE, renderer: this.routeRenderer },
    )
      .bindTooltip(textOf(`Recommended: ${crew.name}, ${reason}`), { sticky: true })
      .addTo(this.route);
  }

  /** Bring an incident into view without moving a map that already shows it. */
  focusOn(incident) {
    if (incident.site.lat === null) return;
    const at = L.latLng(incident.site.lat, incident.site.lon);
    if (!this.map.getBounds().pad(-0.1).contains(at)) this.map.panTo(at);
  }
}
