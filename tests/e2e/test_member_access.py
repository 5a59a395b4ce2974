"""Issue 23 end to end: from a bastion host with no members, site.yml with its last step asked for
(bastionhost_grant_member_access) adds the members, imports their assets into an asset group per member
and type, gives every host the account ops with a shared key, and makes each member's team a user group
granted its hosts. Checked through the official SDK, as a person would look: ListHostsForUser of every
team user is exactly the hosts imported from its members, every such host has the account on the key;
no secret appears in the output at -vvvv; a rerun changes nothing and writes nothing."""
import base64
import json
import os
import re

import yaml
from alibabacloud_tea_openapi.utils_models import Config
from alibabacloud_yundun_bastionhost20191209 import models as bh_models
from alibabacloud_yundun_bastionhost20191209.client import Client as BastionhostClient
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fixture import DEMO_ORG

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(ROOT, 'playbooks', 'site.yml')
GRANT = os.path.join(ROOT, 'playbooks', 'grant_member_access.yml')
DEMO_VARS = os.path.join(ROOT, 'playbooks', 'vars', 'demo.yml')
ENT01, HZ = 'bastionhost-cn-hz-ent01', 'cn-hangzhou'
MGMT_KEY_ID, MGMT_SECRET = 'LTAIdemoOps00001', 'demo-ops-secret'
PASSPHRASE = 'correct horse battery staple 42'


def encrypted_key():
    """An RSA key as `ssh-keygen -m PKCS8` writes it with a passphrase."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(PASSPHRASE.encode())).decode()


def sdk(emulator):
    return BastionhostClient(Config(access_key_id=MGMT_KEY_ID, access_key_secret=MGMT_SECRET,
                                    endpoint=emulator.endpoint, protocol='http', region_id=HZ))


def pages(list_call, request_model, items, **fields):
    found, number = [], 1
    while True:
        body = list_call(request_model(region_id=HZ, instance_id=ENT01, page_number=str(number), page_size='100',
                                       **fields)).body.to_map()
        found += body.get(items) or []
        if not body.get(items) or len(found) >= int(body.get('TotalCount') or 0):
            return found
        number += 1


def ecs_of_members():
    """``{account name: {ECS instance ids}}`` of the demo organisation's accounts."""
    with open(DEMO_ORG) as org:
        accounts = yaml.safe_load(org)['accounts']
    return dict((a['name'], set(i['id'] for i in a.get('ecs_instances') or [])) for a in accounts)


def run(ansible_playbook, emulator, playbook, key_path, *args):
    env = {'ALIBABA_CLOUD_ENDPOINT_URL': emulator.url, 'ALIBABA_CLOUD_ACCESS_KEY_ID': MGMT_KEY_ID,
           'ALIBABA_CLOUD_ACCESS_KEY_SECRET': MGMT_SECRET, 'ALIBABA_CLOUD_REGION_ID': HZ,
           'DEMO_KEY_FILE': str(key_path), 'DEMO_PASSPHRASE': PASSPHRASE}
    # The secrets reach the play the way users pass them: files and the environment, never the command line.
    return ansible_playbook.run(
        playbook, '-e', '@' + DEMO_VARS, '-e', 'bastionhost_grant_member_access=true',
        '-e', "bastionhost_share_key_private_key={{ lookup('ansible.builtin.file', lookup('ansible.builtin.env', "
              "'DEMO_KEY_FILE')) }}",
        '-e', "bastionhost_share_key_passphrase={{ lookup('ansible.builtin.env', 'DEMO_PASSPHRASE') }}",
        *args, env=env)


def test_every_team_user_is_granted_every_host_of_its_members_and_no_secret_is_shown(
        emulator, ansible_playbook, tmp_path):
    assert emulator.instance(ENT01)['members'] == [], 'the bastion host starts with no members'
    key = encrypted_key()
    key_path = tmp_path / 'ops_key'
    key_path.write_text(key)

    first = run(ansible_playbook, emulator, SITE, key_path, '-vvvv', '--diff')
    output = first.stdout + first.stderr
    assert first.returncode == 0, output[-4000:]

    # No secret anywhere at -vvvv: the key's lines, its Base64 form (what the API is sent), the passphrase.
    key_lines = [line for line in key.splitlines() if len(line) > 20 and not line.startswith('-----')]
    assert key_lines and not [line for line in key_lines if line in output]
    assert base64.b64encode(key.strip().encode() + b'\n').decode()[:40] not in output
    assert PASSPHRASE not in output
    assert base64.b64encode(PASSPHRASE.encode()).decode() not in output
    assert MGMT_SECRET not in output

    client = sdk(emulator)
    hosts = pages(client.list_hosts, bh_models.ListHostsRequest, 'Hosts')
    host_of_instance = dict((h['SourceInstanceId'], str(h['HostId'])) for h in hosts)
    with open(DEMO_VARS) as demo:
        teams = yaml.safe_load(demo)['bastionhost_teams']
    members = ecs_of_members()
    expected = {}
    for member, users in teams.items():
        for user in users:
            expected.setdefault(user, set()).update(host_of_instance[i] for i in members[member])
    assert all(expected.values()), 'every team has hosts to be granted'

    listed = pages(client.list_users, bh_models.ListUsersRequest, 'Users')
    users = dict((u['UserName'], str(u['UserId'])) for u in listed)
    for user, wanted in sorted(expected.items()):
        granted = pages(client.list_hosts_for_user, bh_models.ListHostsForUserRequest, 'Hosts',
                        user_id=users[user], mode='Authorized')
        assert set(str(h['HostId']) for h in granted) == wanted, user

    # Every imported host has the account ops, logging on with the shared key.
    keys = pages(client.list_host_share_keys, bh_models.ListHostShareKeysRequest, 'HostShareKeys')
    assert [k['HostShareKeyName'] for k in keys] == ['demo-ops-key']
    for host_id in host_of_instance.values():
        accounts = pages(client.list_host_accounts, bh_models.ListHostAccountsRequest, 'HostAccounts', host_id=host_id)
        assert [(a['HostAccountName'], a['ProtocolName'], a['HostShareKeyName']) for a in accounts] == [
            ('ops', 'SSH', 'demo-ops-key')], host_id

    # The run again, and its preview: nothing to do, no write.
    writes_before = len(emulator.writes())
    for args in (('--check', '--diff'), ()):
        again = run(ansible_playbook, emulator, GRANT, key_path, *args)
        assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
        assert 'changed=0' in again.stdout, again.stdout[-3000:]
    assert len(emulator.writes()) == writes_before

    # Selection picks exactly the members every criterion holds for, as rd_member's does: by tags (every pair must
    # match), by folder, by a folder and a tag (shop-prod alone, where either criterion alone picks three members),
    # and all within a folder (that folder's members only). A preview writes nothing.
    shop_prod, data_prod = '1000000000000011 (shop-prod)', '1000000000000012 (data-prod)'
    shop_dev, data_dev = '1000000000000021 (shop-dev)', '1000000000000022 (data-dev)'
    for select, chosen in (({'tags': {'team': 'shop', 'env': 'dev'}}, [shop_dev]),
                           ({'folder_ids': ['fd-dev']}, [shop_dev, data_dev]),
                           ({'folder_ids': ['fd-prod'], 'tags': {'team': 'shop'}}, [shop_prod]),
                           ({'all': True, 'folder_ids': ['fd-prod']}, [shop_prod, data_prod])):
        assert included_members(preview_selection(ansible_playbook, emulator, key_path, select)) == chosen, select
    assert len(emulator.writes()) == writes_before


def preview_selection(ansible_playbook, emulator, key_path, select):
    """grant_member_access.yml --check with only ``select`` (no named member; no team, since every team of an
    unselected member is refused)."""
    extra = {'bastionhost_members': [], 'bastionhost_teams': {}, 'bastionhost_access_select': select}
    preview = run(ansible_playbook, emulator, GRANT, key_path, '--check', '-e', json.dumps(extra))
    assert preview.returncode == 0, (preview.stdout + preview.stderr)[-3000:]
    return preview.stdout


def included_members(stdout):
    """The members the role went on to give access, as 'UID (display name)', in order."""
    return [re.search(r'\(item=(.*)\)$', line).group(1) for line in stdout.splitlines()
            if 'member.yml for localhost' in line]
