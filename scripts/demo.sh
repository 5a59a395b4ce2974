#!/usr/bin/env bash
# The main job, playbooks/site.yml, against the bundled emulator and its demo organisation
# (tests/emulator/orgs/demo.yml) on a fresh machine: sets everything up, previews the job,
# runs it, runs it again (nothing changes); then changes the demo world as the cloud would (an
# ECS instance renamed and readdressed, another released), runs the scheduled sync
# (playbooks/sync_member_assets.yml: the drift updated, the released instance's host removed),
# runs it again (nothing changes); gives each member's team access to its hosts
# (playbooks/grant_member_access.yml) and prints a summary.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/emulator.sh"

start_emulator "$ROOT/tests/emulator/orgs/demo.yml"
echo "==> emulator at $EMULATOR_URL"

# The demo organisation's management account; a real run takes its keys from the
# environment, a profile, the default credentials chain or an AWX credential instead.
export ALIBABA_CLOUD_ENDPOINT_URL="$EMULATOR_URL"
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIdemoOps00001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-ops-secret
export ALIBABA_CLOUD_REGION_ID=cn-hangzhou
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
cd "$ROOT"

echo "==> a Basic Edition bastion host: what the prerequisites check says (not fatal here)"
ansible-playbook playbooks/check_prerequisites.yml -e bastionhost_instance_id=bastionhost-cn-hz-basic01 \
  -e bastionhost_fail_on_unmet=false

echo "==> site.yml, preview (--check --diff)"
ansible-playbook playbooks/site.yml -e @playbooks/vars/demo.yml --check --diff
echo "==> site.yml (--diff)"
ansible-playbook playbooks/site.yml -e @playbooks/vars/demo.yml --diff
echo "==> site.yml again: nothing left to do"
ansible-playbook playbooks/site.yml -e @playbooks/vars/demo.yml | tee "$BUILD_DIR/logs/demo-rerun.log"

# emulator_admin ENDPOINT JSON: one of the emulator's admin endpoints (not signed, not an Alibaba Cloud API).
emulator_admin() {
  python - "$EMULATOR_URL/_emulator/$1" "$2" <<'PY'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={'Content-Type': 'application/json'})
print(urllib.request.urlopen(request).read().decode())
PY
}
echo "==> the world changes: shop-prod's shop-web-3 (i-bp1pa8bka5mh5qa) renamed and readdressed, shop-api-2 (i-bp1xjn62gavumjd) released"
emulator_admin assets/update '{"instance_id": "i-bp1pa8bka5mh5qa", "set": {"name": "shop-web-3-blue", "private_ip": "10.11.1.113"}}'
emulator_admin assets/release '{"instance_id": "i-bp1xjn62gavumjd"}'
# The sync publishes its per-member counts with set_stats (an AWX job's artifacts); show them here too.
echo "==> sync_member_assets.yml (--diff): the scheduled job updates the drift and removes the released instance's host"
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook playbooks/sync_member_assets.yml -e @playbooks/vars/demo.yml --diff \
  | tee "$BUILD_DIR/logs/demo-sync.log"
echo "==> sync_member_assets.yml again: nothing left to do"
ansible-playbook playbooks/sync_member_assets.yml -e @playbooks/vars/demo.yml | tee "$BUILD_DIR/logs/demo-sync-rerun.log"

# O&M access, once: the key the account ops logs on with is made here (in a real run it comes from a vault or
# an AWX credential); it reaches the play through a file lookup, never the command line.
DEMO_KEY_FILE="$BUILD_DIR/demo-ops-key"
export DEMO_KEY_FILE
python - "$DEMO_KEY_FILE" <<'PY'
import os, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
key = ed25519.Ed25519PrivateKey.generate().private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
with os.fdopen(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'wb') as handle:
    handle.write(key)
PY
echo "==> grant_member_access.yml (--diff): every member's hosts get the account ops on the shared key demo-ops-key, each team its hosts"
ansible-playbook playbooks/grant_member_access.yml -e @playbooks/vars/demo.yml --diff \
  -e "bastionhost_share_key_private_key={{ lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'DEMO_KEY_FILE')) }}" \
  | tee "$BUILD_DIR/logs/demo-access.log"

echo "==> summary"
python - "$EMULATOR_URL" "$BUILD_DIR/logs/demo-rerun.log" "$BUILD_DIR/logs/demo-sync.log" "$BUILD_DIR/logs/demo-sync-rerun.log" <<'PY'
import json, re, sys, urllib.request
url, rerun_log, sync_log, sync_rerun_log = sys.argv[1:5]
state = json.load(urllib.request.urlopen(url + '/_emulator/state'))
calls = json.load(urllib.request.urlopen(url + '/_emulator/calls'))['calls']
bastion = next(i for i in state['instances'] if i['instance_id'] == 'bastionhost-cn-hz-ent01')
print('bastion host %s: %d member accounts: %s' % (bastion['instance_id'], len(bastion['members']), ', '.join(bastion['members'])))
kinds = {}
for host in bastion['hosts']:
    kinds.setdefault(host.get('InstanceMemberId'), {}).setdefault('ecs', 0)
    kinds[host.get('InstanceMemberId')]['ecs'] += 1
for db in bastion['databases']:
    kind = {'Rds': 'rds', 'PolarDB': 'polardb'}[db['Source']]
    kinds.setdefault(db.get('InstanceMemberId'), {}).setdefault(kind, 0)
    kinds[db.get('InstanceMemberId')][kind] += 1
print('imported assets: %d' % (len(bastion['hosts']) + len(bastion['databases'])))
for member, counts in sorted(kinds.items()):
    print('  %s: %s' % (member, ', '.join('%s %d' % (k, counts.get(k, 0)) for k in ('ecs', 'rds', 'polardb'))))
writes = {}
for call in calls:
    if call['write']:
        writes[call['action']] = writes.get(call['action'], 0) + 1
print('API calls answered: %d, of which writes: %s (the --check preview made none)' % (
    len(calls), ', '.join('%s %d' % kv for kv in sorted(writes.items()))))
recap = re.search(r'changed=(\d+)', open(rerun_log).read())
print('second run: changed=%s' % recap.group(1))
host = next(h for h in bastion['hosts'] if h['SourceInstanceId'] == 'i-bp1pa8bka5mh5qa')
print('sync: i-bp1pa8bka5mh5qa updated in place: %s at %s (was shop-web-3 at 10.11.1.13)' % (
    host['HostName'], host['HostPrivateAddress']))
released = [h for h in bastion['hosts'] if h['SourceInstanceId'] == 'i-bp1xjn62gavumjd']
print('sync: released i-bp1xjn62gavumjd %s' % ('still on the bastion host' if released else 'removed'))
print('sync: %s' % re.search(r'"msg": "(imported: .*)"', open(sync_log).read()).group(1))
recap = re.search(r'changed=(\d+)', open(sync_rerun_log).read())
print('sync again: changed=%s' % recap.group(1))
accounts = bastion.get('host_accounts') or []
key_names = dict((k['HostShareKeyId'], k['HostShareKeyName']) for k in bastion.get('share_keys') or [])
print('O&M access: the account ops on %d of %d hosts (shared key %s)' % (
    len([a for a in accounts if a.get('HostAccountName') == 'ops']), len(bastion['hosts']),
    ', '.join(sorted(set(key_names.get(a.get('HostShareKeyId'), 'none') for a in accounts))) or 'none'))
groups = dict((g['UserGroupId'], g) for g in bastion.get('user_groups') or [])
for grant in bastion.get('grants') or []:
    group = groups.get(grant['UserGroupId'], {})
    print('  user group %s (%s): %d asset groups granted' % (
        grant.get('UserGroupName'), ', '.join(group.get('UserNames') or []) or 'no users', len(grant.get('HostGroups') or [])))
PY
