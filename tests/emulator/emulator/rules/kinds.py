"""The kinds of request rule and of source. The sources are
- `SdkModel`: a comment of the official SDK's request model (`<package>/models/_<action>_request.py`);
  tests/emulator/tests/test_sdk_rules.py holds the tables against the installed models;
- `ApiReference`: a statement of the API reference page that the SDK model does not carry;
- `Assumption`: not documented; the emulator needs it (README: "What stays unverified").
"""
import json
import re

from ..errors import invalid, missing


class SdkModel:
    """The request model of one action in one official SDK package; `request_class` may be a model of a
    list element in the same file (`DescribeInstancesRequestTag`), then `field` names its field whose
    comment states the rule (`Key`)."""

    def __init__(self, package, request_class, field=None):
        self.package = package
        self.request_class = request_class
        self.field = field

    def describe(self, name):
        return f'{self.package} {self.request_class}.{self.field or name}'


class ApiReference:
    """A statement of an API reference page (its address and what it says) missing from the SDK model."""

    def __init__(self, url, says):
        self.url = url
        self.says = says

    def describe(self, name):
        return f'{self.url} ("{self.says}")'


class Assumption:
    def __init__(self, why):
        self.why = why

    def describe(self, name):
        return f'not documented: {self.why}'


class Rule:
    def __init__(self, name, source):
        self.name = name
        self.source = source

    def check(self, params):
        raise NotImplementedError

    def describe(self):
        return f'{self.name}: {self.text()} ({self.source.describe(self.name)})'


class Required(Rule):
    def check(self, params):
        if params.get(self.name) is None:
            raise missing(self.name)

    def text(self):
        return 'required'


class RequiredList(Required):
    """A required list, sent flattened (`DatabaseIds.1`, `DatabaseIds.2`) or as one JSON array."""

    def check(self, params):
        if not params.id_list(self.name):
            raise missing(self.name)


class RequiredIf(Rule):
    """Required when another parameter has one of `values`."""

    def __init__(self, name, when, values, source):
        super().__init__(name, source)
        self.when = when
        self.values = tuple(values)

    def check(self, params):
        if params.get(self.when) in self.values and params.get(self.name) is None:
            raise missing(self.name)

    def text(self):
        return f'required if {self.when} is {" or ".join(self.values)}'


class RequiredIfAsset(RequiredIf):
    """Required when a field of the record the request names (not a request parameter) has one of
    `values`: the request rules cannot see the record, so the action calls `check_record` once it has
    found it (ModifyDatabase's SourceInstanceId, required if the database's Source is Rds or PolarDB)."""

    def check(self, params):
        return None

    def check_record(self, params, record):
        if record.get(self.when) in self.values and params.get(self.name) is None:
            raise missing(self.name)

    def text(self):
        return f"required if the asset's {self.when} is {' or '.join(self.values)}"


class IdList(Rule):
    """A list of ids of at most `high` entries; `json=True`: one JSON array in a string (what the model
    types as a string), otherwise the SDK's flattened list (`Name.1`, `Name.2`)."""

    def __init__(self, name, source, high=None, json=False):
        super().__init__(name, source)
        self.high = high
        self.json = json

    def check(self, params):
        ids = params.id_list(self.name)
        if ids is not None and self.json and params.get(self.name) is None:
            raise invalid(self.name, ids, 'It must be one JSON array of ids.')
        if ids is not None and self.high is not None and len(ids) > self.high:
            raise invalid(self.name, params.get(self.name) or ids, f'It may hold up to {self.high} ids.')

    def text(self):
        form = 'a JSON array of ids' if self.json else 'a list of ids'
        return form + (f', up to {self.high}' if self.high is not None else '')


class OneOf(Rule):
    def __init__(self, name, values, source):
        super().__init__(name, source)
        self.values = tuple(values)

    def check(self, params):
        value = params.get(self.name)
        if value is not None and value not in self.values:
            raise invalid(self.name, value, f'Valid values: {", ".join(self.values)}.')

    def text(self):
        return f'one of {", ".join(self.values)}'


class Boolean(Rule):
    """true or false; the SDKs send Python's True/False, so the case does not matter."""

    def check(self, params):
        value = params.get(self.name)
        if value is not None and str(value).lower() not in ('true', 'false'):
            raise invalid(self.name, value, 'Valid values: true, false.')

    def text(self):
        return 'true or false'


class Integer(Rule):
    """An integer, optionally within low..high (either bound may be None), or one of `choices`."""

    def __init__(self, name, source, low=None, high=None, choices=None):
        super().__init__(name, source)
        self.low = low
        self.high = high
        self.choices = choices

    def check(self, params):
        value = params.get(self.name)
        if value is None:
            return
        try:
            number = int(value)
        except ValueError:
            raise invalid(self.name, value, 'It must be an integer.')
        if self.choices is not None and number not in self.choices:
            raise invalid(self.name, value, f'Valid values: {", ".join(map(str, self.choices))}.')
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise invalid(self.name, value, f'It must be {self.text()}.')

    def text(self):
        if self.choices is not None:
            return 'one of ' + ', '.join(map(str, self.choices))
        if self.high is None:
            return 'an integer' if self.low is None else f'an integer of at least {self.low}'
        return f'an integer between {self.low} and {self.high}'


class Length(Rule):
    """A text of `low`..`high` characters, made of `pattern` characters when one is given."""

    def __init__(self, name, source, low=0, high=None, pattern=None, allowed=''):
        super().__init__(name, source)
        self.low = low
        self.high = high
        self.pattern = re.compile(pattern) if pattern else None
        self.allowed = allowed

    def check(self, params):
        value = params.get(self.name)
        if value is None:
            return
        if len(value) < self.low or (self.high is not None and len(value) > self.high):
            raise invalid(self.name, value, f'It must be {self.text()}.')
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise invalid(self.name, value, f'It may contain {self.allowed} only.')

    def text(self):
        size = f'up to {self.high}' if not self.low else f'{self.low} to {self.high}'
        return f'{size} characters' + (f' of {self.allowed}' if self.allowed else '')


class TagCount(Rule):
    """Flattened tags (`Tag.N.Key`, `Tag.N.Value`): at most `high`, N from 1 to `high`; `consecutive`: the
    N are 1, 2, ... without a gap. `error(name, value, why)` makes the error (InvalidParameter unless given)."""

    def __init__(self, name, source, high, error=None, consecutive=False):
        super().__init__(name, source)
        self.high = high
        self.error = error or invalid
        self.consecutive = consecutive

    def check(self, params):
        prefix = self.name + '.'
        numbers = sorted({key[len(prefix):].split('.', 1)[0] for key in params.values if key.startswith(prefix)})
        if not numbers:
            return
        shown = ', '.join(prefix + n for n in numbers)
        if not all(n.isdigit() for n in numbers):
            raise self.error(self.name, shown, 'N must be a whole number.')
        values = sorted(int(n) for n in numbers)
        if len(values) > self.high or values[0] < 1 or values[-1] > self.high:
            raise self.error(self.name, shown, f'It may hold {self.text()}.')
        if self.consecutive and values != list(range(1, len(values) + 1)):
            raise self.error(self.name, shown, 'N must count 1, 2, ... without a gap.')

    def text(self):
        return f'up to {self.high} tags (N from 1 to {self.high})' + (', consecutive' if self.consecutive else '')


class JsonTags(Rule):
    """Tags as one JSON object of tag keys to tag values, both strings (`{"key1":"value1"}`), at most
    `high` of them."""

    def __init__(self, name, source, high):
        super().__init__(name, source)
        self.high = high

    def check(self, params):
        raw = params.get(self.name)
        if raw is None:
            return
        form = 'It must be a JSON object of tag keys to tag values, like {"key1":"value1"}.'
        try:
            tags = json.loads(raw)
        except ValueError:
            raise invalid(self.name, raw, form)
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise invalid(self.name, raw, form)
        if len(tags) > self.high:
            raise invalid(self.name, raw, f'It may hold up to {self.high} tags.')

    def text(self):
        return f'a JSON object {{"key":"value", ...}} of up to {self.high} tags'


def sdk_package(package):
    """`model('CreateHost')`: the SdkModel of CreateHostRequest in `package`."""
    return lambda action: SdkModel(package, action + 'Request')


# Page parameters whose model states a default only: the emulator still refuses a page below 1.
PAGE_FROM_ONE = Assumption('pages are numbered from 1 and hold at least one entry; the SDK model states '
                           'only the default')


def paging(source, size_source=None, high=100):
    """PageNumber (from 1) and PageSize (1..high, or no maximum when high is None)."""
    return [Integer('PageNumber', source, low=1), Integer('PageSize', size_source or source, low=1, high=high)]
