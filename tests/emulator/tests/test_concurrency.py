"""Concurrent calls: imports of distinct ECS all land once; duplicate imports race to one winner."""
import threading
from concurrent.futures import ThreadPoolExecutor

from emulator_testlib import (
    ENT01, HZ, MEMBER_IDS, SHOP_PROD_ID, SHOP_WEB1, add_member, assert_error, demo_ecs, ecs_models, import_ecs,
    list_hosts, rm_models, sdk,
)


def run_together(count, work):
    """Run work(index) in `count` threads released at the same moment; return results in index order."""
    barrier = threading.Barrier(count)

    def task(index):
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(task, range(count)))


def test_concurrent_imports_of_distinct_ecs(demo_emulator):
    emu = demo_emulator
    mgmt = sdk(emu, 'bastionhost', 'mgmt')
    for member_id in MEMBER_IDS:
        add_member(mgmt, member_id)
    targets = [(member_id, ecs_id, region) for member_id in MEMBER_IDS for ecs_id, region in demo_ecs(member_id)][:20]
    assert len({t[1] for t in targets}) == 20

    def work(index):
        member_id, ecs_id, region = targets[index]
        return import_ecs(sdk(emu, 'bastionhost', 'mgmt'), ecs_id, member_id, instance_region=region).body.host_id

    host_ids = run_together(20, work)
    assert len(set(host_ids)) == 20
    hosts = emu.instance(ENT01)['hosts']
    assert sorted(h['SourceInstanceId'] for h in hosts) == sorted(t[1] for t in targets)
    assert sorted(h['HostId'] for h in hosts) == sorted(host_ids)
    assert {(h['SourceInstanceId'], h['InstanceMemberId']) for h in hosts} == {(t[1], t[0]) for t in targets}
    assert list_hosts(mgmt, page_size=100).total_count == 20
    assert len([w for w in emu.writes() if w['action'] == 'CreateHost']) == 20


def test_concurrent_duplicate_imports_have_one_winner(demo_emulator):
    emu = demo_emulator
    add_member(sdk(emu, 'bastionhost', 'mgmt'), SHOP_PROD_ID)

    def work(index):
        client = sdk(emu, 'bastionhost', 'mgmt', v2=bool(index % 2))
        try:
            return import_ecs(client, SHOP_WEB1, SHOP_PROD_ID, host_name=f'web-{index}').body.host_id
        except Exception as error:   # noqa: BLE001  (checked by the caller)
            return error

    results = run_together(12, work)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if not isinstance(r, str)]
    assert len(winners) == 1
    for error in losers:
        assert_error(error, 'OBJECT_AlREADY_EXISTS', 400)
    hosts = emu.instance(ENT01)['hosts']
    assert [(h['HostId'], h['SourceInstanceId']) for h in hosts] == [(winners[0], SHOP_WEB1)]
    assert len(emu.calls()) == 13


def test_concurrent_adds_of_one_member(demo_emulator):
    emu = demo_emulator
    run_together(8, lambda index: add_member(sdk(emu, 'bastionhost', 'mgmt'), SHOP_PROD_ID))
    assert emu.instance(ENT01)['members'] == [SHOP_PROD_ID]
    assert len(emu.writes()) == 8


def test_concurrent_mixed_products(demo_emulator):
    """Readers of every product alongside writers: every call answers 200 and is logged once."""
    emu = demo_emulator
    add_member(sdk(emu, 'bastionhost', 'mgmt'), SHOP_PROD_ID)

    def work(index):
        kind = index % 3
        if kind == 0:
            return sdk(emu, 'ecs', 'shop_prod').describe_instances(
                ecs_models.DescribeInstancesRequest(region_id=HZ)).body.total_count
        if kind == 1:
            return sdk(emu, 'resourcemanager', 'mgmt').list_accounts(rm_models.ListAccountsRequest()).body.total_count
        return sdk(emu, 'sts', 'shop_prod').get_caller_identity().body.account_id

    results = run_together(15, work)
    assert results == [8, 6, SHOP_PROD_ID] * 5
    calls = emu.calls()
    assert len(calls) == 16 and {c['status'] for c in calls} == {200}
    assert sorted(c['seq'] for c in calls) == list(range(1, 17))
