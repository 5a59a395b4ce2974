"""Writes whose answers are lost: the emulator applies a write, then answers 503 or drops the connection
(``--lost-response-rate``), and fails other calls outright (``--fault-rate``). The modules read back before they
try a write again, so importing 120 assets converges in at most three runs of the same playbook, with no asset
imported twice and no member added twice, and nothing rests on an error code a second try would get.
"""
import collections
import json

import yaml

from asset_types import ORG_KEYS
from fixture import running_emulator
from test_reliability import MGMT_KEY_ID, MGMT_SECRET, playbook, results, run

HZ = 'cn-hangzhou'
INSTANCE = 'bastionhost-cn-hz-lost01'
MANAGEMENT = '1000000000000001'
MEMBERS = ['1000000000000011', '1000000000000012']
ASSETS_PER_MEMBER = 60
MAX_RUNS = 3


def organisation(path):
    """A management account whose RAM user ops runs the task, and two members with 60 ECS instances each."""
    members = [{
        'id': member, 'name': 'member-%d' % n,
        ORG_KEYS['ecs']: [{'id': 'i-lost%02d%04d' % (n, i), 'region': HZ, 'name': 'web-%d-%d' % (n, i), 'os': 'Linux',
                           'private_ip': '10.%d.%d.%d' % (n, i // 250, i % 250)} for i in range(ASSETS_PER_MEMBER)],
    } for n, member in enumerate(MEMBERS)]
    path.write_text(yaml.safe_dump({
        'resource_directory': {'management_account': MANAGEMENT},
        'accounts': [{
            'id': MANAGEMENT, 'name': 'management',
            'ram_users': [{'name': 'ops', 'access_keys': [{'id': MGMT_KEY_ID, 'secret': MGMT_SECRET}],
                           'policies': ['AliyunYundunBastionHostFullAccess', 'AliyunResourceDirectoryFullAccess',
                                        'AliyunSTSAssumeRoleAccess']}],
            'bastionhosts': [{'id': INSTANCE, 'region': HZ, 'edition': 'enterprise', 'version': '3.2.52',
                              'status': 'RUNNING'}],
        }] + members,
    }))
    return str(path)


def test_lost_answers_converge_without_duplicates(ansible_playbook, tmp_path):
    tasks = [
        {'alicloud.bastionhost.rd_member': {'instance_id': INSTANCE, 'members': MEMBERS}, 'register': 'members'},
        {'alicloud.bastionhost.member_asset': {'instance_id': INSTANCE, 'discover': {'types': ['ecs']},
                                               'max_concurrency': 8}, 'register': 'assets'},
    ]
    outcomes = []
    with running_emulator(organisation(tmp_path / 'org.yml'), lost_response_rate=0.3, fault_rate=0.1,
                          seed=11) as emulator:
        book = playbook(tmp_path / 'import.yml', emulator.url, tasks)
        for _attempt in range(MAX_RUNS):
            rc, output = run(ansible_playbook, book)
            outcomes.append((rc, results(book)))
            if rc == 0 and not results(book)['assets']['changed']:
                break
        state = emulator.instance(INSTANCE)
        calls = emulator.calls()

    final_rc, final = outcomes[-1]
    assert final_rc == 0 and final['assets']['changed'] is False, json.dumps(final)[:3000]
    hosts = collections.Counter(h['SourceInstanceId'] for h in state['hosts'])
    assert len(hosts) == len(MEMBERS) * ASSETS_PER_MEMBER
    assert [source for source, count in hosts.items() if count > 1] == [], 'an asset was imported twice'
    assert sorted(state['members']) == MEMBERS
    assert [c for c in calls if c['action'] == 'CreateHost' and c.get('lost')], \
        'the emulator lost no answer: the read-back path was not exercised'
    assert not [c for c in calls if c['action'] == 'CreateHost' and c.get('code') == 'OBJECT_AlREADY_EXISTS'], \
        'a create was repeated after it had been applied'
