# shellcheck shell=bash
# Sourced by the other scripts: a virtualenv with every requirement, and the collection made
# importable by Ansible under an `ansible_collections/alicloud/bastionhost` path.
# Sets ROOT, BUILD_DIR, VENV, COLLECTIONS_ROOT and COLLECTION_DIR, puts the venv first on PATH,
# and points HOME and every cache at BUILD_DIR: nothing the scripts run writes under the
# user's home directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ALICLOUD_BH_PREPARED_VENV: a virtualenv the caller made (the test matrix), used as it is.
VENV="${ALICLOUD_BH_PREPARED_VENV:-${ALICLOUD_BH_VENV:-$ROOT/.venv}}"
PYTHON="${PYTHON:-python3}"

# Everything the scripts write besides .venv: venvs of the test matrix, caches, logs, the
# collections path. Outside the checkout, because the collections path links back to it.
BUILD_DIR="${ALICLOUD_BH_BUILD:-${TMPDIR:-/tmp}/alicloud-bastionhost-$(id -u)/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)}"
mkdir -p "$BUILD_DIR/logs"

# real_python NAME: the interpreter NAME runs, resolved while HOME is still the user's (a
# pyenv shim finds its versions through HOME).
real_python() {
  "$1" -c 'import sys; print(sys.executable)'
}

# HOME and the caches that do not follow HOME: ~/.ansible (Ansible's temp, ansible-test's
# sanity venvs and cache, the collections ansible-lint links), ~/.cache (pip, molecule).
isolate_home() {
  if [ -z "${PYENV_ROOT:-}" ] && command -v pyenv >/dev/null; then
    PYENV_ROOT="$(pyenv root)"  # pyenv's shims find it through HOME otherwise
    export PYENV_ROOT
  fi
  export HOME="$BUILD_DIR/home"
  export XDG_CACHE_HOME="$HOME/.cache" XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
  export ANSIBLE_HOME="$HOME/.ansible"
  export PIP_CACHE_DIR="$BUILD_DIR/pip-cache"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  mkdir -p "$HOME"
}

# ensure_venv DIR PYTHON PIP_ARGS...: a virtualenv at DIR made by PYTHON, holding what
# `pip install PIP_ARGS` installs; reinstalled only when PIP_ARGS or a requirements file changed.
ensure_venv() {
  local venv="$1" python="$2"; shift 2
  local stamp="$venv/.requirements.sha256" wanted
  wanted="$( { printf '%s\n' "$python" "$@"; cat "$ROOT"/requirements.txt "$ROOT"/tests/requirements.txt \
    "$ROOT"/tests/ecosystem/requirements.txt; } | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  echo "==> installing into $venv: $*"
  if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
    echo "$venv exists and is not a virtualenv: move it away or choose another path" >&2
    return 1
  fi
  "$python" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet "$@"
  echo "$wanted" > "$stamp"
}

PYTHON="$(real_python "$PYTHON")"
isolate_home
if [ -z "${ALICLOUD_BH_PREPARED_VENV:-}" ]; then
  ensure_venv "$VENV" "$PYTHON" -r "$ROOT/requirements.txt" -r "$ROOT/tests/requirements.txt"
fi

# ansible-test and Ansible find the collection through a path ending in
# ansible_collections/alicloud/bastionhost that links to the checkout.
COLLECTIONS_ROOT="$BUILD_DIR/collections"
COLLECTION_DIR="$COLLECTIONS_ROOT/ansible_collections/alicloud/bastionhost"
mkdir -p "$(dirname "$COLLECTION_DIR")"
# relinked only when needed: a script run by another must not make it vanish for a moment
[ "$(readlink "$COLLECTION_DIR" || true)" = "$ROOT" ] || ln -sfn "$ROOT" "$COLLECTION_DIR"

# Scripts this one runs (release.sh from test.sh, say) use the same virtualenv as it is.
export ALICLOUD_BH_PREPARED_VENV="$VENV"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_ROOT"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export PYTHONPATH="$COLLECTIONS_ROOT${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
