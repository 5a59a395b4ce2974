#!/usr/bin/env bash
# The main job against the bundled emulator and its demo organisation
# (tests/emulator/orgs/demo.yml), on a fresh machine: sets everything up, then runs it.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/emulator.sh"

start_emulator "$ROOT/tests/emulator/orgs/demo.yml"
echo "==> emulator at $EMULATOR_URL"

# The demo organisation's management account; a real run takes its keys from the
# environment, a profile or the default credentials chain instead.
export ALIBABA_CLOUD_ENDPOINT_URL="$EMULATOR_URL"
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIdemoMgmt0001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-mgmt-secret
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
cd "$ROOT"

echo "==> prerequisites of the Enterprise Edition bastion host"
ansible-playbook playbooks/check_prerequisites.yml -e bastionhost_instance_id=bastionhost-cn-hz-ent01

echo "==> prerequisites of the Basic Edition bastion host (reported, not fatal, to show the remediation)"
ansible-playbook playbooks/check_prerequisites.yml -e bastionhost_instance_id=bastionhost-cn-hz-basic01 \
  -e bastionhost_fail_on_unmet=false

echo "==> add every member account to the Enterprise Edition bastion host (preview, apply, rerun)"
ansible-playbook playbooks/onboard_member_accounts.yml -e bastionhost_instance_id=bastionhost-cn-hz-ent01 --check --diff
ansible-playbook playbooks/onboard_member_accounts.yml -e bastionhost_instance_id=bastionhost-cn-hz-ent01 --diff
ansible-playbook playbooks/onboard_member_accounts.yml -e bastionhost_instance_id=bastionhost-cn-hz-ent01 --diff

echo "==> import every member asset in both regions (preview, apply, rerun)"
assets=(-e bastionhost_instance_id=bastionhost-cn-hz-ent01 -e '{"bastionhost_asset_regions": ["cn-hangzhou", "cn-shanghai"]}')
ansible-playbook playbooks/import_member_assets.yml "${assets[@]}" --check
ansible-playbook playbooks/import_member_assets.yml "${assets[@]}" --diff
ansible-playbook playbooks/import_member_assets.yml "${assets[@]}" --diff

echo "==> write calls the emulator answered (the --check runs made none):"
python - "$EMULATOR_URL" <<'PY'
import json, sys, urllib.request
calls = json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/calls'))['calls']
writes = [c for c in calls if c['write']]
by_action = {}
for call in writes:
    by_action[call['action']] = by_action.get(call['action'], 0) + 1
print('%d API calls, %d writes: %s' % (len(calls), len(writes), ', '.join('%s %d' % kv for kv in sorted(by_action.items())) or 'none'))
PY
