# Sourced by the other scripts: a virtualenv with every requirement, and the collection made
# importable by Ansible under an `ansible_collections/alicloud/bastionhost` path.
# Sets ROOT, VENV, COLLECTIONS_ROOT and COLLECTION_DIR and puts the venv first on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ALICLOUD_BH_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when a requirements file changed.
requirements_stamp="$VENV/.requirements.sha256"
wanted="$(cat "$ROOT/requirements.txt" "$ROOT/tests/requirements.txt" "$ROOT/tests/ecosystem/requirements.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$requirements_stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing requirements into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/requirements.txt" -r "$ROOT/tests/requirements.txt"
  echo "$wanted" > "$requirements_stamp"
fi

# ansible-test and Ansible find the collection through a path ending in
# ansible_collections/alicloud/bastionhost; it lives outside the checkout so nothing loops.
COLLECTIONS_ROOT="${ALICLOUD_BH_COLLECTIONS:-${TMPDIR:-/tmp}/alicloud-bastionhost-$(id -u)/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)}"
COLLECTION_DIR="$COLLECTIONS_ROOT/ansible_collections/alicloud/bastionhost"
mkdir -p "$(dirname "$COLLECTION_DIR")"
ln -sfn "$ROOT" "$COLLECTION_DIR"

export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_ROOT"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export PYTHONPATH="$COLLECTIONS_ROOT${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
