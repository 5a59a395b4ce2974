# Sourced: start_emulator ORG [flags...] starts tests/emulator/run.py in the background and
# sets EMULATOR_URL; every emulator started this way stops when the calling script exits.
EMULATOR_PIDS=()
stop_emulators() {
  local pid
  for pid in "${EMULATOR_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_emulators EXIT

start_emulator() {
  local org="$1"; shift
  local log
  log="$(mktemp)"
  python "$ROOT/tests/emulator/run.py" --org "$org" --port 0 "$@" >"$log" 2>&1 &
  EMULATOR_PIDS+=("$!")
  EMULATOR_URL=""
  for _ in $(seq 1 100); do
    EMULATOR_URL="$(sed -n 's/^EMULATOR_URL=//p' "$log")"
    [ -n "$EMULATOR_URL" ] && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  echo "the emulator for $org did not start:" >&2
  cat "$log" >&2
  return 1
}
