# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Problems: what is wrong with a task's input or plan, grouped by kind, so that thousands of bad
entries make a few readable lines.

    problems = Problems()
    problems.add("no account with this display name in the resource directory", "shop-pord")
    if problems:
        module.fail_json(msg=problems.message("nothing was changed"))
"""

from __future__ import annotations

from collections import OrderedDict

SHOWN_VALUES = 10


class Problems:
    """Distinct problems, grouped by kind.

        problems.message("nothing was changed")
        # "nothing was changed: no account with this display name in the resource directory (2): 'a', 'b'"
    """

    def __init__(self):
        self._kinds = OrderedDict()

    def add(self, kind, value=None):
        values = self._kinds.setdefault(kind, [])
        if value is not None and value not in values:
            values.append(value)

    def extend(self, other):
        for kind, values in other.items():
            self._kinds.setdefault(kind, [])
            for value in values:
                self.add(kind, value)

    def items(self):
        return self._kinds.items()

    def __bool__(self):
        return bool(self._kinds)

    def __len__(self):
        return len(self._kinds)

    def lines(self):
        return [describe(kind, values) for kind, values in self._kinds.items()]

    def message(self, prefix, entries=None):
        scale = " in %d entries" % entries if entries and entries > SHOWN_VALUES else ""
        return "%s%s: %s" % (prefix, scale, " | ".join(self.lines()))


def describe(kind, values):
    """'kind' / 'kind: a' / 'kind (12): a, b, ... and 2 more'."""
    if not values:
        return kind
    shown = ", ".join(str(v) for v in values[:SHOWN_VALUES])
    more = " and %d more" % (len(values) - SHOWN_VALUES) if len(values) > SHOWN_VALUES else ""
    if len(values) == 1:
        return "%s: %s" % (kind, shown)
    return "%s (%d): %s%s" % (kind, len(values), shown, more)


# What Ansible passes for an unquoted YAML boolean (yes, no, true, on, ...) where a str is expected: never a name
# a task means.
RENDERED_BOOLEANS = ("True", "False")


def yaml_boolean_problem(where, noun, names, quoted):
    """The problem of the names among ``names`` that are unquoted YAML booleans as Ansible passes them, or None:
    "<where> has the <noun> True, ...: quote the name (<quoted>)", ``quoted`` showing one quoted
    (``accounts: ["yes"]``)."""
    booleans = sorted(set(name for name in names or () if name in RENDERED_BOOLEANS))
    if not booleans:
        return None
    return ('%s has the %s %s, which is how Ansible passes an unquoted YAML boolean (yes, no, true, on, ...): '
            'quote the name (%s)' % (where, noun, " and ".join(booleans), quoted))
