# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a changing module reports: the one partial-failure report and the one diff policy.

    failures = Failures(module.secret_values())
    failures.add("failed_assets", dict(type="ecs", instance_id="i-1"), "import", "failed to import ecs i-1", exc)
    if failures:
        failures.fail(module, "bastion host bh-1", "imported 3, removed 1", changed=True, **result)
"""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error
from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable

SHOWN_FAILURES = 10


def diff_if_asked(module, build):
    """``{"diff": build()}`` in diff mode only: a diff lists the task's whole scope, which is most of a
    large result, and Ansible shows it only in diff mode anyway."""
    return dict(diff=build()) if module._diff else {}


class Failures:
    """Writes that failed after others succeeded. Each failed item is an entry (its view, the action,
    the message and the error's code and request id) under its result key; the task's message names
    each distinct failure once and says what was done."""

    def __init__(self, secrets=()):
        self.secrets = secrets
        self.entries = {}
        self._messages = []
        self._gone = None

    def add(self, key, view, action, what, exc):
        message, details = describe_error(exc, what, self.secrets)
        self.entries.setdefault(key, []).append(dict(view, action=action, msg=message, error=details))
        if message not in self._messages:
            self._messages.append(message)
        if self._gone is None and isinstance(exc, EndpointUnavailable):
            self._gone = message

    def __len__(self):
        return sum(len(entries) for entries in self.entries.values())

    def __bool__(self):
        return bool(self.entries)

    def message(self, subject, done, endpoint_gone=False):
        if endpoint_gone:
            return "%s: the API endpoint stopped answering, so %d writes were not made (%s before it did); rerun to " \
                   "finish: %s" % (subject, len(self), done, self._gone or self._messages[0])
        return "%d writes failed on %s (%s); rerun to finish: %s" % (
            len(self), subject, done, " | ".join(self._messages[:SHOWN_FAILURES]))

    def fail(self, module, subject, done, **result):
        """Fail the task with the message, every entry, and ``result`` (what was done)."""
        module.fail_json(msg=self.message(subject, done, module.clients.pacing.breaker.is_open),
                         **dict(result, **self.entries))
