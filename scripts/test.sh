#!/usr/bin/env bash
# The test command: ./scripts/test.sh [stage ...] runs the named stages, or all of them in this
# order, and ends with how long each took. A failed stage does not stop the others; the exit
# status is non-zero when one failed. Everything it writes, besides .venv, goes to the build
# directory (scripts/bootstrap.sh): nothing under the user's home directory.
set -euo pipefail

STAGES=(emulator unit e2e ecosystem sanity integration lint molecule matrix galaxy)
STAGE_HELP="  emulator     the emulator's own tests (pytest tests/emulator/tests)
  unit         unit tests (pytest tests/unit)
  e2e          playbooks end to end against the emulator (pytest tests/e2e)
  ecosystem    ansible-runner, the galaxy artifact, ansible-builder, docs (pytest tests/ecosystem)
  sanity       ansible-test sanity with shellcheck, on the newest ansible-core and its Python
  integration  ansible-test integration against emulators (tests/integration/targets)
  lint         ansible-lint, production profile
  molecule     molecule test --all (extensions/molecule)
  matrix       unit tests and the demo on the oldest and the newest ansible-core supported
  galaxy       changelog, galaxy artifact, galaxy-importer with ansible-lint: no error, no warning"

# Two lanes of stages run side by side when more than one stage runs (ALICLOUD_BH_TEST_LANES=1:
# one after another, output streamed). Stages that share files go in the same lane: lint and
# galaxy (the collection links ansible-lint makes), sanity and matrix (the ansible-core 2.21 venv).
LANES="${ALICLOUD_BH_TEST_LANES:-2}"
FIRST_LANE=(integration lint galaxy)

# The ansible-core releases the README claims, each on a Python it supports: the oldest and the newest.
OLDEST_CORE=2.16 OLDEST_PYTHON=3.10
NEWEST_CORE=2.21 NEWEST_PYTHON=3.13

usage() {
  echo "usage: $0 [stage ...]"
  echo "stages (all of them, in this order, when none is named):"
  echo "$STAGE_HELP"
}

# ----------------------------------------------------------------------------- helpers

run_pytest() {
  (cd "$COLLECTION_DIR" && python -m pytest -q -p no:cacheprovider "$@")
}

python_version() {
  python -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# python_executable X.Y: an interpreter of Python X.Y, pyenv's first.
python_executable() {
  local version="$1" found="" candidate
  for candidate in "${PYENV_ROOT:-/nonexistent}"/versions/"$version".*/bin/python"$version"; do
    [ -x "$candidate" ] && found="$candidate"
  done
  [ -n "$found" ] || found="$(command -v "python$version" || true)"
  if [ -z "$found" ] || ! "$found" -c '' 2>/dev/null; then
    echo "Python $version is not installed (pyenv install $version, or put python$version on PATH)" >&2
    return 1
  fi
  echo "$found"
}

# core_venv CORE X.Y: sets CORE_VENV to a virtualenv with ansible-core CORE on Python X.Y, the
# collection's requirements and what the unit tests and the demo need.
core_venv() {
  local core="$1" version="$2" python
  python="$(python_executable "$version")"
  CORE_VENV="$BUILD_DIR/venvs/core$core-py$version"
  # shellcheck disable=SC2046  # one argument per line of tests/requirements.txt
  ensure_venv "$CORE_VENV" "$python" -r "$ROOT/requirements.txt" "ansible-core==$core.*" \
    $(grep -E '^(pytest|hypothesis|PyYAML)\b' "$ROOT/tests/requirements.txt" | cut -d' ' -f1)
}

core_version() {
  "$1/bin/python" -c 'from ansible.release import __version__; print(__version__)'
}

ensure_shellcheck() {
  command -v shellcheck >/dev/null && return 0
  echo "==> installing shellcheck (Debian package)"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq shellcheck >/dev/null
}

# ansible-test resolves its working directory physically, so it gets a real copy of the tree
# (the files git tracks or would track) under an ansible_collections/alicloud/bastionhost path.
# prepare_test_tree NAME: sets TEST_TREE, a copy of its own for each stage.
prepare_test_tree() {
  TEST_TREE="$BUILD_DIR/ansible-test/$1/ansible_collections/alicloud/bastionhost"
  rm -rf "$TEST_TREE" && mkdir -p "$TEST_TREE"
  (cd "$ROOT" && python scripts/copy_tree.py "$TEST_TREE")
}

# provide_get_pip PYTHON: ansible-test bootstraps pip in its venvs with a script from a host
# outside the package registries; tests/utils/get_pip.py does the same from ensurepip and the
# index. It goes where that ansible-test (of PYTHON) looks for its cached copy.
provide_get_pip() {
  local pip_version
  pip_version="$("$1" - <<'PY'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
with open(path, encoding='utf-8') as handle:
    print(re.search(r"pip=.([0-9.]+).", handle.read()).group(1))
PY
)"
  local cached="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  mkdir -p "$(dirname "$cached")"
  cp "$ROOT/tests/utils/get_pip.py" "$cached.$$" && mv "$cached.$$" "$cached"  # whole, for a stage in the other lane
}

# run_quietly NAME COMMAND...: pip's chatter from ansible-test's venv setup goes to a log,
# shown when the command fails.
run_quietly() {
  local log="$BUILD_DIR/logs/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
  grep -e '^Running' -e '^ERROR' -e '^WARNING' -e 'passed\|failed' "$log" | grep -v -e 'Using locale' -e 'Reviewing previous' || true
}

# ----------------------------------------------------------------------------- stages

stage_emulator() { run_pytest tests/emulator/tests; }
stage_unit() { run_pytest tests/unit; }
stage_e2e() { run_pytest tests/e2e; }
stage_ecosystem() { run_pytest tests/ecosystem; }

stage_sanity() {
  ensure_shellcheck
  core_venv "$NEWEST_CORE" "$NEWEST_PYTHON"
  provide_get_pip "$CORE_VENV/bin/python"
  prepare_test_tree sanity
  cd "$TEST_TREE"
  PATH="$CORE_VENV/bin:$PATH"
  echo "==> ansible-core $(core_version "$CORE_VENV") on Python $NEWEST_PYTHON"
  run_quietly sanity ansible-test sanity --python "$NEWEST_PYTHON" --requirements
}

stage_integration() {
  provide_get_pip python
  prepare_test_tree integration
  start_emulator "$ROOT/tests/emulator/orgs/demo.yml"; local demo_url="$EMULATOR_URL"
  start_emulator "$ROOT/tests/emulator/orgs/no-rd.yml"; local no_rd_url="$EMULATOR_URL"
  start_emulator "$ROOT/tests/emulator/orgs/no-members.yml"; local no_members_url="$EMULATOR_URL"
  start_emulator "$ROOT/tests/emulator/orgs/demo.yml" --qps 3; local qps_url="$EMULATOR_URL"
  start_emulator "$ROOT/tests/emulator/orgs/demo.yml" --fault-rate 0.2 --seed 7; local faults_url="$EMULATOR_URL"
  cat > "$TEST_TREE/tests/integration/integration_config.yml" <<CONFIG
emulator_url: $demo_url
emulator_no_rd_url: $no_rd_url
emulator_no_members_url: $no_members_url
emulator_qps_url: $qps_url
emulator_faults_url: $faults_url
CONFIG
  cd "$TEST_TREE"
  # ALICLOUD_BH_INTEGRATION_TARGETS="rd_member member_asset" runs only those targets.
  local targets=()
  read -r -a targets <<<"${ALICLOUD_BH_INTEGRATION_TARGETS:-}"
  ansible-test integration --python "$(python_version)" --requirements "${targets[@]}"
}

stage_lint() {
  cd "$ROOT"
  ansible-lint --nocolor roles playbooks extensions
}

stage_molecule() {
  cd "$ROOT"
  NO_COLOR=1 ANSIBLE_NOCOLOR=1 molecule test --all
}

stage_matrix() {
  matrix_entry "$OLDEST_CORE" "$OLDEST_PYTHON"
  matrix_entry "$NEWEST_CORE" "$NEWEST_PYTHON"
}

matrix_entry() {
  local core="$1" version="$2" log="$BUILD_DIR/logs/demo-core$1-py$2.log"
  core_venv "$core" "$version"
  echo "==> ansible-core $(core_version "$CORE_VENV") on Python $version: unit tests"
  (cd "$COLLECTION_DIR" && "$CORE_VENV/bin/python" -m pytest -q -p no:cacheprovider tests/unit)
  echo "==> the demo on ansible-core $core, Python $version (output: $log)"
  if ! ALICLOUD_BH_PREPARED_VENV="$CORE_VENV" bash "$ROOT/scripts/demo.sh" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
  sed -n '/^==> summary/,$p' "$log"
}

stage_galaxy() {
  local out="$BUILD_DIR/galaxy" importer="$BUILD_DIR/venvs/galaxy-importer" artifact
  # shellcheck disable=SC2153  # PYTHON: the interpreter bootstrap.sh made .venv with
  ensure_venv "$importer" "$PYTHON" galaxy-importer
  rm -rf "$out" && mkdir -p "$out/tree" "$out/tmp"
  # Released and built as a publisher does (scripts/release.sh), in a copy: the checkout keeps
  # the fragments of unreleased changes.
  (cd "$ROOT" && python scripts/copy_tree.py "$out/tree")
  "$ROOT/scripts/release.sh" "$out" "$out/tree"
  artifact="$(echo "$out"/alicloud-bastionhost-*.tar.gz)"
  echo "==> galaxy-importer $("$importer/bin/python" -m pip show galaxy-importer | sed -n 's/^Version: //p') on $(basename "$artifact")"
  (cd "$out" && PATH="$importer/bin:$PATH" GALAXY_IMPORTER_CONFIG="$ROOT/scripts/galaxy-importer.cfg" \
    GALAXY_IMPORTER_TMP_ROOT_DIR="$out/tmp" GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$out/tmp" \
    python -m galaxy_importer.main "$artifact") | tee "$out/importer.log"
  if grep -E '^(WARNING|ERROR|CRITICAL)' "$out/importer.log"; then
    echo "galaxy-importer reported the problems above" >&2
    return 1
  fi
  grep -q '^Importer processing completed successfully' "$out/importer.log"
}

# ----------------------------------------------------------------------------- main

select_stages() {
  local name known stage
  SELECTED=()
  for name in "$@"; do
    if [ "$name" = -h ] || [ "$name" = --help ]; then
      usage
      exit 0
    fi
    known=false
    for stage in "${STAGES[@]}"; do [ "$name" = "$stage" ] && known=true; done
    if [ "$known" = false ]; then
      echo "unknown stage: $name (valid stages: ${STAGES[*]})" >&2
      exit 2
    fi
    SELECTED+=("$name")
  done
  [ "${#SELECTED[@]}" -gt 0 ] || SELECTED=("${STAGES[@]}")
}

# run_stage NAME: runs stage_NAME in a subshell (its cd, PATH and emulators stay there) with
# errexit in force, and appends "NAME STATUS SECONDS" to RESULTS. In lanes, its output goes to a
# log printed whole when it ends.
run_stage() {
  local name="$1" started=$SECONDS status log="$BUILD_DIR/logs/stage-$1.log"
  set +e
  if [ "$LANES" -gt 1 ]; then
    echo "---- $name started"
    (set -e; "stage_$name") </dev/null >"$log" 2>&1
    status=$?
    (
      flock 9  # the other lane prints whole logs too
      printf '\n======== %s\n' "$name"
      cat "$log"
    ) 9>"$RESULTS.lock"
  else
    printf '\n======== %s\n' "$name"
    (set -e; "stage_$name")
    status=$?
  fi
  set -e
  echo "$name $status $((SECONDS - started))" >> "$RESULTS"
}

in_first_lane() {
  local stage
  for stage in "${FIRST_LANE[@]}"; do [ "$1" = "$stage" ] && return 0; done
  return 1
}

# run_lanes: the selected stages of FIRST_LANE in the background, the others meanwhile.
run_lanes() {
  local stage first=() second=()
  for stage in "${SELECTED[@]}"; do
    if in_first_lane "$stage"; then first+=("$stage"); else second+=("$stage"); fi
  done
  (for stage in "${first[@]}"; do run_stage "$stage"; done) &
  for stage in "${second[@]}"; do run_stage "$stage"; done
  wait
}

print_summary() {
  local stage name status seconds failed=0
  echo
  echo "======== stage timings"
  printf '%-12s %-6s %5ds\n' setup ok "$SETUP_SECONDS"
  for stage in "${SELECTED[@]}"; do
    read -r name status seconds < <(grep "^$stage " "$RESULTS" || echo "$stage missing 0")
    [ "$status" = 0 ] || failed=1
    printf '%-12s %-6s %5ds\n' "$name" "$([ "$status" = 0 ] && echo ok || echo FAILED)" "$seconds"
  done
  printf '%-12s %-6s %5ds (wall)\n' total "$([ "$failed" = 0 ] && echo ok || echo FAILED)" "$SECONDS"
  return "$failed"
}

select_stages "$@"
SECONDS=0
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/emulator.sh"
SETUP_SECONDS=$SECONDS
RESULTS="$BUILD_DIR/logs/stage-results"
: > "$RESULTS"
if [ "$LANES" -gt 1 ] && [ "${#SELECTED[@]}" -gt 1 ]; then
  run_lanes
else
  LANES=1
  for stage in "${SELECTED[@]}"; do run_stage "$stage"; done
fi
if ! print_summary; then
  echo "failed stages: $(awk '$2 != 0 {print $1}' "$RESULTS" | xargs)" >&2
  exit 1
fi
