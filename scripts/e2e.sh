#!/usr/bin/env bash
# The `e2e` stage of `npm test`: the packaged extension in a real VS Code (code-server) driven by chromium.
#   1. code-server 4.100.3 in .cache/code-server (installed once, ~75 s; then cached)
#   2. chromium (Debian package; scripts/setup-system.sh installs it)
#   3. the .vsix (npm run package, reusing the build the test runner just made)
#   4. node --test out/test/e2e/   (screenshot and driver results in test-results/)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
bash scripts/setup-code-server.sh >/dev/null
chromium="${TRAM_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: $chromium is missing: install it with  apt-get install -y chromium  (or run scripts/setup-system.sh)" >&2
  exit 1
fi
[ -f out/test/e2e/notebook.test.js ] || npm run --silent build
node scripts/package.mjs --no-build
echo "e2e: code-server, chromium and the .vsix ready in $(( $(date +%s) - t0 )) s"
node --test --test-concurrency=1 --test-reporter=spec out/test/e2e/*.test.js   # files, not the folder (Node 22+)
