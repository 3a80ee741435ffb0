#!/usr/bin/env bash
# Installs everything and runs every check: ruff, the import contracts, and all tests (unit, chain, keyring,
# e2e, gui) against real parts: anvil, the gateway on loopback, a real Secret Service, Qt offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev

export QT_QPA_PLATFORM=offscreen
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff"
ruff check .
echo "==> import contracts"
lint-imports
echo "==> pytest"
exec scripts/with-secret-service.sh pytest -p no:cacheprovider "$@"
