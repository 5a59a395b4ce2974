#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_share_key
short_description: Manage a shared SSH key of a bastion host
version_added: 0.2.0
description:
  - Creates, updates or deletes a shared key of a bastion host (Bastionhost console Assets > Shared Keys), the SSH
    private key that host accounts log on with (M(alicloud.bastionhost.host_account) with C(host_share_key)).
  - O(private_key) is the key text as ssh-keygen writes it, RSA or Ed25519 (C(-----BEGIN OPENSSH PRIVATE KEY-----),
    or C(-m PEM) / C(-m PKCS8)); the module checks it before the first write and encodes it in Base64 as the API asks.
    A public key, an ECDSA or DSA key, or text that is not a key fails the task with no change; the message never
    quotes it.
  - A key cannot be read back (the API answers only its fingerprint), so an existing key is left as it is unless
    O(update_key=always), which sends the key on every run and so reports a change every time (as
    O(ansible.builtin.user#module:update_password=always) does).
  - The safety rule. O(state=absent) deletes the named key only, and refuses to while host accounts log on with it,
    naming them (give them another credential with M(alicloud.bastionhost.host_account), or remove them, first).
  - The key and its passphrase never appear in results, diffs, warnings or errors.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  name:
    description:
      - The shared key's name (at most 128 characters), unique on the bastion host.
    type: str
    required: true
  private_key:
    description:
      - The private key, as ssh-keygen writes it (the whole text, with its C(-----BEGIN) and C(-----END) lines).
      - Required to create the key, and with O(update_key=always).
    type: str
  passphrase:
    description:
      - The passphrase of O(private_key), when it has one.
    type: str
  update_key:
    description:
      - C(on_create) sets the key when the shared key is created and leaves an existing one as it is.
      - C(always) sends O(private_key) and O(passphrase) on every run (reported as a change every time).
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description:
      - C(present) creates (or, with O(update_key=always), updates) the key, C(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
attributes:
  check_mode:
    support: full
    description: Computes and reports the change, with the diff, without calling any write API.
  diff_mode:
    support: full
    description:
      - The key before and after as C(name) and C(private_key), the latter only ever C((set, not shown)) or
        C((changed, not shown)).
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - "Calls Bastionhost C(ListHostShareKeys), C(CreateHostShareKey), C(ModifyHostShareKey),
    C(ListHostAccountsForHostShareKey) and C(DeleteHostShareKey)."
  - Shared keys need a bastion host of V3.2 (the API reference).
seealso:
  - module: alicloud.bastionhost.host_account
"""

EXAMPLES = r"""
- name: The key the ops account logs on with
  alicloud.bastionhost.host_share_key:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: ops-key
    private_key: "{{ lookup('ansible.builtin.file', 'keys/ops_ed25519') }}"

- name: Rotate it (every run sends the key)
  alicloud.bastionhost.host_share_key:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: ops-key
    private_key: "{{ vault_ops_key }}"
    passphrase: "{{ vault_ops_key_passphrase }}"
    update_key: always

- name: Delete it (refused while accounts use it)
  alicloud.bastionhost.host_share_key:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: ops-key
    state: absent
"""

RETURN = r"""
share_key:
  description: The shared key after the task (predicted in check mode); null when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: Its ID; null in check mode for a key the task would create.
      type: str
      sample: "1"
    name:
      description: Its name.
      type: str
      sample: ops-key
    fingerprint:
      description: The fingerprint the service answers for it (null before it is created).
      type: str
      sample: "SHA256:suN63NUTO7GJq+FTkCxoXWlqrVCgHGvpMKfbQDFW8os"
    host_account_count:
      description: How many host accounts log on with it.
      type: int
      sample: 12
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils import ssh_keys
from ansible_collections.alicloud.bastionhost.plugins.module_utils.access import Access
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import multi_account_argument_spec
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import diff_if_asked

SET = "(set, not shown)"
CHANGED = "(changed, not shown)"
SHOWN_ACCOUNTS = 10
MAX_NAME = 128  # CreateHostShareKeyRequest.HostShareKeyName


def argument_spec():
    spec = multi_account_argument_spec(member_role=False, concurrency=False, removals=False)
    spec.update(
        name=dict(type="str", required=True),
        private_key=dict(type="str", no_log=True),
        passphrase=dict(type="str", no_log=True),
        update_key=dict(type="str", choices=["on_create", "always"], default="on_create"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


def mask_secrets(module):
    """The key and passphrase as the API is sent them (Base64) are masked in everything Ansible returns, as their
    text already is (no_log)."""
    params = module.params
    for text, encode in ((params["private_key"], ssh_keys.encode_key), (params["passphrase"], ssh_keys.encode)):
        if text:
            module.no_log_values.update((text, encode(text)))


def input_problems(params, existing):
    """Why the task cannot run, given whether the key exists (``existing``: its view or None)."""
    problems = []
    if not params["name"].strip() or len(params["name"]) > MAX_NAME:
        problems.append("name must be 1 to %d characters" % MAX_NAME)
    if params["state"] == "absent":
        return problems
    sends_key = existing is None or params["update_key"] == "always"
    if params["private_key"] is None:
        if sends_key:
            problems.append("private_key is required to %s" % (
                "create the shared key" if existing is None else "update the key (update_key=always)"))
    else:
        problem = ssh_keys.key_problem(params["private_key"])
        if problem:
            problems.append("private_key is not a key the API takes: %s" % problem)
    if params["passphrase"] is not None and params["private_key"] is None:
        problems.append("passphrase goes with private_key")
    return problems


def view(key):
    if key is None:
        return {}
    return dict(name=key["name"], private_key=SET)


def refuse_in_use(module, access, key):
    accounts = module.api_read("list the host accounts of shared key %s" % key["name"],
                               lambda: access.share_key_accounts(key["id"]))
    shown = ", ".join("host %s account %s" % (a["host_id"], a["name"]) for a in accounts[:SHOWN_ACCOUNTS])
    more = " and %d more" % (len(accounts) - SHOWN_ACCOUNTS) if len(accounts) > SHOWN_ACCOUNTS else ""
    module.fail_json(msg="nothing was changed: shared key %s is used by %d host accounts (%s%s); give them another "
                         "credential with alicloud.bastionhost.host_account, or remove them, then delete the key"
                         % (key["name"], len(accounts) or key["host_account_count"], shown, more))


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    mask_secrets(module)
    params = module.params
    access = Access(module.client("bastionhost"), module.region, params["instance_id"])
    key = module.api_read("list the shared keys of %s" % params["instance_id"], lambda: access.share_key(params["name"]))
    problems = input_problems(params, key)
    if problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(problems))
    before = view(key)
    if params["state"] == "absent":
        if key is not None and key["host_account_count"]:
            refuse_in_use(module, access, key)
        if key is not None and not module.check_mode:
            module.api_read("delete shared key %s" % key["name"], lambda: access.delete_share_key(key["id"]))
        finish(module, key is not None, None, before, {})
    encoded_key = ssh_keys.encode_key(params["private_key"]) if params["private_key"] else None
    encoded_passphrase = ssh_keys.encode(params["passphrase"]) if params["passphrase"] else None
    if key is None:
        after = dict(name=params["name"], private_key=SET)
        if not module.check_mode:
            key_id = module.api_read("create shared key %s" % params["name"], lambda: access.create_share_key(
                params["name"], encoded_key, encoded_passphrase))
            key = module.api_read("read shared key %s back" % params["name"], lambda: access.share_key(params["name"]))
            key = key or dict(id=key_id, name=params["name"], fingerprint=None, host_account_count=0)
        finish(module, True, key or dict(id=None, name=params["name"], fingerprint=None, host_account_count=0),
               before, after)
    if params["update_key"] == "always":
        if not module.check_mode:
            module.api_read("update the key of shared key %s" % key["name"], lambda: access.modify_share_key(
                key["id"], private_key=encoded_key, passphrase=encoded_passphrase))
            key = module.api_read("read shared key %s back" % key["name"], lambda: access.share_key(key["name"])) or key
        finish(module, True, key, before, dict(name=key["name"], private_key=CHANGED))
    finish(module, False, key, before, before)


def finish(module, changed, key, before, after):
    module.exit_json(changed=changed, share_key=key, **diff_if_asked(module, lambda: dict(before=before, after=after)))


if __name__ == "__main__":
    main()
