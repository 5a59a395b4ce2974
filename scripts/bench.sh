#!/usr/bin/env bash
# Benchmark of member_asset at scale (20 members x 100 assets by default) against local
# emulators: first import, rerun, check mode, purge, and the per-asset loop alternative.
# Options: ./scripts/bench.sh --help; what it measures: tests/perf/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec "$VENV/bin/python" "$ROOT/tests/perf/bench.py" "$@"
