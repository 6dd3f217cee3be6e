#!/usr/bin/env bash
# Compatibility run (product-spec: Node-RED 4 and 5): the unit/integration suite (mocha's
# default config: test/unit + test/nodes) on Node 22 with Node-RED 5, both installed from the
# npm registry into .compat/ (git-ignored), apart from the project's own node_modules, so that
# every other npm script keeps running on the machine's Node and Node-RED 4.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
prefix="$root/.compat"
node_spec="${COMPAT_NODE:-node@22}"
red_spec="${COMPAT_NODE_RED:-node-red@^5}"

mkdir -p "$prefix"
# A package.json of its own, so npm never walks up to the project's.
[ -f "$prefix/package.json" ] || printf '{ "name": "compat-run", "private": true }\n' >"$prefix/package.json"
echo "compat: installing $node_spec and $red_spec into .compat/"
npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "$node_spec" "$red_spec"

node22="$prefix/node_modules/.bin/node"
red_main="$("$node22" -p "require.resolve('node-red', { paths: ['$prefix'] })")"
[ -x "$node22" ] || { echo "compat: no node binary at $node22" >&2; exit 1; }
case "$red_main" in "$prefix"/*) ;; *) echo "compat: node-red resolved outside .compat: $red_main" >&2; exit 1 ;; esac

echo "compat: mocha (test/unit + test/nodes) on $("$node22" --version) with Node-RED from $red_main"
NODE_RED_PATH="$red_main" COMPAT_EXPECT_NODE_MAJOR=22 COMPAT_EXPECT_NODE_RED_MAJOR=5 \
  "$node22" node_modules/mocha/bin/mocha.js --require scripts/compat/report-versions.ts
