// The map: Posbon's own outline of the city (no tile server, so it works offline), the
// destination and the crew's own position.

import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";

const CITY_CENTRE = [39.6542, 66.9597];
const CITY_ZOOM = 13;
const OUTLINE_STYLE = { color: "#ffffff", weight: 2, opacity: 0.9, fill: false };
const DESTINATION_STYLE = { radius: 14, color: "#000000", weight: 3, fillColor: "#ffd400", fillOpacity: 1 };
const SELF_STYLE = { radius: 10, color: "#ffffff", weight: 3, fillColor: "#1e90ff", fillOpacity: 1 };
const FIT_PADDING_PX = 48;

export class CrewMap {
  constructor(element) {
    this.map = L.map(element, { zoomControl: true, attributionControl: false }).setView(CITY_CENTRE, CITY_ZOOM);
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

  setDestination(lat, lon, label) {
    this.destination?.remove();
    // Leaflet reads a string tooltip as HTML, and a site's name is anyone's text: an element
    // whose textContent is the name shows it as written and runs nothing.
    this.destination =
      lat == null ? null : L.circleMarker([lat, lon], DESTINATION_STYLE).bindTooltip(plainText(label)).addTo(this.map);
    this.fit();
  }

  setSelf(lat, lon) {
    if (this.self === null) this.self = L.circleMarker([lat, lon], SELF_STYLE).addTo(this.map);
    else this.self.setLatLng([lat, lon]);
    this.fit();
  }

  fit() {
    const points = [this.destination, this.self].filter((marker) => marker !== null).map((marker) => marker.getLatLng());
    if (points.length === 1) this.map.setView(points[0], Math.max(this.map.getZoom(), 14));
    if (points.length === 2) this.map.fitBounds(L.latLngBounds(points), { padding: [FIT_PADDING_PX, FIT_PADDING_PX] });
  }

  resize() {
    this.map.invalidateSize();
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
