#!/usr/bin/env bash
# Regenerates static/vendor/: uPlot, the dashboards' chart library, taken from the npm
# registry's package (its own minified IIFE build and stylesheet), so the pages work with no
# internet and no npm at run time. Run it (it needs npm) when bumping the version below, then
# commit static/vendor/ with the version and licence it records. The graphql-ws client the
# pages use for live updates is GraphiQL's vendored one (graphql_api/graphiql/vendor.sh).
set -euo pipefail
cd "$(dirname "$0")"

UPLOT=1.6.32

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --silent "uplot@$UPLOT"
)
modules="$work/node_modules"
out=static/vendor
rm -rf "$out"
mkdir -p "$out"
sed -e '/^\/\/# sourceMappingURL=/d' "$modules/uplot/dist/uPlot.iife.min.js" >"$out/uPlot.iife.min.js"
cp "$modules/uplot/dist/uPlot.min.css" "$out/uPlot.min.css"
cp "$modules/uplot/LICENSE" "$out/uPlot.LICENSE"
{
  echo "# Vendored chart library"
  echo
  echo "Made by \`graphql_api/pages/dashboard/vendor.sh\` from the npm package below, unchanged"
  echo "but for its source-map comment."
  echo
  echo "| package | version | licence |"
  echo "|---|---|---|"
  node -e 'const p=require(process.argv[1]); console.log(`| ${p.name} | ${p.version} | ${p.license} |`)' \
    "$modules/uplot/package.json"
} >"$out/VERSIONS.md"
