"""What the tests know about the asset types, written once for the e2e tests, the benchmark and any
helper that reads an organisation file (tests/emulator/orgs/*.yml) or the emulator's state.

Import it with tests/utils on sys.path (tests/e2e/conftest.py and tests/perf/bench.py put it there).
"""

# Asset type (the modules' ``type``) -> the key under which an account of an organisation file lists
# its assets of that type.
ORG_KEYS = {'ecs': 'ecs_instances', 'rds': 'rds_instances', 'polardb': 'polardb_clusters'}

# The Bastionhost ``Source`` of an imported host or database -> asset type.
SOURCES = {'Ecs': 'ecs', 'Rds': 'rds', 'PolarDB': 'polardb'}


def account_assets(account):
    """``(type, entry)`` of every asset an account of an organisation file lists, in ORG_KEYS order."""
    for asset_type, key in ORG_KEYS.items():
        for entry in account.get(key) or []:
            yield asset_type, entry


def result_key(item):
    """``(member_id, type, instance_id)`` of an asset as member_asset or rd_member report it: a line
    ``"<member_id> <type> <instance_id>"`` (with ``": <fields or reason>"`` after it for updated and skipped
    assets) or, with ``full_results``, a record."""
    if isinstance(item, dict):
        return item['member_id'], item['type'], item['instance_id']
    member_id, asset_type, instance_id = item.split(': ', 1)[0].split(' ')
    return member_id, asset_type, instance_id


def failed_items(result):
    """``{(action, item line)}`` of a failed task's distinct failures (its ``failures``)."""
    return {(group['action'], item) for group in result.get('failures') or [] for item in group['lines']}
