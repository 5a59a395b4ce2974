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
