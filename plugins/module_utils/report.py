# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a changing module reports, compact enough for AWX at 10,000 assets: the one partial-failure
report (``Failures``), the one diff policy (``diff_if_asked``, ``change_diff``) and the counts by member.

ansible-runner's awx_display callback replaces a task result whose ``str()`` is over 700,000
characters (MAX_EVENT_RES) with ``{}``: results list each changed item as one short line, each
distinct failure once, and a diff of at most ``DIFF_SHOWN`` changes.

    failures = Failures(module.secret_values())
    failures.add("failed_assets", view, "import", "failed to import ecs i-1", exc, line="1000000000000011 ecs i-1")
    if failures:
        failures.fail(module, "bastion host bh-1", "imported 3, removed 1", changed=True, **result)
"""

from __future__ import annotations

from collections import OrderedDict

from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error, server_message
from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable

SHOWN_FAILURES = 10
DIFF_SHOWN = 100
# ansible-runner's awx_display callback: a task result whose str() is longer is replaced with {}.
MAX_EVENT_RES = 700000


def warn_if_too_large(module, result, narrower):
    """Warn when AWX and AAP would drop ``result`` (over MAX_EVENT_RES characters as ansible-runner
    measures it), saying how to get a result they keep (``narrower``)."""
    size = len(str(result))
    if size > MAX_EVENT_RES:
        module.warn("this result is %d characters; AWX and AAP keep a task result of up to %d (ansible-runner's "
                    "MAX_EVENT_RES) and show {} instead of a larger one: %s" % (size, MAX_EVENT_RES, narrower))


def diff_if_asked(module, build):
    """``{"diff": build()}`` in diff mode only: Ansible shows a diff only in diff mode anyway."""
    return dict(diff=build()) if module._diff else {}


def change_diff(imported=(), removed=(), updated=(), shown=DIFF_SHOWN):
    """``{before, after}`` of the changes only, never of what stays as it is: each imported or removed
    item (a label) is ``imported`` on one side, each updated one ``{label: {field: value}}`` with the
    values it had and gets. At most ``shown`` changes are listed, in label order; the rest are
    counted (the task's result lists every one)."""
    changes = sorted([(label, None, "imported") for label in imported] + [(label, "imported", None) for label in removed]
                     + [(label, dict((f, c["before"]) for f, c in fields.items()),
                         dict((f, c["after"]) for f, c in fields.items())) for label, fields in updated],
                     key=lambda change: change[0])
    before, after = OrderedDict(), OrderedDict()
    for label, was, becomes in changes[:shown]:
        if was is not None:
            before[label] = was
        if becomes is not None:
            after[label] = becomes
    if len(changes) > shown:
        more = "%d more changes, listed in the task's result" % (len(changes) - shown)
        before["..."] = after["..."] = more
    return dict(before=dict(before), after=dict(after))


def member_counts(groups):
    """``{member: {type: {outcome: n}}}`` from ``{outcome: [assets]}``, leaving out zeros."""
    counts = {}
    for outcome, assets in groups.items():
        for asset in assets:
            by_type = counts.setdefault(asset.get("member_id") or "unknown", {}).setdefault(asset["type"], {})
            by_type[outcome] = by_type.get(outcome, 0) + 1
    return counts


class Failures:
    """Writes that failed after others succeeded. ``summary()`` names each distinct failure once (the
    action, the error's code, the message, the first request id, how many items, which ones as short
    lines); ``entries`` keeps each failed item's full record under its result key, for
    ``full_results``."""

    def __init__(self, secrets=()):
        self.secrets = secrets
        self.entries = {}
        self._groups = OrderedDict()
        self._gone = None

    def add(self, key, view, action, what, exc, line=None):
        message, details = describe_error(exc, what, self.secrets)
        self.entries.setdefault(key, []).append(dict(view, action=action, msg=message, error=details))
        # One group per action, code and server message: the request id differs from call to call, so the
        # group keeps the first one's (in its message and request_id).
        key = (action, details["code"], " ".join(server_message(exc).split()))
        if key not in self._groups:
            self._groups[key] = dict(action=action, code=details["code"], request_id=details["request_id"], count=0,
                                     lines=[], message=describe_error(exc, "failed to %s" % action, self.secrets)[0])
        group = self._groups[key]
        reason = group["message"]
        group["count"] += 1
        if line is not None:
            group["lines"].append(line)
        if self._gone is None and isinstance(exc, EndpointUnavailable):
            self._gone = reason

    def __len__(self):
        return sum(group["count"] for group in self._groups.values())

    def __bool__(self):
        return bool(self._groups)

    def summary(self):
        return [dict(group, lines=sorted(group["lines"])) for group in self._groups.values()]

    def message(self, subject, done, endpoint_gone=False):
        if endpoint_gone:
            return "%s: the API endpoint stopped answering, so %d writes were not made (%s before it did); rerun to " \
                   "finish: %s" % (subject, len(self), done, self._gone or next(iter(self._groups.values()))["message"])
        return "%d writes failed on %s (%s); rerun to finish: %s" % (len(self), subject, done, " | ".join(
            "%s [%d]" % (group["message"], group["count"]) for group in list(self._groups.values())[:SHOWN_FAILURES]))

    def fail(self, module, subject, done, full=False, also=None, **result):
        """Fail the task with the message (and ``also``, what else it could not do), each distinct failure once
        (``failures``), the full entries with ``full``, and ``result`` (what was done)."""
        result = dict(result, failures=self.summary())
        if full:
            result.update(self.entries)
        message = self.message(subject, done, module.clients.pacing.breaker.is_open)
        module.fail_json(msg="%s | %s" % (message, also) if also else message, **result)
