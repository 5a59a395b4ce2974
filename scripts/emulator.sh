# shellcheck shell=bash
# Sourced after bootstrap.sh: start_emulator ORG [run.py flags...] starts an emulator through
# tests/emulator/fixture.py (the one implementation) and sets EMULATOR_URL; every emulator
# started this way stops when the shell that started it exits.
EMULATOR_PIDS=()

stop_emulators() {
  if [ "${#EMULATOR_PIDS[@]}" -gt 0 ]; then
    python "$ROOT/tests/emulator/fixture.py" stop "${EMULATOR_PIDS[@]}" || true
    EMULATOR_PIDS=()
  fi
}

start_emulator() {
  local org="$1"; shift
  local started log
  log="$(mktemp "$BUILD_DIR/logs/emulator-XXXXXX.log")"
  started="$(python "$ROOT/tests/emulator/fixture.py" start --log "$log" --org "$org" "$@")"
  # shellcheck disable=SC2034  # read by the scripts that source this file
  EMULATOR_URL="$(sed -n 's/^EMULATOR_URL=//p' <<<"$started")"
  EMULATOR_PIDS+=("$(sed -n 's/^EMULATOR_PID=//p' <<<"$started")")
  # (re)armed on every start: a subshell does not inherit its parent's EXIT trap
  trap stop_emulators EXIT
}
