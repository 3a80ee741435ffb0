#!/usr/bin/env bash
# Opens the wallet on the embedded local devnet (installing what is missing the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/ai-wallet "$@"
