# Sourced: start_emulator ORG [flags...] starts tests/emulator/run.py in the background,
# exports EMULATOR_URL and stops the emulator when the calling script exits.
start_emulator() {
  local org="$1"; shift
  local log
  log="$(mktemp)"
  "$VENV/bin/python" "$ROOT/tests/emulator/run.py" --org "$org" --port 0 "$@" >"$log" 2>&1 &
  EMULATOR_PID=$!
  trap 'kill "$EMULATOR_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    EMULATOR_URL="$(sed -n 's/^EMULATOR_URL=//p' "$log")"
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$EMULATOR_URL" ] || { echo "emulator did not start" >&2; cat "$log" >&2; return 1; }
  export EMULATOR_URL
}
