# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bastionhost 2019-12-09, O&M access: the ``Access`` service owns every read and write of host accounts,
shared keys, users, user groups and their grants on one bastion host.

    access = Access(module.client("bastionhost"), module.region, instance_id)
    keys = access.share_keys()                       # [{id, name, fingerprint, host_account_count}]
    key_id = access.create_share_key("ops-key", ssh_keys.encode_key(text), None)

Reads return plain dicts with snake_case keys, ids as strings. Writes take encoded secrets (ssh_keys.encode,
encode_key) and never return or log them. A create is read back by name after an answer that may have been
lost (``BastionApi._write``), so it is never repeated blindly. Batch calls answer one result per id: any code
but OK (or OBJECT_AlREADY_EXISTS for a grant or membership that already holds) fails those ids (BatchError).
"""

from __future__ import annotations

import json

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    BastionApi,
    BatchError,
    DoneElsewhere,
    batches,
)

# AddUsersToGroupRequest.UserIds: up to 100 ids a call (its model). AttachHostAccountsToHostShareKey states no
# limit (model and API page); it is sent in the same batches.
USER_BATCH = 100
# AttachHostGroupAccountsToUserGroupRequest.HostGroups: up to 10 host groups, 10 account names each;
# AttachDatabaseAccountsToUserGroupRequest.Databases: up to 10 databases and 10 accounts (read as: in all).
GRANT_BATCH = 10
# ListHostAccounts HostIds (with HostId 0): the model states no limit; the pager asks for this many hosts a call.
HOSTS_PER_ACCOUNT_LIST = 100
# The per-item codes that mean "it holds already" (AddUsersToGroupResponseBodyResults.Code lists them).
ALREADY = "OBJECT_AlREADY_EXISTS"


def _id(value):
    return str(value) if value is not None and value != "" else None


def share_key_view(raw):
    return dict(id=_id(raw.get("HostShareKeyId")), name=raw.get("HostShareKeyName"),
                fingerprint=raw.get("PrivateKeyFingerPrint") or None,
                host_account_count=int(raw.get("HostAccountCount") or 0))


def host_account_view(raw):
    return dict(id=_id(raw.get("HostAccountId")), host_id=_id(raw.get("HostId")), name=raw.get("HostAccountName"),
                protocol=raw.get("ProtocolName"), has_password=str(raw.get("HasPassword")).lower() == "true",
                share_key_id=_id(raw.get("HostShareKeyId")), share_key_name=raw.get("HostShareKeyName") or None,
                key_fingerprint=raw.get("PrivateKeyFingerprint") or None)


def user_view(raw):
    return dict(id=_id(raw.get("UserId")), name=raw.get("UserName"), display_name=raw.get("DisplayName"),
                source=raw.get("Source"))


def user_group_view(raw):
    return dict(id=_id(raw.get("UserGroupId")), name=raw.get("UserGroupName"), comment=raw.get("Comment") or "")


def refusal(action, what, lines, body):
    """The BatchError of a batch answer that refused ``lines`` (``what``: ids or grants), with its request id."""
    request_id = body.get("RequestId")
    return BatchError("%s refused %d of its %s: %s%s" % (action, len(lines), what, "; ".join(lines),
                                                         " (request id: %s)" % request_id if request_id else ""))


def require_ok(body, action, id_key, accept=()):
    """Fail the ids of a batch answer whose ``Code`` is not OK (nor one of ``accept``)."""
    failed = [r for r in body.get("Results") or [] if r.get("Code") not in ("OK", None) + tuple(accept)]
    if failed:
        raise refusal(action, "ids", ["%s %s (%s)" % (r.get(id_key), r.get("Code"), r.get("Message")) for r in failed],
                      body)
    return body


def host_group_calls(entries):
    """The ``{"HostGroupId", "HostAccountNames"}`` entries in calls of at most 10, each host group at most once a
    call: the limit of 10 names is per host group (the model), and what the service does with a host group given
    twice in one call is not documented, so a group's names over 10 take more calls."""
    calls = []
    for entry in entries:
        if not calls or len(calls[-1]) == GRANT_BATCH or entry["HostGroupId"] in [e["HostGroupId"] for e in calls[-1]]:
            calls.append([])
        calls[-1].append(entry)
    return calls


class Access(BastionApi):
    """Host accounts, shared keys, users, user groups and grants of one bastion host."""

    # --- shared keys --------------------------------------------------------------------

    def share_keys(self):
        """Every shared key: ``[{id, name, fingerprint, host_account_count}]`` (the key itself is never read)."""
        return [share_key_view(k) for k in self._pages("list_host_share_keys", "ListHostShareKeysRequest",
                                                       "HostShareKeys")]

    def share_key(self, name):
        return next((k for k in self.share_keys() if k["name"] == name), None)

    def share_key_accounts(self, key_id):
        """The host accounts using a shared key: ``[{id, host_id, name, protocol}]``."""
        return [dict(id=_id(a.get("HostsAccountId")), host_id=_id(a.get("HostId")), name=a.get("HostAccountName"),
                     protocol=a.get("ProtocolName"))
                for a in self._pages("list_host_accounts_for_host_share_key", "ListHostAccountsForHostShareKeyRequest",
                                     "HostAccounts", host_share_key_id=key_id)]

    def create_share_key(self, name, private_key, passphrase=None):
        """CreateHostShareKey (``private_key``/``passphrase`` Base64-encoded); the new key's id."""
        request = self._request("CreateHostShareKeyRequest", host_share_key_name=name, private_key=private_key,
                                pass_phrase=passphrase)
        try:
            body = self._write("create_host_share_key", request, read_back=lambda: next((
                {"HostShareKeyId": k["id"]} for k in self.share_keys() if k["name"] == name), None))
        except DoneElsewhere as done:
            body = done.value
        return _id(body.get("HostShareKeyId"))

    def modify_share_key(self, key_id, name=None, private_key=None, passphrase=None):
        self._read("modify_host_share_key", "ModifyHostShareKeyRequest", host_share_key_id=key_id,
                   host_share_key_name=name, private_key=private_key, pass_phrase=passphrase)

    def delete_share_key(self, key_id):
        self._write("delete_host_share_key", self._request("DeleteHostShareKeyRequest", host_share_key_id=key_id),
                    read_back=lambda: {} if not any(k["id"] == key_id for k in self.share_keys()) else None)

    def attach_to_share_key(self, key_id, account_ids):
        """AttachHostAccountsToHostShareKey: the accounts use the key (an account with another key moves)."""
        for ids in batches(account_ids, USER_BATCH):
            require_ok(self._read("attach_host_accounts_to_host_share_key", "AttachHostAccountsToHostShareKeyRequest",
                                  host_share_key_id=key_id, host_account_ids=json.dumps(ids)),
                       "AttachHostAccountsToHostShareKey", "HostAccountId", accept=(ALREADY,))

    # --- host accounts ------------------------------------------------------------------

    def host_accounts(self, host_ids):
        """The accounts of the hosts ``host_ids``: ``[{id, host_id, name, protocol, has_password, share_key_id,
        share_key_name, key_fingerprint}]`` (ListHostAccounts with HostId 0 and HostIds, 100 hosts a call)."""
        accounts = []
        for ids in batches(sorted(set(host_ids)), HOSTS_PER_ACCOUNT_LIST):
            accounts.extend(host_account_view(a) for a in self._pages(
                "list_host_accounts", "ListHostAccountsRequest", "HostAccounts", host_id="0", host_ids=json.dumps(ids)))
        return accounts

    def _host_account(self, host_id, name):
        return next((a for a in self._pages("list_host_accounts", "ListHostAccountsRequest", "HostAccounts",
                                            host_id=host_id, host_account_name=name)
                     if a.get("HostAccountName") == name), None)

    def create_host_account(self, host_id, name, protocol, password=None, private_key=None, passphrase=None,
                            share_key_id=None):
        """CreateHostAccount (secrets Base64-encoded as the model asks, the password as it is); the new id."""
        request = self._request("CreateHostAccountRequest", host_id=host_id, host_account_name=name,
                                protocol_name=protocol, password=password, private_key=private_key,
                                pass_phrase=passphrase, host_share_key_id=share_key_id)
        try:
            body = self._write("create_host_account", request, read_back=lambda: self._host_account(host_id, name))
        except DoneElsewhere as done:
            body = done.value
        return _id(body.get("HostAccountId"))

    def modify_host_account(self, account_id, password=None, private_key=None, passphrase=None, share_key_id=None):
        self._read("modify_host_account", "ModifyHostAccountRequest", host_account_id=account_id, password=password,
                   private_key=private_key, pass_phrase=passphrase, host_share_key_id=share_key_id)

    def delete_host_account(self, account_id, host_id):
        self._write("delete_host_account", self._request("DeleteHostAccountRequest", host_account_id=account_id),
                    read_back=lambda: {} if not any(a["id"] == account_id for a in self.host_accounts([host_id]))
                    else None)

    # --- users and user groups ----------------------------------------------------------

    def users(self, user_group_id=None):
        """The bastion host's users (of one user group with ``user_group_id``): ``[{id, name, display_name,
        source}]``."""
        fields = dict(user_group_id=user_group_id) if user_group_id else {}
        return [user_view(u) for u in self._pages("list_users", "ListUsersRequest", "Users", **fields)]

    def user_groups(self):
        """``[{id, name, comment}]`` of every user group."""
        return [user_group_view(g) for g in self._pages("list_user_groups", "ListUserGroupsRequest", "UserGroups")]

    def user_group(self, name):
        """The ListUserGroups record of the group ``name`` (exact match), or None."""
        return next((g for g in self._pages("list_user_groups", "ListUserGroupsRequest", "UserGroups",
                                            user_group_name=name) if g.get("UserGroupName") == name), None)

    def create_user_group(self, name, comment=None):
        request = self._request("CreateUserGroupRequest", user_group_name=name, comment=comment)
        try:
            body = self._write("create_user_group", request, read_back=lambda: self.user_group(name))
        except DoneElsewhere as done:
            body = done.value
        return _id(body.get("UserGroupId"))

    def modify_user_group(self, group_id, name=None, comment=None):
        self._read("modify_user_group", "ModifyUserGroupRequest", user_group_id=group_id, user_group_name=name,
                   comment=comment)

    def delete_user_group(self, group_id, name):
        self._write("delete_user_group", self._request("DeleteUserGroupRequest", user_group_id=group_id),
                    read_back=lambda: {} if self.user_group(name) is None else None)

    def add_users(self, group_id, user_ids):
        for ids in batches(user_ids, USER_BATCH):
            require_ok(self._read("add_users_to_group", "AddUsersToGroupRequest", user_group_id=group_id,
                                  user_ids=json.dumps(ids)), "AddUsersToGroup", "UserId", accept=(ALREADY,))

    def remove_users(self, group_id, user_ids):
        for ids in batches(user_ids, USER_BATCH):
            body = self._read("remove_users_from_group", "RemoveUsersFromGroupRequest", user_group_id=group_id,
                              user_ids=json.dumps(ids))
            # OBJECT_NOT_FOUND: not in the group (any more); what the removal was for holds.
            require_ok(body, "RemoveUsersFromGroup", "UserId", accept=("OBJECT_NOT_FOUND",))

    # --- grants to a user group ---------------------------------------------------------

    def granted_host_groups(self, user_group_id):
        """``{host group id: {"name": name, "accounts": [account names]}}`` granted to a user group."""
        groups = self._pages("list_host_groups_for_user_group", "ListHostGroupsForUserGroupRequest", "HostGroups",
                             user_group_id=user_group_id, mode="Authorized")
        granted = {}
        for group in groups:
            group_id = _id(group.get("HostGroupId"))
            body = self._read("list_host_group_account_names_for_user_group",
                              "ListHostGroupAccountNamesForUserGroupRequest", user_group_id=user_group_id,
                              host_group_id=group_id)
            granted[group_id] = dict(name=group.get("HostGroupName"), accounts=list(body.get("HostAccountNames") or []))
        return granted

    def attach_host_groups(self, user_group_id, grants):
        """AttachHostGroupAccountsToUserGroup: ``grants`` ``[(host group id, [account names])]``; names that are
        granted already, or a group granted already without names, hold."""
        self._grant_host_groups("attach_host_group_accounts_to_user_group", "AttachHostGroupAccountsToUserGroupRequest",
                                user_group_id, grants, ALREADY)

    def detach_host_groups(self, user_group_id, grants):
        """DetachHostGroupAccountsFromUserGroup: ``[(host group id, [names])]`` revokes those names; ``(id, None)``
        revokes the asset group and all its names. An empty list of names is never sent: the API documents no
        meaning for it, and it may revoke the whole group."""
        if any(names is not None and not names for _group, names in grants):
            raise ValueError("an empty list of account names is never sent to DetachHostGroupAccountsFromUserGroup")
        self._grant_host_groups("detach_host_group_accounts_from_user_group",
                                "DetachHostGroupAccountsFromUserGroupRequest", user_group_id, grants,
                                "OBJECT_NOT_FOUND")

    def _grant_host_groups(self, method, request, user_group_id, grants, holds):
        entries = []
        for group_id, names in grants:
            if names is None:
                entries.append({"HostGroupId": group_id})
            else:
                entries.extend({"HostGroupId": group_id, "HostAccountNames": part} for part in batches(names, GRANT_BATCH))
        for part in host_group_calls(entries):
            body = self._read(method, request, user_group_id=user_group_id, host_groups=json.dumps(part))
            failed = [r for r in body.get("Results") or [] if r.get("Code") not in ("OK", holds, None)] + [
                dict(n, HostGroupId=r.get("HostGroupId")) for r in body.get("Results") or []
                for n in r.get("HostAccountNames") or [] if n.get("Code") not in ("OK", holds, None)]
            if failed:
                raise refusal(method, "grants", ["host group %s%s %s (%s)" % (
                    f.get("HostGroupId"), " account %s" % f["HostAccountName"] if f.get("HostAccountName") else "",
                    f.get("Code"), f.get("Message")) for f in failed], body)

    def granted_databases(self, user_group_id):
        """``{database id: {"name": name, "accounts": {account id: account name}}}`` granted to a user group."""
        granted = {}
        for database in self._pages("list_databases_for_user_group", "ListDatabasesForUserGroupRequest", "Databases",
                                    user_group_id=user_group_id):
            database_id = _id(database.get("DatabaseId"))
            accounts = self._pages("list_database_accounts_for_user_group", "ListDatabaseAccountsForUserGroupRequest",
                                   "DatabaseAccounts", user_group_id=user_group_id, database_id=database_id)
            granted[database_id] = dict(name=database.get("DatabaseName"), accounts=dict(
                (_id(a.get("DatabaseAccountId")), a.get("DatabaseAccountName")) for a in accounts
                if str(a.get("IsAuthorized")).lower() == "true"))
        return granted

    def database_accounts(self, database_id):
        """``{account name: account id}`` of one database."""
        return dict((a.get("DatabaseAccountName"), _id(a.get("DatabaseAccountId"))) for a in self._pages(
            "list_database_accounts", "ListDatabaseAccountsRequest", "DatabaseAccounts", database_id=database_id))

    def attach_databases(self, user_group_id, grants):
        """AttachDatabaseAccountsToUserGroup: ``[(database id, [account ids])]`` (none: the database itself)."""
        self._grant_databases("attach_database_accounts_to_user_group", "AttachDatabaseAccountsToUserGroupRequest",
                              user_group_id, grants, ALREADY)

    def detach_databases(self, user_group_id, grants):
        """DetachDatabaseAccountsFromUserGroup: ``(id, [account ids])`` revokes those accounts, ``(id, None)`` the
        database and all its accounts; an empty list is never sent (as for host groups)."""
        if any(ids is not None and not ids for _database, ids in grants):
            raise ValueError("an empty list of account ids is never sent to DetachDatabaseAccountsFromUserGroup")
        self._grant_databases("detach_database_accounts_from_user_group", "DetachDatabaseAccountsFromUserGroupRequest",
                              user_group_id, grants, "OBJECT_NOT_FOUND")

    def _grant_databases(self, method, request, user_group_id, grants, holds):
        # At most 10 databases and 10 account ids in a call (counted in all: the stricter reading).
        calls, current, count = [], [], 0
        for database_id, ids in grants:
            for part in (batches(ids, GRANT_BATCH) if ids else [None]):
                size = len(part or ())
                if current and (len(current) == GRANT_BATCH or count + size > GRANT_BATCH):
                    calls.append(current)
                    current, count = [], 0
                current.append((database_id, part))
                count += size
        if current:
            calls.append(current)
        model = getattr(self.models, request + "Databases")
        for part in calls:
            databases = [model(database_id=database_id, database_account_ids=ids) for database_id, ids in part]
            body = self._read(method, request, user_group_id=user_group_id, databases=databases)
            failed = [r for r in body.get("Results") or [] if r.get("Code") not in ("OK", holds, None)] + [
                dict(a, DatabaseId=r.get("DatabaseId")) for r in body.get("Results") or []
                for a in r.get("DatabaseAccounts") or [] if a.get("Code") not in ("OK", holds, None)]
            if failed:
                raise refusal(method, "grants", ["database %s%s %s (%s)" % (
                    f.get("DatabaseId"), " account %s" % f["DatabaseAccountId"] if f.get("DatabaseAccountId") else "",
                    f.get("Code"), f.get("Message")) for f in failed], body)

    def hosts_for_user(self, user_id):
        """The hosts a user is granted (ListHostsForUser, Authorized): ``[{id, name}]``."""
        return [dict(id=_id(h.get("HostId")), name=h.get("HostName")) for h in self._pages(
            "list_hosts_for_user", "ListHostsForUserRequest", "Hosts", user_id=user_id, mode="Authorized")]
