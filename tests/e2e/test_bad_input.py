"""Bad input to the writing modules (rd_member, member_asset), end to end against the demo emulator.

Every bad case must give exactly ONE failed task whose msg says what failed and what to do (API errors: the code
and the request id), and the run must make ZERO write calls: the modules validate all of their input before their
first write. Inputs that select nothing (empty lists) are errors too. A few inputs that are not errors (a member or
an asset named twice) must succeed with nothing to do; duplicates that do need a write have their own run.

A module run costs over a second of CPU (the SDK imports), an ansible-playbook start two more: so every case is
one inventory host of ONE ansible-playbook run (forks run them side by side), each host runs its case's task with
ignore_errors, the registered results are saved as JSON, and the parametrized tests read them. The recap gives the
failed-task count per case. The write check covers the whole run, so it holds for every case.
"""
import json
import re

import pytest

from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.utils_models import Config
from alibabacloud_yundun_bastionhost20191209 import models as bh_models
from alibabacloud_yundun_bastionhost20191209.client import Client as BastionhostClient

from plays import local_play, read_results, save_results, write_playbook

MGMT_KEY = ('LTAIdemoOps00001', 'demo-ops-secret')   # RAM user ops of the management account
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
ENT01 = 'bastionhost-cn-hz-ent01'
SM01 = 'bastionhost-cn-sh-sm01'            # the delegated administrator's, cn-shanghai
SHOP_PROD, DATA_PROD, SHOP_DEV, DATA_DEV = '1000000000000011', '1000000000000012', '1000000000000021', '1000000000000022'
SECURITY = '1000000000000002'              # delegated administrator of bastionhost.aliyuncs.com
# demo.yml's account outside the resource directory. The emulator has one resource directory per organisation
# file, so "a member of another resource directory" is, seen from this one, exactly that: an account that is not
# in this resource directory (the same EntityNotExists.Account on the API); the outsider stands for both.
OUTSIDER = '1000000000000099'
SHOP_WEB1 = 'i-bp19d3tcy762bo4'            # shop-prod ECS, cn-hangzhou, public address
SHOP_WEB3 = 'i-bp1pa8bka5mh5qa'            # shop-prod ECS, cn-hangzhou, no public address
SHOP_WEB_SH1 = 'i-uf6nvcwtycg7z7f'         # shop-prod ECS, cn-shanghai
SHOP_RDS_HZ = 'rm-bp1yso2lcyz7mga'         # shop-prod RDS, cn-hangzhou
DATA_ETL1 = 'i-bp1oc1mrv4h4dxe'            # data-prod ECS, cn-hangzhou
DATA_DEV_ETL1 = 'i-bp1dq53tmqtm456'        # data-dev ECS, cn-hangzhou
WRONG_SECRET = 'not-the-mgmt-secret-at-all'
# The secret reaches ansible-playbook the way users pass it: the environment (a command line is echoed at -vvvv).
SECRET_ENV = {'ALIBABA_CLOUD_ACCESS_KEY_SECRET': MGMT_KEY[1]}

CREDENTIAL_HINT = 'Check access_key_id/access_key_secret'
# Replaced by STS credentials of the delegated administrator, expired by moving the emulator's clock on.
EXPIRED = dict(access_key_id='STS', access_key_secret='STS', security_token='EXPIRED')


class Secrets(tuple):
    """Secret values, kept out of pytest's reports of a failing test's arguments."""

    def __repr__(self):
        return '<%d secrets>' % len(self)


def asset(member, instance_id, kind='ecs', **extra):
    return dict(member=member, type=kind, instance_id=instance_id, **extra)


class Case:
    """One task: ``module`` with ``args``; ``fail`` lists what its msg must contain (None: must succeed
    unchanged), ``code`` is the API error code the msg must quote with a request id."""

    def __init__(self, name, module, args, fail=None, code=None):
        self.name, self.module, self.args, self.fail, self.code = name, module, args, fail, code


def rd(name, fail, code=None, **args):
    return Case(name, 'rd_member', dict(dict(instance_id=ENT01, members=[SHOP_DEV]), **args), fail, code)


def ma(name, fail, code=None, **args):
    return Case(name, 'member_asset', dict(dict(instance_id=ENT01, assets=[asset('shop-prod', SHOP_WEB1)]), **args),
                fail, code)


CASES = [
    # ------------------------------------------------------------------ rd_member
    rd('rd: malformed UID', ['12345', 'not 16-digit account IDs', 'nothing was changed'], members=['12345']),
    rd('rd: unknown member name', ["no account with this display name", "'no-such-team'", 'nothing was changed'],
       members=['no-such-team']),
    rd('rd: account of another resource directory', [OUTSIDER, 'not in this resource directory'],
       members=[OUTSIDER]),
    rd('rd: the management account as a member', ['1000000000000001', 'nothing was changed'],
       members=['1000000000000001']),
    rd('rd: the delegated administrator as a member', [SECURITY, 'delegated administrator'], members=['security']),
    rd('rd: one good and one bad member, nothing added', ['no-such-team', 'nothing was changed'],
       members=[SHOP_DEV, 'no-such-team']),
    rd('rd: Basic edition', ['bastionhost-cn-hz-basic01', 'Basic Edition', 'Upgrade it to Enterprise or SM'],
       instance_id='bastionhost-cn-hz-basic01'),
    rd('rd: version below 3.2.48', ['bastionhost-cn-hz-old01', '3.2.40', '3.2.48', 'Upgrade'],
       instance_id='bastionhost-cn-hz-old01'),
    rd('rd: missing bastion host', ['bastionhost-cn-hz-nope01', 'not found in cn-hangzhou'],
       instance_id='bastionhost-cn-hz-nope01'),
    rd('rd: bastion host in the wrong region', [ENT01, 'not found in cn-shanghai'], region=SH),
    rd("rd: a member's bastion host (account-scoped)",
       ['bastionhost-cn-hz-member01', 'not found', 'visible only to the account that owns them'],
       instance_id='bastionhost-cn-hz-member01'),
    rd('rd: a member as the caller (wrong direction)',
       ['1000000000000011', 'neither the management account', 'delegated administrator'],
       instance_id='bastionhost-cn-hz-member01', access_key_id='LTAIdemoShopPrd1',
       access_key_secret='demo-shop-prod-secret'),
    rd('rd: wrong secret', [CREDENTIAL_HINT], 'SignatureDoesNotMatch', access_key_secret=WRONG_SECRET),
    rd('rd: unknown access key', [CREDENTIAL_HINT], 'InvalidAccessKeyId.NotFound',
       access_key_id='LTAIdemoNoSuchKey', access_key_secret='whatever-secret'),
    rd('rd: RAM user without the Resource Directory policy', ['AliyunResourceDirectoryFullAccess', 'grant'],
       'Forbidden.RAM', access_key_id='LTAIdemoAudit001', access_key_secret='demo-auditor-secret'),
    rd('rd: RAM user without the Bastionhost policy', ['AliyunYundunBastionHostFullAccess', 'grant'],
       'Forbidden.RAM', access_key_id='LTAIdemoRdOnly01', access_key_secret='demo-rdonly-secret'),
    rd('rd: expired STS token', ['Refresh the STS token'], 'InvalidSecurityToken.Expired',
       instance_id=SM01, region=SH, **EXPIRED),
    # ------------------------------------------------------------------ member_asset
    # First of its task, so that its retries (connection errors are retried with backoff, ~15-30 s) overlap the
    # other hosts. A connection error is about the endpoint, not about the member's role.
    ma('asset: unreachable ECS endpoint', ['127.0.0.1:1', 'Check endpoint_url/endpoints'],
       endpoints={'ecs': 'http://127.0.0.1:1'}),
    ma('asset: malformed member UID', ['12345', 'not 16-digit account IDs', 'nothing was changed'],
       assets=[asset('12345', SHOP_WEB1)]),
    ma('asset: unknown member name', ["no account with this display name", "'no-such-team'"],
       assets=[asset('no-such-team', SHOP_WEB1)]),
    ma("asset: the management account's own ECS", ['1000000000000001', 'nothing was changed'],
       assets=[asset('management', 'i-bp13wsju5nauyan')]),
    ma('asset: member not added to the bastion host', [DATA_DEV, 'not added', 'rd_member'],
       assets=[asset('data-dev', DATA_DEV_ETL1)]),
    ma('asset: in the other region', [SHOP_WEB_SH1, 'not found', 'cn-hangzhou'],
       assets=[asset('shop-prod', SHOP_WEB1), asset('shop-prod', SHOP_WEB_SH1, region=HZ)]),
    ma('asset: of another member', ['not found in their member and region', '1000000000000012 (data-prod) ecs ' + SHOP_WEB1],
       assets=[asset('data-prod', DATA_ETL1), asset('data-prod', SHOP_WEB1)]),
    ma('asset: missing instance', ['i-bp1doesnotexist', 'not found'],
       assets=[asset('shop-prod', SHOP_WEB1), asset('shop-prod', 'i-bp1doesnotexist')]),
    ma('asset: rds type with an ECS id', ['not found in their member and region', 'rds %s' % SHOP_WEB1],
       assets=[asset('shop-prod', SHOP_WEB1, kind='rds')]),
    ma('asset: invalid type value', ['type', 'must be one of', 'ecs, rds, polardb'],
       assets=[asset('shop-prod', SHOP_WEB1, kind='vm')]),
    ma('asset: listed under two members', [SHOP_WEB1, 'listed under two members'],
       assets=[asset('shop-prod', SHOP_WEB1), asset('data-prod', SHOP_WEB1)]),
    ma('asset: unknown network domain', ['nd-hz-nope', 'does not exist', 'nd-hz-proxy01'],
       network_domain_id='nd-hz-nope'),
    ma('asset: Public address type without a public address', [SHOP_WEB3, 'public address', 'nothing was changed'],
       assets=[asset('shop-prod', SHOP_WEB1), asset('shop-prod', SHOP_WEB3)], address_type='Public'),
    ma('asset: Basic edition', ['Basic Edition', 'Upgrade'], instance_id='bastionhost-cn-hz-basic01'),
    ma('asset: wrong secret', [CREDENTIAL_HINT], 'SignatureDoesNotMatch', access_key_secret=WRONG_SECRET),
    ma('asset: RAM user without the Resource Directory policy', ['AliyunResourceDirectoryFullAccess'],
       'Forbidden.RAM', access_key_id='LTAIdemoAudit001', access_key_secret='demo-auditor-secret'),
    ma('asset: expired STS token', ['Refresh the STS token'], 'InvalidSecurityToken.Expired',
       instance_id=SM01, region=SH, **EXPIRED),
    # ------------------------------------------------------------------ inputs that select nothing
    rd('rd: members []', ['members is an empty list', 'nothing was changed'], members=[]),
    ma('asset: assets []', ['assets is an empty list', 'nothing was changed'], assets=[]),
    Case('asset: discover.members []', 'member_asset', dict(instance_id=ENT01, discover=dict(members=[], types=['ecs'])),
         ['discover.members is an empty list', 'nothing was changed']),
    # ------------------------------------------------------------------ not errors: nothing to do
    rd('rd: a member already added, named twice', None, members=['shop-prod', SHOP_PROD]),
    ma('asset: an imported asset, listed twice', None, assets=[asset('shop-prod', SHOP_RDS_HZ, kind='rds'),
                                                               asset(SHOP_PROD, SHOP_RDS_HZ, kind='rds')]),
]
FAILING = [c for c in CASES if c.fail is not None]


def sdk_config(emulator, key_id, secret, token=None):
    return Config(access_key_id=key_id, access_key_secret=secret, security_token=token, endpoint=emulator.endpoint,
                  protocol='http', region_id=HZ)


def add_members(emulator, *members):
    client = BastionhostClient(sdk_config(emulator, *MGMT_KEY))
    for member in members:
        client.add_instance_rd_member(bh_models.AddInstanceRdMemberRequest(
            region_id=HZ, instance_id=ENT01, member_id=member))


def import_rds(emulator, member, rds_id):
    client = BastionhostClient(sdk_config(emulator, *MGMT_KEY))
    client.create_database(bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Rds', source_instance_id=rds_id, source_instance_region_id=HZ,
        instance_member_id=member, active_address_type='Private', database_type='MySQL', database_port=3306,
        database_name=rds_id, database_private_address='%s.mysql.rds.aliyuncs.com' % rds_id))


def rd_shanghai_admin_credentials(emulator):
    """STS credentials of the delegated administrator (which owns SM01) through its automatic
    ResourceDirectoryAccountAccessRole, valid for the minimum 900 seconds."""
    sts = StsClient(sdk_config(emulator, *MGMT_KEY))
    credentials = sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn='acs:ram::%s:role/ResourceDirectoryAccountAccessRole' % SECURITY,
        role_session_name='bad-input', duration_seconds=900)).body.credentials
    # They work before the clock moves on: the only thing wrong later is their age.
    who = StsClient(sdk_config(emulator, credentials.access_key_id, credentials.access_key_secret,
                               credentials.security_token)).get_caller_identity().body
    assert who.account_id == SECURITY
    return credentials


def playbook(emulator_url, tasks, results_file):
    """One play on localhost with the demo management keys as module defaults (the secret comes from the
    environment); after the tasks, every ``register``ed result is saved to ``results_file`` as JSON."""
    return local_play(tasks, results_file, defaults={'endpoint_url': emulator_url, 'region': HZ,
                                                     'access_key_id': MGMT_KEY[0]})


def matrix_files(emulator_url, cases, results_file):
    """``(inventory, plays)``: one inventory host per case (``case.args`` as a host variable), so that the
    cases run in parallel (``forks``) in one ansible-playbook; each host runs its module's task, the other one is
    skipped. Options are passed as ``"{{ case.args.X | default(omit) }}"``: module_defaults cannot carry the
    endpoint and keys because an omitted option drops its module default too, so every case's args hold them."""
    hosts = {}
    for index, case in enumerate(cases):
        args = dict(endpoint_url=emulator_url, region=HZ, access_key_id=MGMT_KEY[0])
        args.update(case.args)
        hosts['case%02d' % index] = {'case': {'module': case.module, 'args': without_none(args)}}
    inventory = {'all': {'hosts': hosts, 'vars': {'ansible_connection': 'local'}}}
    tasks = []
    for module in ('rd_member', 'member_asset'):
        options = set(k for c in cases if c.module == module for k in c.args)
        options = sorted(options | {'endpoint_url', 'region', 'access_key_id'})
        tasks.append({
            'name': module, 'when': "case.module == '%s'" % module, 'register': module, 'ignore_errors': True,
            'alicloud.bastionhost.' + module: dict((o, '{{ case.args.%s | default(omit) }}' % o) for o in options)})
    tasks.append(save_results(results_file, ['rd_member', 'member_asset'], hosts=True))
    return inventory, [{'hosts': 'all', 'gather_facts': False, 'tasks': tasks}]


def without_none(args):
    return dict((k, v) for k, v in args.items() if v is not None)


RECAP = re.compile(r'^(case\d+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)'
                   r'\s+rescued=(\d+)\s+ignored=(\d+)', re.MULTILINE)


@pytest.fixture(scope='module')
def matrix(emulator, ansible_playbook, tmp_path_factory):
    """Runs every case once: ``(results by case name, output, write calls during the run, recap by case name,
    secrets that must not be printed)``."""
    emulator.reset()
    add_members(emulator, SHOP_PROD, DATA_PROD)
    import_rds(emulator, SHOP_PROD, SHOP_RDS_HZ)   # so that listing it twice is "unchanged"
    credentials = rd_shanghai_admin_credentials(emulator)
    emulator.advance_clock(1000)
    mark = len(emulator.calls())

    sts = dict(access_key_id=credentials.access_key_id, access_key_secret=credentials.access_key_secret,
               security_token=credentials.security_token)
    cases = [Case(c.name, c.module, dict(c.args, **sts) if c.args.get('security_token') == 'EXPIRED' else c.args)
             for c in CASES]
    directory = tmp_path_factory.mktemp('bad-input')
    inventory, plays = matrix_files(emulator.url, cases, directory / 'results.json')
    path, args = write_playbook(directory / 'playbook.yml', plays, inventory)
    result = ansible_playbook.run(path, *args, env=dict(SECRET_ENV, ANSIBLE_FORKS='4'))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    saved = read_results(directory / 'results.json')
    by_host = dict((host, (rd_result, asset_result)) for host, rd_result, asset_result in zip(
        saved['hosts'], saved['rd_member'], saved['member_asset']))
    results, recap = {}, {}
    for index, case in enumerate(CASES):
        rd_result, asset_result = by_host['case%02d' % index]
        results[case.name] = rd_result if case.module == 'rd_member' else asset_result
    counts = dict((m.group(1), dict(zip(('ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'),
                                        map(int, m.groups()[1:])))) for m in RECAP.finditer(output))
    for index, case in enumerate(CASES):
        recap[case.name] = counts.get('case%02d' % index)
    writes = [c for c in emulator.calls()[mark:] if c['write']]
    return results, output, writes, recap, Secrets((MGMT_KEY[1], WRONG_SECRET, credentials.access_key_secret,
                                                    credentials.security_token))


@pytest.mark.parametrize('case', FAILING, ids=[c.name for c in FAILING])
def test_bad_input_fails_with_a_clear_message(matrix, case):
    result = matrix[0][case.name]
    assert result is not None, 'the task did not run'
    assert result.get('failed') is True, 'the bad input was accepted: %s' % json.dumps(result)[:2000]
    msg = result['msg']
    assert 'MODULE FAILURE' not in msg and 'Traceback' not in msg, msg
    if 'Check endpoint_url' in msg:
        assert 'Create that role' not in msg, 'a connection error is not a missing role: %s' % msg
    if 'cannot discover the assets of member' in msg:
        assert 'not found in member' not in msg, 'an asset of a member that could not be searched is not "not found"'
    for needle in case.fail:
        assert needle.lower() in msg.lower(), 'expected %r in msg: %s' % (needle, msg)
    if case.code:
        assert 'code: %s' % case.code in msg, msg
        assert 'request id: EMU' in msg, 'an API error must give the request id: %s' % msg
        assert result['error']['code'] == case.code and result['error']['request_id'], result['error']


def test_no_secret_in_the_output_of_failures(matrix):
    output, secrets = matrix[1], matrix[4]
    assert [s for s in secrets if s in output] == []
    assert 'CAES' not in output, 'an STS security token was printed'


def test_each_bad_input_is_exactly_one_failed_task(matrix):
    """Per case (inventory host) the recap shows one failed task (ignored so that the run goes on), and
    the inputs that are not errors none."""
    recap, output = matrix[3], matrix[1]
    for case in CASES:
        expected = {'failed': 0, 'ignored': 1 if case.fail else 0, 'changed': 0, 'unreachable': 0}
        assert recap[case.name] is not None, output[-3000:]
        assert dict((k, recap[case.name][k]) for k in expected) == expected, case.name


def test_no_write_call_for_any_bad_input(matrix):
    writes = matrix[2]
    assert writes == [], 'write calls during the bad-input run: %s' % json.dumps(
        [(w['action'], w['status'], w['code'], w['params']) for w in writes])


@pytest.mark.parametrize('case', [c for c in CASES if c.fail is None], ids=[c.name for c in CASES if c.fail is None])
def test_nothing_to_do_input_succeeds_unchanged(matrix, case):
    result = matrix[0][case.name]
    assert result is not None and not result.get('failed'), json.dumps(result)[:3000]
    assert result['changed'] is False, json.dumps(result)[:3000]
    if case.module == 'rd_member':
        assert result['added'] == [] and result['removed'] == []
        assert [m['member_id'] for m in result['members']] == [SHOP_PROD, DATA_PROD]
    else:
        assert result['imported'] == [] and result['removed'] == [], json.dumps(result)[:3000]
        assert result['counts']['imported'] == 0 and result['counts']['removed'] == 0


@pytest.fixture(scope='module')
def repeats(emulator, ansible_playbook, tmp_path_factory):
    """One run for the inputs that name things more than once or not at all and may write: shop-prod and
    data-prod are added beforehand; the writes of data-dev belong to the duplicates."""
    emulator.reset()
    add_members(emulator, SHOP_PROD, DATA_PROD)
    mark = len(emulator.calls())
    tasks = [
        {'alicloud.bastionhost.rd_member': {'instance_id': ENT01, 'members': ['data-dev', DATA_DEV, ' data-dev ']},
         'register': 'members'},
        {'alicloud.bastionhost.member_asset': {'instance_id': ENT01, 'assets': [
            asset('data-dev', DATA_DEV_ETL1), asset(DATA_DEV, DATA_DEV_ETL1, region=HZ), asset('data-dev', DATA_DEV_ETL1)]},
         'register': 'assets'},
    ]
    directory = tmp_path_factory.mktemp('repeats')
    plays = [playbook(emulator.url, tasks, directory / 'results.json')]
    path, args = write_playbook(directory / 'playbook.yml', plays)
    result = ansible_playbook.run(path, *args, env=SECRET_ENV)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    writes = [w for w in emulator.calls()[mark:] if w['write'] and w['status'] == 200]
    return read_results(directory / 'results.json'), writes, emulator.instance(ENT01)


def write_of(call):
    params = call['params']
    return call['action'], params.get('MemberId') or params.get('InstanceMemberId'), params.get('SourceInstanceId')


def test_duplicates_in_the_input_are_written_once(repeats):
    """The same member by name, by UID and padded; the same asset three times: one AddInstanceRdMember, one
    CreateHost."""
    saved, writes, state = repeats
    assert saved['members']['changed'] is True and saved['members']['added'] == [DATA_DEV]
    assert saved['assets']['changed'] is True
    assert saved['assets']['counts'] == {'imported': 1, 'updated': 0, 'removed': 0, 'unchanged': 0, 'skipped': 0,
                                         'foreign': 0}
    assert [write_of(w) for w in writes if write_of(w)[1] == DATA_DEV] == [
        ('AddInstanceRdMember', DATA_DEV, None), ('CreateHost', DATA_DEV, DATA_DEV_ETL1)]
    assert DATA_DEV in state['members']
    assert [h['SourceInstanceId'] for h in state['hosts'] if h.get('InstanceMemberId') == DATA_DEV] == [DATA_DEV_ETL1]
