#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) into the project: .cache/code-server/.
# Cached: does nothing when it is already installed. Prints the install folder on its last line.
#
# Why not `npm i -g code-server`: under npm 11 its postinstall (a nested `npm install` in lib/vscode)
# collides with the outer install, and it would be global. The same steps are done here one by one:
#   1. npm pack code-server@4.100.3 (the last release whose engines.node is 20), unpack;
#   2. npm install --omit=dev --ignore-scripts, then build argon2 explicitly;
#   3. lib/vscode: npm install --omit=dev against the system Node headers, with Debian's ripgrep placed
#      in @vscode/ripgrep's download cache (its postinstall would otherwise download from GitHub);
#   4. the symlinks code-server's postinstall makes; npm install --omit=dev in lib/vscode/extensions.
set -euo pipefail

VERSION=4.100.3
RIPGREP_PKG=1.15.11           # @vscode/ripgrep version in lib/vscode's shrinkwrap
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/code-server"
stamp="$dest/.installed-$VERSION"

if [ -f "$stamp" ]; then
  echo "$dest"
  exit 0
fi

# --- system packages: Kerberos headers (the `kerberos` native module) and ripgrep (search in VS Code).
missing=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "code-server needs the Debian packages: ${missing[*]}" >&2
    echo "install them with:  sudo apt-get install -y ${missing[*]}   (then run this again)" >&2
    exit 1
  fi
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "code-server $VERSION needs Node 20 (this is Node $(node --version)); install Node 20 and run this again" >&2
  exit 1
fi
if [ ! -f /usr/include/node/node_api.h ] && [ -z "${npm_config_nodedir:-}" ]; then
  echo "Node's C headers are missing (/usr/include/node): install them with  apt-get install -y libnode-dev  or set npm_config_nodedir" >&2
  exit 1
fi
nodedir="${npm_config_nodedir:-/usr}"

t0=$(date +%s)
mkdir -p "$root/.cache"
work="$(mktemp -d "$root/.cache/code-server-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { echo "[code-server] $*" >&2; }
npm_q=(--no-audit --no-fund --loglevel=error)

step "npm pack code-server@$VERSION"
(cd "$work" && npm pack "code-server@$VERSION" --silent >/dev/null && tar xzf "code-server-$VERSION.tgz")
pkg="$work/package"

step "server dependencies"
(cd "$pkg" && npm install --omit=dev --ignore-scripts "${npm_q[@]}" >&2)
(cd "$pkg" && npm rebuild argon2 --foreground-scripts --dangerously-allow-all-scripts "${npm_q[@]}" >&2)
[ -n "$(find "$pkg/node_modules/argon2" -name '*.node' -print -quit)" ] || { echo "argon2 did not build" >&2; exit 1; }

step "ripgrep from Debian into @vscode/ripgrep's download cache"
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RIPGREP_PKG"
mkdir -p "$rg_cache"
rg_tmp="$(mktemp -d)"
cp "$(command -v rg)" "$rg_tmp/rg"
tar czf "$rg_cache/$RIPGREP_ASSET" -C "$rg_tmp" rg
rm -rf "$rg_tmp"

step "VS Code dependencies (native modules build against $nodedir)"
(cd "$pkg/lib/vscode" && npm_config_nodedir="$nodedir" npm_config_yes=true \
  npm install --omit=dev --foreground-scripts --dangerously-allow-all-scripts "${npm_q[@]}" >&2)
# (@parcel/watcher ships its binary in a platform package, @parcel/watcher-linux-x64-glibc.)
for m in @vscode/spdlog node-pty @parcel/watcher-linux-x64-glibc; do
  [ -n "$(find "$pkg/lib/vscode/node_modules/$m" -name '*.node' -print -quit 2>/dev/null)" ] \
    || { echo "lib/vscode: native module $m has no .node binary: its install script did not run" >&2; exit 1; }
done
[ -x "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || { echo "lib/vscode: @vscode/ripgrep has no bin/rg" >&2; exit 1; }

step "links and built-in extensions"
ln -sfn node_modules "$pkg/lib/vscode/node_modules.asar"
ln -sfn code-linux.sh "$pkg/lib/vscode/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$pkg/lib/vscode/bin/helpers/browser.sh"
(cd "$pkg/lib/vscode/extensions" && npm install --omit=dev --foreground-scripts --dangerously-allow-all-scripts "${npm_q[@]}" >&2)

rm -rf "$dest"
mv "$pkg" "$dest"
touch "$dest/.installed-$VERSION"
step "installed in $(( $(date +%s) - t0 )) s"
echo "$dest"
