#!/usr/bin/env bash
# Optional: the PyTorch peer of the bench (#13): a virtual environment with PyTorch 2.13 (CPU build) under .cache/.
#
#   .cache/torch-venv  (python3 -m venv)  +  pip install torch==2.13.0  from the machine's package index
# bench/torch.ts runs bench/pytorch/step.py with .cache/torch-venv/bin/python when it imports torch, else with
# Debian's /usr/bin/python3 (python3-torch), else the bench report says in its first lines that PyTorch was not run.
# Contract:
#   - Idempotent: exits 0 at once ("torch: ready ...") when the venv imports torch 2.13.
#   - Never fails the caller when no wheel is found: one line "torch: skipped: no wheel found (...)", exit 0.
#   - $TRAM_CACHE_DIR replaces .cache/ (the venv is then $TRAM_CACHE_DIR/torch-venv).
#   - TRAM_TORCH=off skips it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${TRAM_CACHE_DIR:-$root/.cache}"
venv="$cache/torch-venv"
spec="torch==2.13.0"
t0=$(date +%s)
say() { echo "torch: $*"; }

if [ "${TRAM_TORCH:-}" = off ]; then say "skipped: TRAM_TORCH=off"; exit 0; fi
version() { "$venv/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null; }
if [ -x "$venv/bin/python" ] && v=$(version) && [[ "$v" == 2.13.* ]]; then say "ready (PyTorch $v in $venv; nothing to do)"; exit 0; fi

mkdir -p "$cache"
if ! python3 -m venv --clear "$venv" >"$cache/torch-venv.log" 2>&1; then
  say "skipped: no venv (python3 -m venv failed: $(tail -1 "$cache/torch-venv.log"); Debian: apt-get install python3-venv)"
  exit 0
fi
# Here the index holds the CPU build (torch-2.13.0+cpu); from PyPI the default Linux build also pulls CUDA libraries.
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --retries 1 -q "$spec" >>"$cache/torch-venv.log" 2>&1; then
  why=$(grep -m1 '^ERROR' "$cache/torch-venv.log" || tail -1 "$cache/torch-venv.log")
  rm -rf "$venv"
  say "skipped: no wheel found (pip install $spec: $why)"
  exit 0
fi
v=$(version) || { echo "torch: FAILED: $spec installed into $venv but does not import (see $cache/torch-venv.log)" >&2; exit 1; }
say "ready (PyTorch $v in $venv, installed in $(( $(date +%s) - t0 )) s)"
