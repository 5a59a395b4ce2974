"""Issue 21, end to end: members whose access role broke, members that left the resource directory, the bastion
host's own hosts imported by hand, and an ownership Comment pasted onto another member's host.

Each case runs real ansible-playbook against the demo emulator, after the organisation was changed the way the
cloud or a person would change it (the emulator's admin endpoints: ``/_emulator/accounts/leave``,
``/_emulator/roles/delete``, ``/_emulator/roles/update``, ``/_emulator/roles/create``, ``/_emulator/console``), and
is judged by the emulator's call log (``/_emulator/calls``: every ``write: true`` call, whatever it answered) and
state. One emulator, one history, no resets; the cases follow one another:

1. ``world``: every member added and every ECS, RDS and PolarDB instance of the four members imported in both
   regions (50 assets, each with its ownership record).
2. ``pasted``: a person pastes data-prod's ownership Comment onto shop-prod's host shop-web-1; data-prod is
   offboarded (``offboard_member_account.yml``, ``--check --diff`` then for real): data-prod's 13 assets and the
   member go, shop-web-1 stays and a warning names it.
3. ``left``: data-dev leaves the resource directory while on the bastion host; ``rd_member_info`` shows it as such,
   ``rd_member`` refuses more than ``max_removals``, removes it by UID with its 10 assets (check mode first, labels
   by UID), refuses to add it back and refuses a rerun naming it.
4. ``broken``: shop-prod's ResourceDirectoryAccountAccessRole is deleted (the first member the prerequisites try)
   and data-prod's no longer trusts the caller; offboarding shop-dev still passes the prerequisites and removes
   shop-dev's 12 assets; the prerequisites name both members with reason and remedy, and fail only once no member
   is assumable.
5. ``own``: a person imports the management account's own ECS jump-admin-1 by hand; offboarding shop-prod is
   refused while the caller may not read its own ECS (saying so), and succeeds once it may (a role with
   AliyunECSReadOnlyAccess, assumed with ``assume_role``): the own host stays.
"""
import json
import os
import urllib.error

import pytest
import yaml

from conftest import AnsiblePlaybook
from fixture import DEMO_ORG

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OFFBOARD = os.path.join(ROOT, 'playbooks', 'offboard_member_account.yml')
CREDENTIALS = ('LTAIdemoOps00001', 'demo-ops-secret')   # RAM user ops of the management account (no ECS read)
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
ENT01 = 'bastionhost-cn-hz-ent01'
MANAGEMENT = '1000000000000001'
SHOP_PROD, DATA_PROD, SHOP_DEV, DATA_DEV = '1000000000000011', '1000000000000012', '1000000000000021', \
    '1000000000000022'
MEMBERS = [SHOP_PROD, DATA_PROD, SHOP_DEV, DATA_DEV]
RD_ROLE = 'ResourceDirectoryAccountAccessRole'
SHOP_WEB1 = 'i-bp19d3tcy762bo4'     # shop-prod's ECS in cn-hangzhou
JUMP_ADMIN = 'i-bp13wsju5nauyan'    # the management account's own ECS in cn-hangzhou
OPS_ROLE = 'BastionhostOpsRole'     # a role of the management account that may also read its own ECS, RDS, PolarDB
TYPES = {'Ecs': 'ecs', 'Rds': 'rds', 'PolarDB': 'polardb'}
KEYS = {'ecs_instances': 'ecs', 'rds_instances': 'rds', 'polardb_clusters': 'polardb'}


def demo_assets(member):
    """``[(type, instance id)]`` of a member's instances in the demo organisation."""
    with open(DEMO_ORG) as handle:
        org = yaml.safe_load(handle)
    account = next(a for a in org['accounts'] if a['id'] == member)
    return sorted((kind, item['id']) for key, kind in KEYS.items() for item in account.get(key) or [])


def records(emulator):
    """``{(kind, record id): (member from InstanceMemberId, type, source instance id, Comment)}`` on ENT01."""
    state = emulator.instance(ENT01)
    found = {}
    for kind, items, id_key in (('host', state['hosts'], 'HostId'), ('database', state['databases'], 'DatabaseId')):
        for item in items:
            if item['Source'] in TYPES:
                member = item.get('InstanceMemberId')
                found[(kind, str(item[id_key]))] = (str(member) if member else None, TYPES[item['Source']],
                                                    item['SourceInstanceId'], item.get('Comment'))
    return found


def assets_of(emulator, member):
    return sorted((t, i) for m, t, i, _c in records(emulator).values() if m == member)


def writes(calls):
    return [c for c in calls if c['write']]


def written(calls, before):
    """``[(action, type, source instance id or member)]`` of every write attempted, the asset a Delete* names
    looked up in ``before`` (a ``records()`` snapshot), sorted."""
    found = []
    for call in writes(calls):
        params = call['params']
        if call['action'] == 'DeleteHost':
            found.append(('DeleteHost',) + before[('host', params['HostId'])][1:3])
        elif call['action'] == 'DeleteDatabase':
            found.append(('DeleteDatabase',) + before[('database', params['DatabaseId'])][1:3])
        else:
            found.append((call['action'], None, params.get('MemberId') or params.get('SourceInstanceId')))
    return sorted(found, key=lambda w: tuple(str(x) for x in w))


def deletes(assets):
    return [('DeleteHost' if kind == 'ecs' else 'DeleteDatabase', kind, instance_id) for kind, instance_id in assets]


def offboarding_writes(member, assets):
    return sorted(deletes(assets) + [('RemoveInstanceRdMember', None, member)], key=lambda w: tuple(str(x) for x in w))


def short(value, limit=4000):
    return json.dumps(value, default=str)[:limit]


class Run:
    """One ansible-playbook run: exit code, output, the calls it made, the results a local play saved."""

    def __init__(self, process, calls, results):
        self.returncode, self.output = process.returncode, process.stdout + process.stderr
        self.calls, self.results = calls, results

    @property
    def writes(self):
        return writes(self.calls)

    def between(self, step):
        """The calls after the marker ``step`` up to the next marker."""
        section, inside = [], False
        for call in self.calls:
            if call['action'] == 'LivingMarker':
                inside = call['params'].get('Step') == step
            elif inside:
                section.append(call)
        return section

    def tail(self, size=6000):
        return self.output[-size:]


def playbook_run(emulator, playbook, *args, results=None):
    """ansible-playbook with ops's keys, the region and the emulator in the environment, as a user runs it."""
    env = dict(ALIBABA_CLOUD_ACCESS_KEY_ID=CREDENTIALS[0], ALIBABA_CLOUD_ACCESS_KEY_SECRET=CREDENTIALS[1],
               ALIBABA_CLOUD_REGION_ID=HZ, ALIBABA_CLOUD_ENDPOINT_URL=emulator.url, ANSIBLE_FORKS='2')
    mark = len(emulator.calls())
    process = AnsiblePlaybook().run(str(playbook), *args, env=env)
    saved = json.loads(results.read_text()) if results is not None and results.exists() else {}
    return Run(process, emulator.calls()[mark:], saved)


def marker(step):
    """A request the emulator records (an unknown action, answered 404) that splits the call log."""
    return {'name': 'marker %s' % step, 'ansible.builtin.uri': {
        'url': "{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ENDPOINT_URL') }}/?Action=LivingMarker&Step=%s" % step,
        'status_code': 404}}


def admin(path, payload):
    """An admin request to the emulator from inside a play."""
    return {'name': 'emulator %s' % path, 'ansible.builtin.uri': {
        'url': "{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ENDPOINT_URL') }}/_emulator/%s" % path,
        'method': 'POST', 'body_format': 'json', 'body': payload}}


def task(module, args, register, check=False, ignore=False):
    step = {'name': '%s %s' % (module, register), 'alicloud.bastionhost.' + module: args, 'register': register,
            'check_mode': check, 'diff': True}
    if ignore:
        step['ignore_errors'] = True
    return step


def local_play(directory, tasks, names):
    """Writes a play on localhost whose registered ``names`` end up in ``results.json``, even when a task fails;
    returns the playbook and the results file."""
    results = directory / 'results.json'
    save = {'name': 'save the results', 'changed_when': False, 'ansible.builtin.copy': {
        'dest': str(results),
        'content': '{{ {%s} | to_json }}' % ', '.join("'%s': %s | default(None)" % (n, n) for n in names)}}
    play = {'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
            'tasks': [{'block': tasks, 'always': [save]}]}
    (directory / 'playbook.yml').write_text(yaml.safe_dump([play], sort_keys=False))
    return directory / 'playbook.yml', results


def offboard(emulator, member, *extra):
    return playbook_run(emulator, OFFBOARD, '-e', 'bastionhost_instance_id=%s' % ENT01,
                        '-e', 'bastionhost_region=%s' % HZ, '-e', 'bastionhost_member=%s' % member, *extra)


def warnings(run):
    """The text of every [WARNING] of a run, joined (Ansible wraps long warnings over several lines)."""
    text, inside = [], False
    for line in run.output.splitlines():
        if line.startswith('[WARNING]:'):
            inside = True
            text.append(line[len('[WARNING]:'):].strip())
        elif inside and line.startswith(' '):
            text[-1] += ' ' + line.strip()
        else:
            inside = False
    return ' | '.join(text)


# ---------------------------------------------------------------------------------------------------- 1. world
@pytest.fixture(scope='module')
def world(emulator, tmp_path_factory):
    emulator.reset()
    directory = tmp_path_factory.mktemp('world')
    playbook, results = local_play(directory, [
        task('rd_member', {'instance_id': ENT01, 'select': {'all': True}}, 'members'),
        task('member_asset', {'instance_id': ENT01, 'discover': {
            'members': ['shop-prod', 'data-prod', 'shop-dev', 'data-dev'], 'regions': [HZ, SH]}}, 'imports')],
        ['members', 'imports'])
    run = playbook_run(emulator, playbook, results=results)
    assert run.returncode == 0, run.tail()
    for member in MEMBERS:
        assert assets_of(emulator, member) == demo_assets(member), member
    return run


def test_the_world_has_every_member_and_asset(world, emulator):
    assert sorted(emulator.instance(ENT01)['members']) == MEMBERS
    assert len(records(emulator)) == 50


# ---------------------------------------------------------------------------------------------------- 2. pasted
@pytest.fixture(scope='module')
def pasted(world, emulator):
    """A person pastes data-prod's ownership record into shop-web-1's Comment (shop-prod's host); data-prod is
    offboarded, check mode first."""
    before = records(emulator)
    host_id = next(key[1] for key, value in before.items() if value[2] == SHOP_WEB1)
    emulator.console(ENT01, 'ModifyHost', HostId=host_id,
                     Comment='imported by alicloud.bastionhost from member %s in %s' % (DATA_PROD, HZ))
    before = records(emulator)
    check = offboard(emulator, 'data-prod', '--check', '--diff')
    real = offboard(emulator, 'data-prod', '--diff')
    return before, check, real, records(emulator)


def test_a_pasted_ownership_record_does_not_remove_another_members_host(pasted, emulator):
    before, check, real, after = pasted
    assert check.returncode == 0, check.tail()
    assert check.writes == [], short(check.writes)
    assert real.returncode == 0, real.tail()
    assert written(real.writes, before) == offboarding_writes(DATA_PROD, demo_assets(DATA_PROD)), short(
        written(real.writes, before))
    assert all(w['status'] == 200 for w in real.writes), short(real.writes)
    assert any(value[2] == SHOP_WEB1 for value in after.values()), 'shop-web-1 was removed'
    assert DATA_PROD not in emulator.instance(ENT01)['members']


@pytest.mark.parametrize('mode', ['check', 'real'])
def test_a_warning_names_the_asset_whose_record_and_discovery_disagree(pasted, mode):
    run = pasted[1] if mode == 'check' else pasted[2]
    text = warnings(run)
    assert SHOP_WEB1 in text and 'shop-prod' in text and DATA_PROD in text, run.tail()
    assert 'disagree' in text, text
    removed = [line for line in run.output.splitlines() if line.startswith('-') and SHOP_WEB1 in line]
    assert removed == [], 'the diff shows shop-web-1 removed: %s' % removed


# ---------------------------------------------------------------------------------------------------- 3. left
@pytest.fixture(scope='module')
def left(pasted, emulator, tmp_path_factory):
    """data-dev leaves the resource directory while on the bastion host; then, in one run: rd_member_info, an
    offboarding over max_removals, one in check mode, the real one, a rerun, and adding it back."""
    emulator.post('/_emulator/accounts/leave', {'account_id': DATA_DEV})
    before = records(emulator)
    absent = {'instance_id': ENT01, 'members': [DATA_DEV], 'state': 'absent', 'remove_assets': True}
    directory = tmp_path_factory.mktemp('left')
    playbook, results = local_play(directory, [
        task('rd_member_info', {'instance_id': ENT01}, 'info'),
        marker('capped'), task('rd_member', dict(absent, max_removals=3), 'capped', ignore=True),
        marker('check'), task('rd_member', dict(absent, max_removals=25), 'check', check=True),
        marker('real'), task('rd_member', dict(absent, max_removals=25), 'real'),
        marker('rerun'), task('rd_member', dict(absent, max_removals=25), 'rerun', ignore=True),
        marker('add'), task('rd_member', {'instance_id': ENT01, 'members': [DATA_DEV]}, 'add', ignore=True),
        marker('end')], ['info', 'capped', 'check', 'real', 'rerun', 'add'])
    run = playbook_run(emulator, playbook, results=results)
    return before, run, records(emulator)


def test_rd_member_info_shows_a_member_that_left(left):
    info = left[1].results['info']
    assert info, left[1].tail()
    data_dev = next(m for m in info['members'] if m['member_id'] == DATA_DEV)
    assert data_dev['in_resource_directory'] is False and data_dev['display_name'] is None, short(data_dev)
    assert all(m['in_resource_directory'] for m in info['members'] if m['member_id'] != DATA_DEV), short(info)


def test_a_member_that_left_is_never_removed_beyond_max_removals(left):
    run = left[1]
    capped = run.results['capped']
    assert capped and capped.get('failed'), run.tail()
    assert 'more than max_removals 3' in capped['msg'], capped['msg']
    assert writes(run.between('capped')) == []


def test_check_mode_predicts_removing_a_member_that_left_with_its_assets(left):
    before, run, _after = left
    check = run.results['check']
    assert check and not check.get('failed'), run.tail()
    assert writes(run.between('check')) == []
    assert check['removed'] == [DATA_DEV] and check['changed'] is True, short(check)
    assert sorted(tuple(line.split(' ')[1:]) for line in check['removed_assets']) == demo_assets(DATA_DEV)
    # Its display name is unknown: the diff labels it by its UID.
    assert DATA_DEV in check['diff']['before']['members'] and DATA_DEV not in check['diff']['after']['members']
    assert all(line.startswith(DATA_DEV + ' ') for line in check['diff']['before']['assets']), short(check['diff'])


def test_a_member_that_left_is_removed_by_uid_with_its_assets(left, emulator):
    before, run, after = left
    real = run.results['real']
    assert real and not real.get('failed'), run.tail()
    assert written(run.between('real'), before) == offboarding_writes(DATA_DEV, demo_assets(DATA_DEV))
    assert all(w['status'] == 200 for w in writes(run.between('real')))
    assert real['removed'] == run.results['check']['removed']
    assert real['removed_assets'] == run.results['check']['removed_assets']
    assert DATA_DEV not in emulator.instance(ENT01)['members']
    assert not any(value[0] == DATA_DEV for value in after.values())


def test_a_member_outside_the_directory_and_off_the_bastion_host_is_an_error(left):
    run = left[1]
    for name in ('rerun', 'add'):
        result = run.results[name]
        assert result and result.get('failed'), (name, run.tail())
        assert DATA_DEV in result['msg'] and 'nothing was changed' in result['msg'], result['msg']
        assert writes(run.between(name)) == []
    assert 'cannot be added' in run.results['add']['msg'], run.results['add']['msg']


# ---------------------------------------------------------------------------------------------------- 4. broken
@pytest.fixture(scope='module')
def broken(left, emulator, tmp_path_factory):
    """shop-prod's access role is deleted and data-prod's no longer trusts the management account; shop-dev is
    offboarded with the playbook (prerequisites first); then the prerequisites with shop-dev's role deleted too."""
    emulator.post('/_emulator/roles/delete', {'account_id': SHOP_PROD, 'role': RD_ROLE})
    emulator.post('/_emulator/roles/update', {'account_id': DATA_PROD, 'role': RD_ROLE,
                                              'set': {'trusted_accounts': []}})
    before = records(emulator)
    offboarding = offboard(emulator, 'shop-dev', '--diff')
    directory = tmp_path_factory.mktemp('broken')
    prerequisites = {'instance_id': ENT01, 'fail_on_unmet': False}
    playbook, results = local_play(directory, [
        task('multi_account_prerequisites', prerequisites, 'some'),
        admin('roles/delete', {'account_id': SHOP_DEV, 'role': RD_ROLE}),
        task('multi_account_prerequisites', prerequisites, 'no_member_report'),
        task('multi_account_prerequisites', {'instance_id': ENT01}, 'no_member', ignore=True)],
        ['some', 'no_member_report', 'no_member'])
    checks = playbook_run(emulator, playbook, results=results)
    # A person gives shop-prod and shop-dev their role back, for the next case.
    for member in (SHOP_PROD, SHOP_DEV):
        try:
            emulator.post('/_emulator/roles/create', {'account_id': member, 'role': {
                'name': RD_ROLE, 'trusted_accounts': [MANAGEMENT], 'policies': ['AdministratorAccess']}})
        except urllib.error.HTTPError as exc:   # the play stopped before it deleted shop-dev's
            assert exc.code == 409, exc.read()
    return before, offboarding, checks


def role_check(result):
    return next(c for c in result['checks'] if c['name'] == 'member_role_assumable')


def test_offboarding_passes_the_prerequisites_when_the_first_members_role_is_broken(broken, emulator):
    before, run, _checks = broken
    assert run.returncode == 0, run.tail()
    assert written(run.writes, before) == offboarding_writes(SHOP_DEV, demo_assets(SHOP_DEV)), short(
        written(run.writes, before))
    assert SHOP_DEV not in emulator.instance(ENT01)['members']
    text = warnings(run)
    assert SHOP_PROD in text and DATA_PROD in text, run.tail()


def test_the_prerequisites_name_each_member_they_could_not_assume_into(broken):
    checks = broken[2]
    some = checks.results.get('some')
    assert some, checks.tail()
    check = role_check(some)
    assert check['passed'] is True and some['ready'] is True, short(some)
    assert check['remediation'] is None
    unassumable = dict((m['member_id'], m) for m in some['unassumable_members'])
    assert sorted(unassumable) == [SHOP_PROD, DATA_PROD], short(some['unassumable_members'])
    assert unassumable[SHOP_PROD]['code'] == 'EntityNotExist.Role'
    assert unassumable[DATA_PROD]['code'] == 'NoPermission'
    assert unassumable[SHOP_PROD]['display_name'] == 'shop-prod'
    assert 'create the role' in unassumable[SHOP_PROD]['remediation'].lower()
    assert 'trust' in unassumable[DATA_PROD]['remediation']
    assert SHOP_DEV in check['detail'], check['detail']
    assert writes(checks.calls) == []


def test_the_prerequisites_fail_only_when_no_member_is_assumable(broken):
    checks = broken[2]
    report, failed = checks.results.get('no_member_report'), checks.results.get('no_member')
    assert report and failed, checks.tail()
    check = role_check(report)
    assert check['passed'] is False and report['ready'] is False, short(report)
    assert sorted(m['member_id'] for m in report['unassumable_members']) == [SHOP_PROD, DATA_PROD, SHOP_DEV]
    assert failed['failed'] and 'member_role_assumable' in failed['msg'], short(failed)
    for member in (SHOP_PROD, DATA_PROD, SHOP_DEV):
        assert member in failed['msg'], failed['msg']


# ---------------------------------------------------------------------------------------------------- 5. own
@pytest.fixture(scope='module')
def own(broken, emulator, tmp_path_factory):
    """A person imports the management account's own jump-admin-1 by hand and corrects shop-web-1's Comment; a
    role that may read the caller's own ECS is created; shop-prod is offboarded as ops (refused), then through
    that role in check mode and for real."""
    emulator.console(ENT01, 'CreateHost', Source='Ecs', SourceInstanceId=JUMP_ADMIN, InstanceRegionId=HZ,
                     HostName='jump-admin-1', OSType='Linux', ActiveAddressType='Private',
                     HostPrivateAddress='10.1.0.10')
    for key, value in records(emulator).items():
        if value[2] == SHOP_WEB1:
            emulator.console(ENT01, 'ModifyHost', HostId=key[1],
                             Comment='imported by alicloud.bastionhost from member %s in %s' % (SHOP_PROD, HZ))
    emulator.post('/_emulator/roles/create', {'account_id': MANAGEMENT, 'role': {
        'name': OPS_ROLE, 'trusted_accounts': [MANAGEMENT], 'policies': [
            'AliyunYundunBastionHostFullAccess', 'AliyunResourceDirectoryFullAccess', 'AliyunSTSAssumeRoleAccess',
            'AliyunECSReadOnlyAccess', 'AliyunRDSReadOnlyAccess', 'AliyunPolardbReadOnlyAccess']}})
    before = records(emulator)
    absent = {'instance_id': ENT01, 'members': ['shop-prod'], 'state': 'absent', 'remove_assets': True,
              'max_removals': 25}
    through_role = dict(absent, assume_role={'role_arn': 'acs:ram::%s:role/%s' % (MANAGEMENT, OPS_ROLE)})
    directory = tmp_path_factory.mktemp('own')
    playbook, results = local_play(directory, [
        marker('no_read'), task('rd_member', absent, 'no_read', ignore=True),
        marker('check'), task('rd_member', through_role, 'check', check=True),
        marker('real'), task('rd_member', through_role, 'real'),
        marker('end')], ['no_read', 'check', 'real'])
    run = playbook_run(emulator, playbook, results=results)
    return before, run, records(emulator)


def test_an_own_host_that_cannot_be_told_apart_still_blocks_and_says_why(own):
    run = own[1]
    result = run.results['no_read']
    assert result and result.get('failed'), run.tail()
    assert JUMP_ADMIN in result['msg'] and 'AliyunECSReadOnlyAccess' in result['msg'], result['msg']
    assert writes(run.between('no_read')) == []


def test_a_hand_imported_host_of_the_bastion_hosts_own_account_does_not_block_offboarding(own, emulator):
    before, run, after = own
    check, real = run.results['check'], run.results['real']
    assert check and not check.get('failed'), run.tail()
    assert real and not real.get('failed'), run.tail()
    assert writes(run.between('check')) == []
    assert written(run.between('real'), before) == offboarding_writes(SHOP_PROD, demo_assets(SHOP_PROD))
    assert check['removed_assets'] == real['removed_assets']
    assert JUMP_ADMIN not in [line.split(' ')[2] for line in real['removed_assets']]
    assert [value[2] for value in after.values()] == [JUMP_ADMIN]
    assert emulator.instance(ENT01)['members'] == []


def test_the_own_account_is_looked_up_by_instance_ids_in_batches(own):
    run = own[1]
    lookups = [c for c in run.between('real') if c['action'] == 'DescribeInstances' and c['product'] == 'ecs'
               and c['caller']['account_id'] == MANAGEMENT]
    assert lookups, short([c['action'] for c in run.between('real')])
    assert all(json.loads(c['params']['InstanceIds']) for c in lookups), short(lookups)
    assert all(len(json.loads(c['params']['InstanceIds'])) <= 100 for c in lookups)
