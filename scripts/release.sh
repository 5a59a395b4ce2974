#!/usr/bin/env bash
# What a publisher runs before uploading to Galaxy: antsibull-changelog release for the version
# in galaxy.yml (the fragments go into changelogs/changelog.yaml and CHANGELOG.rst and are
# removed), then ansible-galaxy collection build. Commit the changelog, then publish the artifact.
# Usage: ./scripts/release.sh [OUTPUT_DIR [TREE]]  (default: BUILD_DIR/dist, this checkout)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
output="$(mkdir -p "${1:-$BUILD_DIR/dist}" && cd "${1:-$BUILD_DIR/dist}" && pwd)"
cd "${2:-$ROOT}"
if compgen -G 'changelogs/fragments/*.y*ml' >/dev/null; then
  antsibull-changelog release
else
  echo "==> no changelog fragment to release"
fi
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
ansible-galaxy collection build --force --output-path "$output" .
