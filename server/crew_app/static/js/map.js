// The map: the destination and the crew's own position. With a vector basemap (Posbon serves a
// PMTiles file, `--basemap`) and WebGL it is MapLibre GL with streets, names and house numbers;
// otherwise Leaflet over Posbon's own outline of the city. Both work offline: the outline and the
// basemap's ranges already read are in the service worker's cache, the vendored files too.
// The libraries' own words (zoom titles, the map's label) are the app's (`t`); the vector style
// follows the tablet's day/night toggle (shared/vector-map.js).

import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";
import { LABEL_FONT, openVectorMap, vectorBasemapOf, webglAvailable } from "/static/shared/vector-map.js";
import { language, t } from "./i18n.js";

const CITY_CENTRE = [39.6542, 66.9597];
const CITY_ZOOM = 13;
const STREET_ZOOM = 16;
// Its colour comes from app.css (`.map path.outline`): dark roads by day, light ones at night.
const OUTLINE_STYLE = { color: "#ffffff", weight: 2, opacity: 0.9, fill: false, className: "outline" };
const DESTINATION_STYLE = { radius: 14, color: "#000000", weight: 3, fillColor: "#ffd400", fillOpacity: 1 };
const SELF_STYLE = { radius: 10, color: "#ffffff", weight: 3, fillColor: "#1e90ff", fillOpacity: 1 };
const FIT_PADDING_PX = 48;
// The libraries' controls, keyed like the page's own elements (data-i18n-title, -aria-label), so
// i18n.js's applyStatic relabels them when the crew switches language.
const CONTROL_WORDS = [
  [".leaflet-control-zoom-in, .maplibregl-ctrl-zoom-in", "map_zoom_in", ["title", "aria-label"]],
  [".leaflet-control-zoom-out, .maplibregl-ctrl-zoom-out", "map_zoom_out", ["title", "aria-label"]],
  [".maplibregl-ctrl-attrib-button", "map_attribution_toggle", ["title", "aria-label"]],
  [".maplibregl-canvas", "map_label", ["aria-label"]],
];

function keyControls(root) {
  for (const [selector, key, attributes] of CONTROL_WORDS) {
    for (const element of root.querySelectorAll(selector)) {
      for (const attribute of attributes) element.setAttribute(`data-i18n-${attribute}`, key);
    }
  }
}

class LeafletView {
  constructor(element) {
    this.map = L.map(element, { zoomControl: false, attributionControl: false }).setView(CITY_CENTRE, CITY_ZOOM);
    L.control.zoom({ zoomInTitle: t("map_zoom_in"), zoomOutTitle: t("map_zoom_out") }).addTo(this.map);
    keyControls(element);
    this.destination = null;
    this.self = null;
  }

  showOutline(geojson) {
    L.geoJSON(geojson, {
      style: () => OUTLINE_STYLE,
      interactive: false,
      // Landmarks are named points: a text label, never Leaflet's default pin image.
      pointToLayer: (feature, at) =>
        L.marker(at, { icon: label(feature.properties?.name ?? ""), interactive: false, keyboard: false }),
    }).addTo(this.map);
  }

  setDestination(lat, lon, name) {
    this.destination?.remove();
    // Leaflet reads a string tooltip as HTML, and a site's name is anyone's text: an element
    // whose textContent is the name shows it as written and runs nothing.
    this.destination =
      lat == null ? null : L.circleMarker([lat, lon], DESTINATION_STYLE).bindTooltip(plainText(name)).addTo(this.map);
  }

  setSelf(lat, lon) {
    if (this.self === null) this.self = L.circleMarker([lat, lon], SELF_STYLE).addTo(this.map);
    else this.self.setLatLng([lat, lon]);
  }

  fit(points) {
    if (points.length === 1) this.map.setView(points[0], Math.max(this.map.getZoom(), 14));
    if (points.length === 2) this.map.fitBounds(L.latLngBounds(points), { padding: [FIT_PADDING_PX, FIT_PADDING_PX] });
  }

  resize() {
    this.map.invalidateSize();
  }

  destroy() {
    this.map.remove();
  }
}

const EMPTY = { type: "FeatureCollection", features: [] };

function point(lat, lon, properties) {
  return { type: "Feature", geometry: { type: "Point", coordinates: [lon, lat] }, properties };
}

class VectorView {
  static async open(element, basemap, token) {
    const { maplibregl, map } = await openVectorMap(element, {
      basemap,
      token,
      lang: language(),
      locale: {
        "Map.Title": t("map_label"),
        "NavigationControl.ZoomIn": t("map_zoom_in"),
        "NavigationControl.ZoomOut": t("map_zoom_out"),
        "AttributionControl.ToggleAttribution": t("map_attribution_toggle"),
      },
      center: CITY_CENTRE,
      zoom: CITY_ZOOM,
    });
    keyControls(element);
    return new VectorView(maplibregl, map);
  }

  constructor(maplibregl, map) {
    this.maplibregl = maplibregl;
    this.map = map;
    map.addSource("posbon-destination", { type: "geojson", data: EMPTY });
    map.addSource("posbon-self", { type: "geojson", data: EMPTY });
    const circle = (style) => ({
      "circle-radius": style.radius,
      "circle-color": style.fillColor,
      "circle-stroke-color": style.color,
      "circle-stroke-width": style.weight,
    });
    map.addLayer({ id: "posbon-destination", type: "circle", source: "posbon-destination", paint: circle(DESTINATION_STYLE) });
    map.addLayer({
      id: "posbon-destination-label",
      type: "symbol",
      source: "posbon-destination",
      layout: {
        "text-field": ["get", "name"],
        "text-font": LABEL_FONT,
        "text-size": 16,
        "text-anchor": "top",
        "text-offset": [0, 1.2],
      },
      paint: { "text-color": "#111827", "text-halo-color": "#ffffff", "text-halo-width": 2 },
    });
    map.addLayer({ id: "posbon-self", type: "circle", source: "posbon-self", paint: circle(SELF_STYLE) });
  }

  setDestination(lat, lon, name) {
    this.map.getSource("posbon-destination").setData(lat == null ? EMPTY : point(lat, lon, { name }));
  }

  setSelf(lat, lon) {
    this.map.getSource("posbon-self").setData(point(lat, lon, {}));
  }

  fit(points) {
    const at = points.map(([lat, lon]) => [lon, lat]);
    if (at.length === 1) this.map.jumpTo({ center: at[0], zoom: Math.max(this.map.getZoom(), STREET_ZOOM) });
    if (at.length === 2) {
      const bounds = new this.maplibregl.LngLatBounds(at[0], at[0]).extend(at[1]);
      this.map.fitBounds(bounds, { padding: FIT_PADDING_PX, maxZoom: 17, animate: false });
    }
  }

  resize() {
    this.map.resize();
  }

  destroy() {
    this.map.remove();
  }
}

/** While the vector map loads: draws nothing (CrewMap keeps what to draw, and redraws). */
const LOADING = { setDestination() {}, setSelf() {}, fit() {}, resize() {}, destroy() {} };

export class CrewMap {
  constructor(element) {
    this.element = element;
    this.view = new LeafletView(element);
    this.destination = null;
    this.self = null;
    this.vectorTried = false;
  }

  /** Which map kind: "vector" (MapLibre over the PMTiles basemap) or "outline" (Leaflet). */
  get kind() {
    return this.view instanceof VectorView ? "vector" : "outline";
  }

  /**
   * The outline GeoJSON (from the server or the tablet's copy). When it names a vector basemap
   * and the tablet can draw WebGL, the map becomes MapLibre over it, read with `token`.
   */
  async showOutline(geojson, token = null) {
    const basemap = vectorBasemapOf(geojson);
    if (basemap !== null && token !== null && !this.vectorTried && webglAvailable()) {
      this.vectorTried = true;
      try {
        this.view.destroy();
        this.view = LOADING;
        this.view = await VectorView.open(this.element, basemap, token);
        this.redraw();
        return;
      } catch (error) {
        console.warn("vector basemap unavailable, drawing the outline map:", error.message);
        this.element.replaceChildren();
        this.view = new LeafletView(this.element);
        this.redraw();
      }
    }
    if (this.view instanceof LeafletView) this.view.showOutline(geojson);
  }

  redraw() {
    if (this.destination !== null) this.view.setDestination(...this.destination);
    if (this.self !== null) this.view.setSelf(...this.self);
    this.fit();
  }

  setDestination(lat, lon, name) {
    this.destination = lat == null ? null : [lat, lon, name];
    this.view.setDestination(lat, lon, name);
    this.fit();
  }

  setSelf(lat, lon) {
    this.self = [lat, lon];
    this.view.setSelf(lat, lon);
    this.fit();
  }

  fit() {
    const points = [this.destination, this.self].filter((at) => at !== null).map(([lat, lon]) => [lat, lon]);
    this.view.fit(points);
  }

  resize() {
    this.view.resize();
  }
}

function plainText(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return element;
}

function label(text) {
  const element = document.createElement("span");
  element.textContent = text;
  return L.divIcon({ html: element, className: "landmark", iconSize: null });
}

const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance in metres. */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}
