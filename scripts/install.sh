#!/usr/bin/env bash
# Installs what the wallet and its tests need: system packages (when root), the pinned local chain and
# Solidity compiler (npm), and the Python package in .venv. Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_dev=0
[[ "${1:-}" == "--dev" ]] && want_dev=1

# System libraries: the Secret Service (keyring tests), D-Bus, what Qt needs to draw offscreen and on an X11
# desktop (its xcb platform plugin: `ldd .venv/lib/python3*/site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6`),
# and, for the test that runs the app in a real X server, Xvfb and xdotool.
APT_PACKAGES=(gnome-keyring libsecret-tools dbus dbus-x11 libegl1 libgl1 libxkbcommon0 libfontconfig1
              libglib2.0-0 fonts-dejavu-core
              libxcb1 libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
              libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
              libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0
              xvfb xdotool)
missing=()
if command -v dpkg >/dev/null; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "note: missing system packages (install them with your package manager): ${missing[*]}" >&2
  fi
fi

# The local chain (anvil) and solc-js, pinned by contracts/package-lock.json.
if [[ ! -x contracts/node_modules/.bin/anvil ]] || [[ contracts/package-lock.json -nt contracts/node_modules ]]; then
  echo "==> npm install (contracts/)"
  # `npm install` with the committed lock file: `npm ci` rejects locks that list only this platform's
  # optional anvil binary. Versions are pinned exactly in package.json; --no-save leaves both files as they are.
  npm install --prefix contracts --no-save --no-audit --no-fund --loglevel=error
  touch contracts/node_modules
fi

# Python package.
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> python venv (.venv)"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$( (cat pyproject.toml; echo "dev=$want_dev") | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "==> pip install"
  .venv/bin/python -m pip install -q --upgrade pip
  if ((want_dev)); then
    .venv/bin/python -m pip install -q -e '.[dev]'
  else
    .venv/bin/python -m pip install -q -e .
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
