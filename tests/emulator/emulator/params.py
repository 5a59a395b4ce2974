"""Reading request parameters the way the services do: required, ints, flattened lists, paging."""
import json

from .errors import ApiError, invalid, missing


class Params:
    """`max_page_size`: the run.py `--max-page-size` cap on every page (None: no cap)."""

    def __init__(self, values, max_page_size=None):
        self.values = values
        self.max_page_size = max_page_size

    def get(self, name, default=None):
        value = self.values.get(name)
        return default if value in (None, '') else value

    def require(self, name):
        value = self.get(name)
        if value is None:
            raise missing(name)
        return value

    def integer(self, name, default=None):
        """The value as an int (the rule tables have refused a malformed one), or `default`."""
        value = self.get(name)
        return default if value is None else int(value)

    def boolean(self, name):
        return str(self.get(name, 'false')).lower() == 'true'

    def tags(self, prefix='Tag', key='Key', value='Value'):
        """Flattened `Tag.N.Key`/`Tag.N.Value` pairs as a dict."""
        found = {}
        for name, raw in self.values.items():
            parts = name.split('.')
            if len(parts) == 3 and parts[0] == prefix and parts[2] in (key, value):
                found.setdefault(parts[1], {})[parts[2]] = raw
        return {t[key]: t.get(value) for t in found.values() if key in t}

    def json_list(self, name):
        value = self.get(name)
        if value is None:
            return None
        try:
            items = json.loads(value)
        except ValueError:
            raise invalid(name, value, 'It must be a JSON array.')
        if not isinstance(items, list):
            raise invalid(name, value, 'It must be a JSON array.')
        return [str(i) for i in items]

    def id_list(self, name):
        """A list of ids sent as one JSON array (`HostIds='["1","2"]'`) or flattened (`DatabaseIds.1`,
        `DatabaseIds.2`, as the SDKs send a list); None when neither is sent."""
        if self.get(name) is not None:
            return self.json_list(name)
        prefix = name + '.'
        flat = sorted((int(k[len(prefix):]), v) for k, v in self.values.items()
                      if k.startswith(prefix) and k[len(prefix):].isdigit())
        return [str(v) for _number, v in flat] if flat else None

    def csv(self, name):
        value = self.get(name)
        return None if value is None else [v.strip() for v in value.split(',') if v.strip()]


def tags_match(wanted, actual):
    return all(key in actual and (value is None or str(actual[key]) == str(value))
               for key, value in wanted.items())


def served_size(params, size):
    """How many items a page holds: the size asked (or the default), at most `--max-page-size`."""
    cap = params.max_page_size
    return size if cap is None else min(size, cap)


def page_by_number(params, items, default_size):
    """Slice items for PageNumber/PageSize (their bounds are in the rule tables); returns (page, meta).

    Under `--max-page-size N` a page holds at most N items and pages are numbered by what is served
    (page 2 starts after the first N); `PageSize` still echoes the size asked ("The number of entries
    per page that was specified in the request", DescribeInstancesResponseBody.PageSize of ECS) and
    `TotalCount` stays the true total."""
    size = params.integer('PageSize', default_size)
    number = params.integer('PageNumber', 1)
    served = served_size(params, size)
    start = (number - 1) * served
    return items[start:start + served], {'PageNumber': number, 'PageSize': size, 'TotalCount': len(items)}


def page_by_token(params, items, size):
    """Slice items for NextToken and a page `size` (at most `--max-page-size`); the token is the offset
    the server handed out, so it stays true whatever the cap; `MaxResults` echoes the size asked."""
    token = params.get('NextToken')
    start = 0
    if token is not None:
        if not (token.startswith('tk-') and token[3:].isdigit() and 0 < int(token[3:]) < len(items)):
            raise ApiError('InvalidParameter', f'The specified NextToken is not valid: {token!r}.')
        start = int(token[3:])
    end = start + served_size(params, size)
    next_token = f'tk-{end}' if end < len(items) else ''
    return items[start:end], {'NextToken': next_token, 'MaxResults': size}
