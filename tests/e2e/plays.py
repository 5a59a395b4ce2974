"""The plays the e2e tests write: a play whose tasks register results and a last task that saves them as
JSON (``save_results``, written once), run them with the ``ansible_playbook`` fixture (conftest.py) and
read the results back (``read_results``)."""
import json

import yaml

GROUP = 'group/alicloud.bastionhost.bastionhost'


def save_results(dest, names, hosts=False):
    """The task that saves the variables ``names`` (registered results, facts) as JSON to ``dest``:
    ``{name: value}``, a variable that is not set as null; with ``hosts``, run once for the whole play:
    ``{'hosts': [host, ...], name: [its value on each host, ...]}``."""
    if hosts:
        extract = "ansible_play_hosts_all | map('extract', hostvars, '%s') | list"
        content = "{{ {'hosts': ansible_play_hosts_all, %s} | to_json }}" % ', '.join(
            "'%s': %s" % (name, extract % name) for name in names)
    else:
        content = '{{ {%s} | to_json }}' % ', '.join("'%s': %s | default(None)" % (name, name) for name in names)
    task = {'name': 'save the results', 'changed_when': False,
            'ansible.builtin.copy': {'dest': str(dest), 'content': content}}
    if hosts:
        task['run_once'] = True
    return task


def local_play(tasks, dest, names=None, defaults=None):
    """A play on localhost that runs ``tasks`` and then, even when one of them fails, saves the results
    ``names`` (by default, every ``register`` of ``tasks``) to ``dest``. ``defaults``: the module defaults
    of the collection's modules (endpoint_url, region, access_key_id...)."""
    if names is None:
        names = [task['register'] for task in tasks if 'register' in task]
    play = {'hosts': 'localhost', 'connection': 'local', 'gather_facts': False}
    if defaults:
        play['module_defaults'] = {GROUP: dict(defaults)}
    play['tasks'] = [{'block': tasks, 'always': [save_results(dest, names)]}]
    return play


def write_playbook(path, plays, inventory=None):
    """Writes ``plays`` to ``path`` and ``inventory`` (when given) beside it as inventory.yml; returns
    ``(path, the ansible-playbook arguments that name the inventory)``."""
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    if inventory is None:
        return path, []
    inventory_path = path.parent / 'inventory.yml'
    inventory_path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path, ['-i', str(inventory_path)]


def read_results(dest):
    """What ``save_results`` saved to ``dest``."""
    with open(str(dest), encoding='utf-8') as handle:
        return json.load(handle)
