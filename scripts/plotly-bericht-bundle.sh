#!/usr/bin/env bash
# Build static/vendor/plotly/plotly-bericht.min.js: plotly.js with just the trace types of the
# steering report's charts (bar, scatter, scattergeo, choropleth), the version the dashboard
# vendors. The report's Chromium loads it instead of plotly.py's full 4.8 MB plotly.min.js:
# same renderer as the browser, and a tab is ready in a third of the time.
# Needs node + npm and the npm registry; run again only to change the version.
set -euo pipefail
VERSION=4.1.1
ESBUILD=0.25.12
ziel="$(cd "$(dirname "$0")/.." && pwd)/static/vendor/plotly/plotly-bericht.min.js"
arbeit="$(mktemp -d)"
trap 'rm -rf "$arbeit"' EXIT
cd "$arbeit"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "plotly.js@$VERSION" "esbuild@$ESBUILD"
cat > eintrag.js <<'JS'
'use strict';
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scattergeo'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/calendars'),
]);
module.exports = Plotly;
JS
# The maplibre CSS that esbuild writes beside the bundle belongs to "map" traces, which this
# bundle does not register; it is dropped.
npx esbuild eintrag.js --bundle --format=iife --global-name=Plotly --minify --target=es2016 \
    --define:global=window --define:define.amd=false --legal-comments=none \
    --banner:js="/** plotly.js v$VERSION (custom bundle for the steering report: bar, scatter, scattergeo, choropleth; scripts/plotly-bericht-bundle.sh) | Copyright 2012-2026, Plotly, Inc. | MIT License */" \
    --outfile=plotly-bericht.min.js --log-level=warning
cp plotly-bericht.min.js "$ziel"
echo "$ziel: $(wc -c < "$ziel") bytes"
