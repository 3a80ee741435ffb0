#!/usr/bin/env bash
# Runs its arguments inside a private D-Bus session that has a real, unlocked Secret Service (gnome-keyring),
# so the keyring tests exercise the same code path as a desktop session:
#
#   scripts/with-secret-service.sh pytest tests/keyring
#
# The keyring lives in a throwaway directory with a random password generated for this run; the password is
# never printed, never put on a command line and never exported to the command. Both go away when the command
# ends. The user's own keyring and D-Bus session are not touched.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 64
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool is missing. Install it with:" >&2
    echo "  apt-get install -y --no-install-recommends gnome-keyring libsecret-tools dbus" >&2
    exit 69
  fi
done

# A prompt on an X display would wait for a person; with no display the daemon fails fast instead.
exec env -u DISPLAY -u WAYLAND_DISPLAY dbus-run-session -- bash -c '
  set -euo pipefail
  home=$(mktemp -d "${TMPDIR:-/tmp}/ai-wallet-keyring.XXXXXX")
  trap '\''rm -rf "$home"'\'' EXIT
  chmod 700 "$home"
  # 144 random bits; printf, not echo: a trailing newline would become part of the password.
  pw=$(head -c 18 /dev/urandom | base64 | tr -d "\n")
  # The daemon keeps its keyrings and control socket in the throwaway dir, so a run never meets the
  # login keyring of an earlier run (which would be locked under another password).
  out=$(printf %s "$pw" | XDG_DATA_HOME="$home" XDG_RUNTIME_DIR="$home" \
        gnome-keyring-daemon --unlock --components=secrets)
  unset pw
  [[ -n "$out" ]] && eval "export $out"
  "$@"
' bash "$@"
