#!/usr/bin/env bash
# Every test: the emulator's own suite, unit tests, ansible-test sanity and the integration targets.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/emulator.sh"

echo "==> pytest: emulator, unit, end-to-end playbook and ecosystem (AWX runner, galaxy build, docs) tests"
(cd "$COLLECTION_DIR" && python -m pytest -q -p no:cacheprovider tests/emulator/tests tests/unit tests/e2e tests/ecosystem)

# ansible-test resolves its working directory physically, so it gets a real copy of the tree
# (the files git tracks or would track) under an ansible_collections/alicloud/bastionhost path.
TEST_TREE="$COLLECTIONS_ROOT/ansible-test/ansible_collections/alicloud/bastionhost"
rm -rf "$TEST_TREE" && mkdir -p "$TEST_TREE"
(cd "$ROOT" && python scripts/copy_tree.py "$TEST_TREE")

# ansible-test bootstraps pip in its venvs with a script from a host outside the package
# registries; tests/utils/get_pip.py does the same from ensurepip and the index.
pip_version="$(python -c 'import re, os, ansible_test; p = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"); print(re.search(r"pip=.([0-9.]+).", open(p).read()).group(1))')"
mkdir -p "$HOME/.ansible/test/cache"
cp "$ROOT/tests/utils/get_pip.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"

echo "==> ansible-test sanity"
run_quietly() {  # pip's chatter from ansible-test's venv setup goes to a log, shown on failure
  local log="$COLLECTIONS_ROOT/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    grep -v -e "^WARNING: Location 'file:" -e '^Looking in' "$log"
    return 1
  fi
  grep -e '^Running' -e '^ERROR' -e '^WARNING: Reviewing' -e 'passed\|failed' "$log" || true
}
(cd "$TEST_TREE" && run_quietly sanity ansible-test sanity --python 3.11 --requirements)

echo "==> ansible-test integration (against the emulator)"
start_emulator "$ROOT/tests/emulator/orgs/demo.yml"; demo_url="$EMULATOR_URL"
start_emulator "$ROOT/tests/emulator/orgs/no-rd.yml"; no_rd_url="$EMULATOR_URL"
start_emulator "$ROOT/tests/emulator/orgs/no-members.yml"; no_members_url="$EMULATOR_URL"
start_emulator "$ROOT/tests/emulator/orgs/demo.yml" --qps 3; qps_url="$EMULATOR_URL"
start_emulator "$ROOT/tests/emulator/orgs/demo.yml" --fault-rate 0.2 --seed 7; faults_url="$EMULATOR_URL"
cat > "$TEST_TREE/tests/integration/integration_config.yml" <<CONFIG
emulator_url: $demo_url
emulator_no_rd_url: $no_rd_url
emulator_no_members_url: $no_members_url
emulator_qps_url: $qps_url
emulator_faults_url: $faults_url
CONFIG
(cd "$TEST_TREE" && ansible-test integration --python 3.11 --requirements)

echo "==> ansible-lint (production profile): roles, playbooks, molecule"
(cd "$ROOT" && ansible-lint --nocolor roles playbooks extensions)

echo "==> molecule (the roles against the emulator: converge, idempotence, verify)"
(cd "$ROOT" && ANSIBLE_NOCOLOR=1 molecule test --all)
