"""--max-page-size N: every PageNumber/PageSize and every NextToken/MaxResults list answers at most N
items a page, whatever the request asks, with true totals and tokens.

One emulator (N=7) serves the module, on an organisation generated here with more than 7 of every
listed thing: 20 ECS instances (and 20 Local hosts imported), 9 of everything else.
"""
import os
import subprocess
import sys

import pytest

from emulator_testlib import (
    EMULATOR_DIR, HZ, bh_models, ecs_models, polardb_models, rds_models, rm_models, running_emulator, sdk,
    write_org,
)
from fixture import stop_processes

CAP = 7
MGMT = '3000000000000001'
KEY = ('LTAIcapMgmt', 'cap-mgmt-secret')
MEMBERS = [f'3{index:015d}' for index in range(101, 109)]      # 8 members added to the bastion host
DELEGATE = '3000000000000002'    # a delegated administrator of 9 services (so it cannot be added)
BASTION = 'bastionhost-cn-hz-cap01'
NINE = 9


def cap_org():
    bastions = [{'id': BASTION, 'region': HZ, 'edition': 'enterprise', 'version': '3.2.52', 'status': 'RUNNING',
                 'network_domains': [{'id': f'nd-cap{n:02d}', 'name': f'nd{n}'} for n in range(NINE)]}]
    bastions += [{'id': f'bastionhost-cn-hz-cap{n:02d}', 'region': HZ, 'edition': 'enterprise', 'version': '3.2.52',
                  'status': 'RUNNING', 'network_domains': []} for n in range(2, NINE + 1)]
    management = {
        'id': MGMT, 'name': 'cap-management', 'access_keys': [{'id': KEY[0], 'secret': KEY[1]}],
        'bastionhosts': bastions,
        'ecs_instances': [{'id': f'i-cap{n:05d}', 'region': HZ, 'name': f'cap-{n}', 'os': 'Linux',
                           'private_ip': f'10.7.0.{n}', 'status': 'Running', 'tags': {}} for n in range(20)],
        'rds_instances': [{'id': f'rm-cap{n:05d}', 'region': HZ, 'engine': 'MySQL', 'port': 3306,
                           'private_address': f'rm-cap{n:05d}.mysql.rds.aliyuncs.com', 'tags': {}}
                          for n in range(NINE)],
        'polardb_clusters': [{'id': f'pc-cap{n:05d}', 'region': HZ, 'engine': 'MySQL', 'port': 3306,
                              'private_address': f'pc-cap{n:05d}.rwlb.rds.aliyuncs.com', 'tags': {}}
                             for n in range(NINE)],
    }
    members = [{'id': member, 'name': f'member-{n}'} for n, member in enumerate(MEMBERS)]
    members.append({'id': DELEGATE, 'name': 'delegate'})
    directory = {
        'management_account': MGMT,
        'folders': [{'id': f'fd-cap{n:02d}', 'name': f'folder-{n}'} for n in range(NINE)],
        'delegated_administrators': [
            {'account': DELEGATE, 'service': f'svc{n}.aliyuncs.com'} for n in range(NINE)]}
    return {'resource_directory': directory, 'accounts': [management] + members}


@pytest.fixture(scope='module')
def capped(tmp_path_factory):
    path = write_org(tmp_path_factory.mktemp('orgs') / 'cap.yml', cap_org())
    with running_emulator(path, max_page_size=CAP) as emu:
        client = sdk(emu, 'bastionhost', *KEY)
        for n in range(20):
            client.create_host(bh_models.CreateHostRequest(
                region_id=HZ, instance_id=BASTION, source='Local', host_name=f'h{n}', ostype='Linux',
                active_address_type='Private', host_private_address=f'10.8.0.{n}'))
        for n in range(NINE):
            client.create_database(bh_models.CreateDatabaseRequest(
                region_id=HZ, instance_id=BASTION, source='Local', database_type='MySQL', database_name=f'db{n}',
                database_port='3306', active_address_type='Private', database_private_address=f'10.9.0.{n}'))
            client.create_host_group(bh_models.CreateHostGroupRequest(
                region_id=HZ, instance_id=BASTION, host_group_name=f'group-{n}'))
        for member in MEMBERS:
            client.add_instance_rd_member(bh_models.AddInstanceRdMemberRequest(
                region_id=HZ, instance_id=BASTION, member_id=member))
        yield emu


def by_number(call, items_of, total_of, size):
    """Walk PageNumber 1, 2, ... with PageSize `size` until TotalCount items came (or a page is empty):
    (page lengths, items, the TotalCount of every page)."""
    lengths, items, totals = [], [], []
    number = 1
    while True:
        body = call(number, size)
        page = items_of(body)
        lengths.append(len(page))
        items += page
        totals.append(total_of(body))
        if not page or len(items) >= total_of(body):
            return lengths, items, totals
        number += 1


def by_token(call, items_of, size):
    """Walk NextToken from the first page until the token is empty: (page lengths, items)."""
    lengths, items, token = [], [], None
    while True:
        body = call(token, size)
        page = items_of(body)
        lengths.append(len(page))
        items += page
        token = body.next_token
        if not token:
            return lengths, items


def test_list_hosts_page_size_100_over_20_hosts_gives_7_7_6(capped):
    client = sdk(capped, 'bastionhost', *KEY)
    lengths, hosts, totals = by_number(
        lambda number, size: client.list_hosts(bh_models.ListHostsRequest(
            region_id=HZ, instance_id=BASTION, page_number=str(number), page_size=str(size))).body,
        lambda body: body.hosts, lambda body: int(body.total_count), 100)
    assert lengths == [7, 7, 6]
    assert totals == [20, 20, 20]
    assert sorted(h.host_name for h in hosts) == sorted(f'h{n}' for n in range(20))
    # a page past the end is empty, its TotalCount still true
    body = client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=BASTION, page_number='4',
                                                        page_size='100')).body
    assert (body.hosts, int(body.total_count)) == ([], 20)


def test_a_smaller_page_than_the_cap_is_served_as_asked(capped):
    client = sdk(capped, 'bastionhost', *KEY)
    lengths, _hosts, _totals = by_number(
        lambda number, size: client.list_hosts(bh_models.ListHostsRequest(
            region_id=HZ, instance_id=BASTION, page_number=str(number), page_size=str(size))).body,
        lambda body: body.hosts, lambda body: int(body.total_count), 5)
    assert lengths == [5, 5, 5, 5]


@pytest.mark.parametrize('action', ['ListDatabases', 'ListHostGroups', 'ListNetworkDomains', 'DescribeInstances'])
def test_every_bastionhost_page_number_list(capped, action):
    client = sdk(capped, 'bastionhost', *KEY)
    calls = {
        'ListDatabases': (lambda n, s: client.list_databases(bh_models.ListDatabasesRequest(
            region_id=HZ, instance_id=BASTION, page_number=str(n), page_size=str(s))).body,
            lambda b: b.databases),
        'ListHostGroups': (lambda n, s: client.list_host_groups(bh_models.ListHostGroupsRequest(
            region_id=HZ, instance_id=BASTION, page_number=str(n), page_size=str(s))).body,
            lambda b: b.host_groups),
        'ListNetworkDomains': (lambda n, s: client.list_network_domains(bh_models.ListNetworkDomainsRequest(
            region_id=HZ, instance_id=BASTION, page_number=str(n), page_size=str(s))).body,
            lambda b: b.network_domains),
        'DescribeInstances': (lambda n, s: client.describe_instances(bh_models.DescribeInstancesRequest(
            region_id=HZ, page_number=str(n), page_size=str(s))).body,
            lambda b: b.instances),
    }
    call, items_of = calls[action]
    lengths, items, totals = by_number(call, items_of, lambda body: int(body.total_count), 100)
    assert lengths == [7, 2]
    assert set(totals) == {NINE}
    assert len(items) == NINE


def test_list_instance_rd_members_by_token(capped):
    client = sdk(capped, 'bastionhost', *KEY)
    lengths, members = by_token(
        lambda token, size: client.list_instance_rd_members(bh_models.ListInstanceRdMembersRequest(
            region_id=HZ, instance_id=BASTION, next_token=token, max_results=size)).body,
        lambda body: body.members, 100)
    assert lengths == [7, 1]
    assert [m.member_id for m in members] == MEMBERS


@pytest.mark.parametrize('action', ['ListAccounts', 'ListFoldersForParent', 'ListDelegatedAdministrators'])
def test_resource_manager_lists(capped, action):
    client = sdk(capped, 'resourcemanager', *KEY)
    calls = {
        'ListAccounts': (lambda n, s: client.list_accounts(rm_models.ListAccountsRequest(
            page_number=n, page_size=s)).body, lambda b: b.accounts.account),
        'ListFoldersForParent': (lambda n, s: client.list_folders_for_parent(rm_models.ListFoldersForParentRequest(
            page_number=n, page_size=s)).body, lambda b: b.folders.folder),
        'ListDelegatedAdministrators': (lambda n, s: client.list_delegated_administrators(
            rm_models.ListDelegatedAdministratorsRequest(page_number=n, page_size=s)).body,
            lambda b: b.accounts.account),
    }
    call, items_of = calls[action]
    lengths, items, totals = by_number(call, items_of, lambda body: body.total_count, 100)
    total = NINE + 1 if action == 'ListAccounts' else NINE     # the management, 8 members and the delegate
    assert lengths == [7, total - 7]
    assert set(totals) == {total}
    assert len(items) == total


def test_ecs_describe_instances_both_ways(capped):
    client = sdk(capped, 'ecs', *KEY)
    lengths, items, totals = by_number(
        lambda n, s: client.describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=HZ, page_number=n, page_size=s)).body,
        lambda body: body.instances.instance, lambda body: body.total_count, 100)
    assert (lengths, set(totals), len({i.instance_id for i in items})) == ([7, 7, 6], {20}, 20)
    lengths, items = by_token(
        lambda token, size: client.describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=HZ, next_token=token, max_results=size)).body,
        lambda body: body.instances.instance, 100)
    assert (lengths, len({i.instance_id for i in items})) == ([7, 7, 6], 20)


def test_page_size_echoes_what_was_asked(capped):
    """DescribeInstancesResponseBody.PageSize (ECS): "The number of entries per page that was specified in
    the request"; the cap does not show in it."""
    body = sdk(capped, 'ecs', *KEY).describe_instances(ecs_models.DescribeInstancesRequest(
        region_id=HZ, page_size=100)).body
    assert (len(body.instances.instance), body.page_size, body.total_count) == (7, 100, 20)


def test_rds_describe_db_instances_both_ways(capped):
    client = sdk(capped, 'rds', *KEY)
    lengths, items, totals = by_number(
        lambda n, s: client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(
            region_id=HZ, page_number=n, page_size=s)).body,
        lambda body: body.items.dbinstance, lambda body: body.total_record_count, 100)
    assert (lengths, set(totals), len({i.dbinstance_id for i in items})) == ([7, 2], {NINE}, NINE)
    first = client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ, page_size=100)).body
    assert first.page_record_count == 7
    lengths, items = by_token(
        lambda token, size: client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(
            region_id=HZ, next_token=token, max_results=size)).body,
        lambda body: body.items.dbinstance, 100)
    assert (lengths, len({i.dbinstance_id for i in items})) == ([7, 2], NINE)


def test_polardb_describe_db_clusters(capped):
    client = sdk(capped, 'polardb', *KEY)
    lengths, items, totals = by_number(
        lambda n, s: client.describe_dbclusters(polardb_models.DescribeDBClustersRequest(
            region_id=HZ, page_number=n, page_size=s)).body,
        lambda body: body.items.dbcluster, lambda body: body.total_record_count, 100)
    assert (lengths, set(totals), len({c.dbcluster_id for c in items})) == ([7, 2], {NINE}, NINE)


def test_run_py_refuses_a_cap_below_one():
    result = subprocess.run([sys.executable, os.path.join(EMULATOR_DIR, 'run.py'), '--org',
                             os.path.join(EMULATOR_DIR, 'orgs', 'demo.yml'), '--max-page-size', '0'],
                            capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert '--max-page-size' in result.stderr


def test_fixture_start_passes_the_flag_through(tmp_path):
    """`fixture.py start ... --max-page-size N` (the shell's way to start one) reaches run.py."""
    path = write_org(tmp_path / 'cap.yml', cap_org())
    result = subprocess.run([sys.executable, os.path.join(EMULATOR_DIR, 'fixture.py'), 'start', '--org', path,
                             '--max-page-size', '3'], capture_output=True, text=True, timeout=60, check=True)
    lines = dict(line.split('=', 1) for line in result.stdout.split())
    try:
        class Endpoint:
            endpoint = lines['EMULATOR_URL'].split('://', 1)[1]
        body = sdk(Endpoint, 'ecs', *KEY).describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=HZ, page_size=100)).body
        assert (len(body.instances.instance), body.total_count) == (3, 20)
    finally:
        stop_processes([int(lines['EMULATOR_PID'])])
