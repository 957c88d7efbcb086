#!/usr/bin/env bash
# System packages the full test suite needs (Debian). Safe to run again; does nothing when all are present.
# Each part of the project lists its packages here.
set -euo pipefail
pkgs=()
need() { dpkg -s "$1" >/dev/null 2>&1 || pkgs+=("$1"); }

# --- packages (one `need` line each, with what needs it)
# test/jupyter: the TRAM kernelspec under Debian's Jupyter (jupyter nbconvert --execute)
need jupyter-client
need python3-nbclient
need jupyter-nbconvert
need python3-ipykernel
need chromium   # test/charts/renderer.test.ts: the chart renderer in headless Chromium (playwright-core)
                # test/e2e: code-server driven through playwright-core
need libkrb5-dev  # code-server (scripts/setup-code-server.sh): the `kerberos` native module of VS Code builds against it
need ripgrep      # code-server: VS Code's search; Debian's rg replaces @vscode/ripgrep's download
need iproute2     # test/faults: `ss`, the listening-socket checks of the fault suite

# ---
if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${pkgs[*]} — run: sudo apt-get install -y ${pkgs[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
fi
