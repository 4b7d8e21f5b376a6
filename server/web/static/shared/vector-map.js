// The offline vector basemap both apps draw when Posbon serves a PMTiles file (`--basemap`):
// MapLibre GL over the `pmtiles` protocol, the style's layers from @protomaps/basemaps and its
// Noto Sans fonts, all vendored under /static/vendor/ (scripts/vendor_maplibre.sh), so nothing
// comes from elsewhere. The archive is read by byte range under the app's token.
//
// Each app's outline GeoJSON names the archive (`posbon_vector_basemap`); without one, or in a
// browser without WebGL, the apps keep their Leaflet outline map. Crew markers are coloured by
// crew status here for both apps and both map kinds.
//
// Day or night: the style's light or dark flavour follows the app's own scheme (each app's
// scheme.js sets html[data-scheme]: "light"/"dark" on the dispatcher page, "day"/"night" on the
// tablet), else the browser's prefers-color-scheme, and switches while the map is open. The
// element carries the flavour drawn as data-basemap-scheme ("light" or "dark").

const VENDOR = "/static/vendor";
const STYLE_LANGUAGES = { en: "en", ru: "ru", uz: "uz", "uz-Latn": "uz", "uz-Cyrl": "uz" };
// The style's three fonts, each in the four subsets vendored (Latin, Latin-ext, Cyrillic, -ext).
const FONT_FACES = { "Noto Sans Regular": "400-normal", "Noto Sans Medium": "500-normal", "Noto Sans Italic": "400-italic" };
export const LABEL_FONT = ["Noto Sans Medium"];
export const OUTLINE_MEMBER = "posbon_vector_basemap";

/** Crew status → marker colour (both apps, both map kinds); the legend lists them in this order. */
export const CREW_STATUS_COLOURS = {
  available: "#15803d",
  dispatched: "#b45309",
  en_route: "#1d4ed8",
  on_scene: "#b91c1c",
  busy: "#7c3aed",
  returning: "#0e7490",
  off_duty: "#6b7280",
  out_of_service: "#111827",
};
export const UNKNOWN_STATUS_COLOUR = "#6b7280";

export function crewColour(status) {
  return CREW_STATUS_COLOURS[status] ?? UNKNOWN_STATUS_COLOUR;
}

/** The MapLibre expression that colours a crew feature by its `status` property. */
export function crewColourExpression() {
  return ["match", ["get", "status"], ...Object.entries(CREW_STATUS_COLOURS).flat(), UNKNOWN_STATUS_COLOUR];
}

const NIGHT_SCHEMES = ["dark", "night"];
const DAY_SCHEMES = ["light", "day"];

/** Whether the page shows its night scheme: the app's toggle (html[data-scheme]), else the browser. */
export function nightScheme() {
  const scheme = document.documentElement.dataset.scheme;
  if (NIGHT_SCHEMES.includes(scheme)) return true;
  if (DAY_SCHEMES.includes(scheme)) return false;
  return matchMedia("(prefers-color-scheme: dark)").matches;
}

/** Whether this browser can draw WebGL (headless Chromium without a GPU may not). */
export function webglAvailable() {
  try {
    const canvas = document.createElement("canvas");
    return (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) !== null;
  } catch {
    return false;
  }
}

/** The vector basemap named by an outline GeoJSON, or null. */
export function vectorBasemapOf(outline) {
  const member = outline?.[OUTLINE_MEMBER];
  return typeof member?.url === "string" ? member : null;
}

/** A legend of the crew status colours; `t` names each status (`crew_status_<status>`). */
export function crewStatusLegend(t, title) {
  const legend = document.createElement("div");
  legend.className = "crew-status-legend";
  legend.setAttribute("role", "group");
  legend.setAttribute("aria-label", title);
  // Its box takes the page's colours (app.css `.crew-status-legend`), so it is dark at night.
  const heading = document.createElement("strong");
  heading.textContent = title;
  legend.append(heading);
  for (const [status, colour] of Object.entries(CREW_STATUS_COLOURS)) {
    const item = document.createElement("div");
    item.dataset.status = status;
    const swatch = document.createElement("span");
    Object.assign(swatch.style, {
      display: "inline-block",
      width: "10px",
      height: "10px",
      borderRadius: "50%",
      marginRight: "4px",
      background: colour,
      border: "1px solid #ffffff",
    });
    item.append(swatch, document.createTextNode(t(`crew_status_${status}`)));
    legend.append(item);
  }
  return legend;
}

function absolute(path) {
  return new URL(path, location.href).href;
}

async function fontFaces() {
  const response = await fetch(`${VENDOR}/fonts/unicode-ranges.json`);
  if (!response.ok) throw new Error(`fonts: HTTP ${response.status}`);
  const ranges = await response.json();
  const faces = {};
  for (const [font, face] of Object.entries(FONT_FACES)) {
    faces[font] = Object.entries(ranges).map(([subset, range]) => ({
      url: absolute(`${VENDOR}/fonts/noto-sans-${subset}-${face}.woff2`),
      "unicode-range": range,
    }));
  }
  return faces;
}

async function basemapLayers(lang, dark) {
  const flavour = dark ? "dark" : "light";
  const response = await fetch(`${VENDOR}/protomaps-basemaps/layers-${flavour}-${STYLE_LANGUAGES[lang] ?? "en"}.json`);
  if (!response.ok) throw new Error(`basemap style: HTTP ${response.status}`);
  return response.json();
}

function basemapStyle(url, basemap, faces, layers) {
  return {
    version: 8,
    sources: { protomaps: { type: "vector", url: `pmtiles://${url}`, attribution: basemap.attribution ?? "" } },
    "font-faces": faces,
    layers,
  };
}

/**
 * Keep the map's flavour in step with the page's scheme. The new style replaces only the
 * basemap's layers (same ids in both flavours, so MapLibre diffs paint properties); the app's own
 * sources and layers, added after the style, stay as they are.
 */
function followScheme(map, element, style) {
  let wanted = style.dark;
  let removed = false;
  element.dataset.basemapScheme = wanted ? "dark" : "light";
  const restyle = async () => {
    const night = nightScheme();
    if (night === wanted) return;
    wanted = night;
    let layers;
    try {
      layers = await basemapLayers(style.lang, night);
    } catch (error) {
      console.warn("vector basemap: the other scheme's style did not load:", error.message);
      return;
    }
    if (wanted !== night || removed) return; // switched again meanwhile, or gone
    map.setStyle(basemapStyle(style.url, style.basemap, style.faces, layers), {
      diff: true,
      transformStyle: (previous, next) => {
        const basemapIds = new Set(next.layers.map((layer) => layer.id));
        return {
          ...next,
          sources: { ...previous.sources, ...next.sources },
          layers: [...next.layers, ...previous.layers.filter((layer) => !basemapIds.has(layer.id))],
        };
      },
    });
    element.dataset.basemapScheme = night ? "dark" : "light";
  };
  const observer = new MutationObserver(restyle);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-scheme"] });
  const preference = matchMedia("(prefers-color-scheme: dark)");
  preference.addEventListener("change", restyle);
  map.once("remove", () => {
    removed = true;
    observer.disconnect();
    preference.removeEventListener("change", restyle);
  });
}

let protocolAdded = null;

/**
 * A MapLibre map in `element` over the vector basemap, resolved once its style has loaded.
 * `basemap` is what the outline named ({url, attribution}); `token` authorises the range reads;
 * `locale` gives MapLibre's own words (its controls' titles, the map's label) in the app's language.
 */
export async function openVectorMap(element, { basemap, token, lang, center, zoom, locale = {} }) {
  const [maplibregl, pmtiles] = await Promise.all([
    import(`${VENDOR}/maplibre-gl/maplibre-gl.mjs`),
    import(`${VENDOR}/pmtiles/pmtiles.js`),
  ]);
  loadStylesheet(`${VENDOR}/maplibre-gl/maplibre-gl.css`);
  const url = absolute(basemap.url);
  protocolAdded ??= (() => {
    const protocol = new pmtiles.Protocol({ metadata: false });
    maplibregl.addProtocol("pmtiles", protocol.tile);
    return protocol;
  })();
  // A signed-in person's page has no token: its session cookie goes with the tile requests.
  const headers = new Headers(token ? { Authorization: `Bearer ${token}` } : {});
  protocolAdded.add(new pmtiles.PMTiles(new pmtiles.FetchSource(url, headers)));
  const dark = nightScheme();
  const [layers, faces] = await Promise.all([basemapLayers(lang, dark), fontFaces()]);
  const map = new maplibregl.Map({
    container: element,
    center: [center[1], center[0]],
    zoom,
    maxZoom: 19,
    attributionControl: { compact: true },
    locale,
    style: basemapStyle(url, basemap, faces, layers),
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  await new Promise((resolve, reject) => {
    map.once("load", resolve);
    map.once("error", (event) => reject(event.error ?? new Error("the vector basemap did not load")));
  });
  // Later (a tile that fails to load): a warning, not the library's console error.
  map.on("error", (event) => console.warn("vector basemap:", event.error?.message ?? event));
  followScheme(map, element, { url, basemap, faces, lang, dark });
  // For the tests and for anyone debugging a map in the console: the element names its map.
  element.maplibreMap = map;
  return { maplibregl, map };
}

function loadStylesheet(href) {
  if (document.querySelector(`link[href="${href}"]`) !== null) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

/** A MapLibre control that holds one element (the legend). */
export class ElementControl {
  constructor(element) {
    this.element = element;
  }

  onAdd() {
    const box = document.createElement("div");
    box.className = "maplibregl-ctrl";
    box.append(this.element);
    return box;
  }

  onRemove() {
    this.element.parentElement?.remove();
  }
}

/** A GeoJSON FeatureCollection of points from items with lat/lon (`props` gives properties). */
export function points(items, at, props) {
  const features = [];
  for (const item of items) {
    const where = at(item);
    if (where === null || where.lat == null || where.lon == null) continue;
    features.push({ type: "Feature", geometry: { type: "Point", coordinates: [where.lon, where.lat] }, properties: props(item) });
  }
  return { type: "FeatureCollection", features };
}
