#!/usr/bin/env bash
# Vendor the offline vector basemap's browser side into server/web/static/vendor/ (committed):
#   maplibre-gl/          MapLibre GL JS (ES module build, its worker, CSS, LICENSE)
#   pmtiles/ + fflate/    the PMTiles protocol for MapLibre (ES modules, bare import rewritten)
#   protomaps-basemaps/   the style's layers from @protomaps/basemaps, generated here with node,
#                         one file per flavour (light, dark) and label language (en, ru, uz)
#   fonts/                Noto Sans (the style's font) as WOFF2, only the Latin, Latin-ext,
#                         Cyrillic and Cyrillic-ext subsets: MapLibre draws the glyphs from them
#                         itself (the style's `font-faces`), so no glyph server and no CDN.
# Both apps load these files from Posbon (the crew app reuses them, its worker caches them), so
# neither running nor testing the product needs npm; only redoing this step does.
#
#   scripts/vendor_maplibre.sh            # the pinned versions below
set -euo pipefail

MAPLIBRE=maplibre-gl@6.20.0
PMTILES=pmtiles@4.5.0
FFLATE=fflate@0.8.3
BASEMAPS=@protomaps/basemaps@5.7.2
FONTS=@fontsource/noto-sans@5.3.0
FLAVOURS=(light dark)
LANGS=(en ru uz)
SUBSETS=(latin latin-ext cyrillic cyrillic-ext)
# 400 is the style's "Noto Sans Regular", 500 its "Noto Sans Medium", 400 italic its "Italic".
FACES=(400-normal 500-normal 400-italic)
# Layers that need the Protomaps sprite (icons, shields, one-way arrows) are left out, and so
# is every icon: Posbon serves no sprite sheet.
DROPPED='["roads_shields", "roads_oneway"]'

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR="$ROOT/server/web/static/vendor"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$MAPLIBRE" "$PMTILES" "$FFLATE" "$BASEMAPS" "$FONTS"
MODULES="$WORK/node_modules"

# The package's own licence file, or (when it ships none) what its package.json declares.
licence() {
  local file
  for file in LICENSE LICENSE.txt LICENSE.md; do
    if [[ -f "$MODULES/$1/$file" ]]; then
      cp "$MODULES/$1/$file" "$2"
      return
    fi
  done
  node -e 'const p = require(process.argv[1]);
    console.log(`${p.name} ${p.version}: ${p.license} (declared in its package.json; the package ships no licence file).`);
    console.log(`Source: ${p.repository?.url ?? p.repository ?? p.homepage}`);' "$MODULES/$1/package.json" >"$2"
}

rm -rf "$VENDOR/maplibre-gl" "$VENDOR/pmtiles" "$VENDOR/fflate" "$VENDOR/protomaps-basemaps" "$VENDOR/fonts"
mkdir -p "$VENDOR/maplibre-gl" "$VENDOR/pmtiles" "$VENDOR/fflate" "$VENDOR/protomaps-basemaps" "$VENDOR/fonts"

# MapLibre: the module, the module worker it starts from beside itself, and the CSS. Source maps
# stay out (they would name files that are not served).
for file in maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl.css; do
  sed '/^\/\/# sourceMappingURL=/d' "$MODULES/maplibre-gl/dist/$file" >"$VENDOR/maplibre-gl/$file"
done
licence maplibre-gl "$VENDOR/maplibre-gl/LICENSE"

# PMTiles imports fflate by its bare name, which a browser without an import map cannot resolve.
sed -e 's#from *"fflate"#from"../fflate/fflate.js"#' -e '/^\/\/# sourceMappingURL=/d' \
  "$MODULES/pmtiles/dist/esm/index.js" >"$VENDOR/pmtiles/pmtiles.js"
licence pmtiles "$VENDOR/pmtiles/LICENSE"
sed '/^\/\/# sourceMappingURL=/d' "$MODULES/fflate/esm/browser.js" >"$VENDOR/fflate/fflate.js"
licence fflate "$VENDOR/fflate/LICENSE"
if grep -q 'from *"fflate"' "$VENDOR/pmtiles/pmtiles.js"; then
  echo "pmtiles still imports fflate by its bare name" >&2
  exit 1
fi

# The style's layers, generated once here; the page adds the source and the fonts at run time.
cat >generate.mjs <<'EOF'
import { writeFileSync } from "node:fs";
import { layers, namedFlavor } from "@protomaps/basemaps";

const [out, flavours, langs, dropped] = process.argv.slice(2);
const drop = new Set(JSON.parse(dropped));
for (const flavour of flavours.split(",")) {
  for (const lang of langs.split(",")) {
    const kept = layers("protomaps", namedFlavor(flavour), { lang })
      .filter((layer) => !drop.has(layer.id))
      .map((layer) => {
        if (!layer.layout?.["icon-image"]) return layer;
        const layout = { ...layer.layout };
        delete layout["icon-image"];
        return { ...layer, layout };
      });
    writeFileSync(`${out}/layers-${flavour}-${lang}.json`, `${JSON.stringify(kept)}\n`);
  }
}
EOF
node generate.mjs "$VENDOR/protomaps-basemaps" "$(IFS=,; echo "${FLAVOURS[*]}")" "$(IFS=,; echo "${LANGS[*]}")" "$DROPPED"
licence @protomaps/basemaps "$VENDOR/protomaps-basemaps/LICENSE"

for subset in "${SUBSETS[@]}"; do
  for face in "${FACES[@]}"; do
    cp "$MODULES/@fontsource/noto-sans/files/noto-sans-$subset-$face.woff2" "$VENDOR/fonts/"
  done
done
licence @fontsource/noto-sans "$VENDOR/fonts/LICENSE"
node -e 'const u = require("./node_modules/@fontsource/noto-sans/unicode.json");
  const keep = process.argv.slice(1); const out = {};
  for (const name of keep) out[name] = u[name].split(",");
  console.log(JSON.stringify(out));' "${SUBSETS[@]}" >"$VENDOR/fonts/unicode-ranges.json"

echo "vendored into $VENDOR:"
(cd "$VENDOR" && du -sh maplibre-gl pmtiles fflate protomaps-basemaps fonts)
