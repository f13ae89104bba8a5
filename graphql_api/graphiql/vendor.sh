#!/usr/bin/env bash
# Regenerates static/: GraphiQL and what it runs on, taken from the npm registry's packages, so
# the page works with no internet and no npm at run time. Run it (it needs npm) when bumping a
# version below, then commit static/ with the versions and licences it records.
set -euo pipefail
cd "$(dirname "$0")"

GRAPHIQL=3.8.3           # the version strawberry's own template loads from a CDN
PLUGIN_EXPLORER=1.0.2
REACT=18.2.0             # UMD builds, which React stopped shipping after 18
GRAPHQL_WS=5.16.0
GRAPHQL=16.9.0           # peer dependency of the explorer's package; not served

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --silent \
    "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$PLUGIN_EXPLORER" \
    "react@$REACT" "react-dom@$REACT" "graphql-ws@$GRAPHQL_WS" "graphql@$GRAPHQL"
)
modules="$work/node_modules"
out=static
rm -rf "$out"
mkdir -p "$out/licenses"

# Copy a bundle without its source-map comment: the maps are not shipped.
copy() { sed -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1" >"$out/$2"; }
copy "$modules/react/umd/react.production.min.js" react.production.min.js
copy "$modules/react-dom/umd/react-dom.production.min.js" react-dom.production.min.js
copy "$modules/graphiql/graphiql.min.js" graphiql.min.js
copy "$modules/graphiql/graphiql.min.css" graphiql.min.css
copy "$modules/@graphiql/plugin-explorer/dist/index.umd.js" plugin-explorer.umd.js
copy "$modules/@graphiql/plugin-explorer/dist/style.css" plugin-explorer.css
copy "$modules/graphql-ws/umd/graphql-ws.min.js" graphql-ws.min.js

for package in react react-dom graphiql @graphiql/plugin-explorer graphql-ws; do
  target="$out/licenses/$(echo "$package" | tr / _).LICENSE"
  licence="$(find "$modules/$package" -maxdepth 1 -iname 'LICENSE*' | head -1)"
  if [ -n "$licence" ]; then
    cp "$licence" "$target"
  else  # the package ships no licence file: record what its manifest declares
    node -e 'const p=require(process.argv[1]); console.log(`${p.name} ${p.version}: licence "${p.license}" (declared in its package.json; the package ships no licence file)`)' \
      "$modules/$package/package.json" >"$target"
  fi
done

# Every package of the installed tree, with its version and licence: graphiql.min.js bundles
# its own dependencies (CodeMirror, markdown-it, the GraphQL language service, ...).
{
  echo "# Vendored GraphiQL assets"
  echo
  echo "Made by \`graphql_api/graphiql/vendor.sh\` from the npm packages below; the served files"
  echo "are the packages' own UMD bundles and styles, unchanged but for their source-map comment."
  echo
  echo "| package | version | licence |"
  echo "|---|---|---|"
  (cd "$work" && npm query '*') | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const licence = (p) => (typeof p.license === "string" ? p.license : JSON.stringify(p.license ?? ""));
      const rows = JSON.parse(text).filter((p) => p.name && p.version)
        .map((p) => `| ${p.name} | ${p.version} | ${licence(p)} |`);
      console.log([...new Set(rows)].sort().join("\n"));
    });'
} >"$out/VERSIONS.md"
echo "vendored into $(pwd)/$out"
