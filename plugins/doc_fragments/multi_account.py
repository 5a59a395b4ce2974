# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # The bastion host that multi-account modules work on.
    DOCUMENTATION = r"""
options:
  instance_id:
    description:
      - The bastion host, owned by the caller (the management account or a delegated administrator of Bastionhost).
    type: str
    required: true
"""

    # The RAM role assumed in each member (discovery, attribution of assets, prerequisites).
    MEMBER_ROLE = r"""
options:
  member_role_name:
    description:
      - The RAM role assumed in each member account to discover its assets (STS AssumeRole).
      - C(ResourceDirectoryAccountAccessRole) exists in every member created in the resource directory and trusts
        the management account. A delegated administrator needs a role that trusts its own account.
    type: str
    default: ResourceDirectoryAccountAccessRole
"""

    # How many calls run at the same time.
    CONCURRENCY = r"""
options:
  max_concurrency:
    description:
      - How many API calls the module makes at the same time (discovery reads, one member, region and type each;
        pages of the bastion host's lists; writes).
      - Whatever it is, each API action is paced to the rate the service accepts (see O(max_calls_per_second)).
    type: int
    default: 4
"""

    # The removal limit of the safety rule.
    REMOVALS = r"""
options:
  max_removals:
    description:
      - The most items (members and assets) the task may remove. A task that would remove more fails before any
        write, listing what it would remove. Unset, there is no limit.
    type: int
    version_added: 0.2.0
"""
