"""All emulator state behind one lock: the org, issued credentials, bastion contents, the call log."""
import random
import threading
import time

from .access import AccessState
from .auth import identities_from_org, issue_sts_identity
from .org import load_org


class InstanceState:
    """What a bastion host holds: added RD members, hosts, databases and asset groups. A host's or a
    database's groups are its record's `HostGroupIds`."""

    def __init__(self):
        self.members = []
        self.hosts = {}
        self.databases = {}
        self.host_groups = {}
        # O&M access (issue 23): accounts, shared keys, users, user groups and grants (emulator/access.py)
        self.access = AccessState()
        self._next_id = 1
        self._next_group_id = 1

    def new_id(self):
        value = str(self._next_id)
        self._next_id += 1
        return value

    def new_group_id(self):
        value = str(self._next_group_id)
        self._next_group_id += 1
        return value

    def group_view(self, group):
        """An asset group as /_emulator/state shows it: with the ids of its hosts and databases."""
        group_id = group['HostGroupId']
        return {**group,
                'HostIds': [h['HostId'] for h in by_id(self.hosts, 'HostId') if group_id in h['HostGroupIds']],
                'DatabaseIds': [d['DatabaseId'] for d in by_id(self.databases, 'DatabaseId')
                                if group_id in d['HostGroupIds']]}

    def assets_of_member(self, member_id):
        return ([h for h in self.hosts.values() if h.get('InstanceMemberId') == member_id]
                + [d for d in self.databases.values() if d.get('InstanceMemberId') == member_id])


def by_id(records, id_field):
    """The records of a dict in the order of their numeric ids."""
    return sorted(records.values(), key=lambda r: int(r[id_field]))


# Quotas a document states for one operation, in calls a second per account; they apply instead
# of --qps whenever --qps is given (tests/emulator/README.md, "Order of checks").
DOCUMENTED_QUOTAS = {
    # "100 requests per second ... per Alibaba Cloud account": https://www.alibabacloud.com/notice/ram20220829
    ('sts', 'AssumeRole'): 100,
    # "You can call this operation up to 10 times per second per account.": the AddHostsToGroup API reference
    # (https://www.alibabacloud.com/help/en/bh/bastionhost/developer-reference/api-yundun-bastionhost-2019-12-09-addhoststogroup,
    # "Limits", the same in its versions of Dec 28, 2023 to Oct 25, 2024)
    ('bastionhost', 'AddHostsToGroup'): 10,
    # "You can call this operation up to 10 times per second per account.": the CreateHostAccount reference
    # (https://www.alibabacloud.com/help/en/bastion-host/latest/createhostaccount, "Limits") and the
    # CreateUserGroup reference (https://www.alibabacloud.com/help/doc-detail/204596.htm); "The single-user QPS
    # limit of this interface is 10 times/second": DeleteHostAccount (https://www.alibabacloud.com/help/doc-detail/204402.htm)
    ('bastionhost', 'CreateHostAccount'): 10,
    ('bastionhost', 'CreateUserGroup'): 10,
    ('bastionhost', 'DeleteHostAccount'): 10,
}


class World:
    def __init__(self, org_path, qps=0, fault_rate=0.0, seed=0, latency_ms=0, lost_response_rate=0.0,
                 retry_after_ms=0, max_page_size=None, ecs_without_permission='empty', refuse_writes=None):
        self.org_path = org_path
        # --refuse-writes CODE: every write answers CODE (400) once its request passed the rules.
        self.refuse_writes = refuse_writes or None
        self.max_page_size = max_page_size or None
        # ECS DescribeInstances to a RAM user or role without permission: 'empty' (an empty list, the API
        # reference) or 'forbidden' (Forbidden.RAM, ECS's announcement of the change of 2025-12-20).
        self.ecs_without_permission = ecs_without_permission
        self.qps = qps
        self.fault_rate = fault_rate
        self.lost_response_rate = lost_response_rate
        self.retry_after_ms = retry_after_ms
        self.latency_ms = latency_ms
        self.seed = seed
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.org = load_org(self.org_path)
            self.identities = identities_from_org(self.org)
            self.instances = {}
            self.calls = []
            self.clock_offset = 0.0
            self.clock_skew = 0.0
            self.nonces = set()
            self.random = random.Random(self.seed)
            self._rate_windows = {}
            self._request_seq = 0

    def now(self):
        """The time STS credentials expire by: moved on by advance_clock (time passes for everyone)."""
        return time.time() + self.clock_offset

    def server_clock(self):
        """The time request timestamps are held against: off the callers' clocks by the skew only."""
        return time.time() + self.clock_skew

    def advance_clock(self, seconds):
        with self.lock:
            self.clock_offset += seconds

    def skew_clock(self, seconds):
        with self.lock:
            self.clock_skew += seconds

    def use_nonce(self, nonce):
        """False when the nonce was seen before (since the last reset)."""
        with self.lock:
            if nonce in self.nonces:
                return False
            self.nonces.add(nonce)
            return True

    def instance_state(self, account_id, instance_id):
        key = (account_id, instance_id)
        if key not in self.instances:
            state = self.instances[key] = InstanceState()
            # the bastion host's org-file `users` (issue 23)
            host = next((h for a, h in self.org.bastionhosts() if a['id'] == account_id and h['id'] == instance_id),
                        None)
            state.access.seed_users((host or {}).get('users'))
        return self.instances[key]

    def issue_sts(self, account_id, role, session, duration):
        with self.lock:
            identity = issue_sts_identity(account_id, role, session, duration, self.now())
            self.identities[identity.key_id] = identity
            return identity

    def next_request_id(self):
        with self.lock:
            self._request_seq += 1
            return f'EMU{self._request_seq:08d}-{self.random.getrandbits(32):08X}'

    def over_rate(self, account_id, product, action):
        """True when this call is past the --qps limit of ``account_id`` for (product, action) in the
        current second. A quota counts the calls of one Alibaba Cloud account, its RAM users and
        RAM roles together, per operation (sources in README.md, "Order of checks")."""
        if not self.qps:
            return False
        with self.lock:
            second = int(time.monotonic())
            key = (account_id, product, action)
            window = self._rate_windows.get(key)
            if window is None or window[0] != second:
                window = [second, 0]
                self._rate_windows[key] = window
            window[1] += 1
            return window[1] > DOCUMENTED_QUOTAS.get((product, action), self.qps)

    def roll_fault(self):
        if not self.fault_rate:
            return False
        with self.lock:
            return self.random.random() < self.fault_rate

    def update_asset(self, instance_id, fields):
        """Change an instance as the cloud would (rename, readdress, retag); False when unknown."""
        with self.lock:
            found = self.org.locate_asset(instance_id)
            if found is None:
                return False
            found[2].update({k: v for k, v in fields.items() if k != 'id'})
            return True

    def release_asset(self, instance_id):
        """The instance leaves its account's lists; every bastion host's record of it says Release."""
        with self.lock:
            found = self.org.locate_asset(instance_id)
            if found is None:
                return False
            account, key, asset = found
            account[key].remove(asset)
            for state in self.instances.values():
                for record in [*state.hosts.values(), *state.databases.values()]:
                    if record['SourceInstanceId'] == instance_id:
                        record['SourceInstanceState'] = 'Release'
            return True

    def roll_lost_response(self):
        """After an applied write: None (answered), 'ServiceUnavailable' (a 503) or 'dropped' (connection closed)."""
        if not self.lost_response_rate:
            return None
        with self.lock:
            if self.random.random() >= self.lost_response_rate:
                return None
            return self.random.choice(('ServiceUnavailable', 'dropped'))

    def record(self, entry):
        with self.lock:
            entry['seq'] = len(self.calls) + 1
            self.calls.append(entry)

    def snapshot(self):
        with self.lock:
            result = []
            for account, host in self.org.bastionhosts():
                state = self.instance_state(account['id'], host['id'])
                result.append({
                    'instance_id': host['id'], 'account_id': account['id'], 'region': host['region'],
                    'members': sorted(state.members),
                    'hosts': by_id(state.hosts, 'HostId'),
                    'databases': by_id(state.databases, 'DatabaseId'),
                    'host_groups': [state.group_view(g) for g in by_id(state.host_groups, 'HostGroupId')],
                    **state.access.view(),
                })
            return {'instances': result, 'accounts': [account_view(a) for a in self.org.accounts.values()]}


def account_view(account):
    """An account as /_emulator/state shows it: what the organisation endpoints change (its RD display
    name, folder, tags and membership, its RAM roles and their trust)."""
    return {'account_id': account['id'], 'name': account['name'], 'folder': account['folder'],
            'tags': account['tags'], 'in_resource_directory': account['in_resource_directory'],
            'roles': [{'name': r['name'], 'trusted_accounts': [str(a) for a in r.get('trusted_accounts') or []],
                       'policies': list(r.get('policies') or [])} for r in account['roles']]}
