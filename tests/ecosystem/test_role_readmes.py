"""Each role's README.md, which Galaxy shows and requires: it names the role, every variable it
lists is one the role declares in meta/argument_specs.yml with the same `required`, every
required variable is listed, every role-prefixed name it mentions is a variable or a result of
the role, and its example plays the role with declared variables only. The README lists the
main variables; a variable added later makes it incomplete, not wrong (ansible-doc lists all)."""
import glob
import os
import re

import pytest
import yaml

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
NAMESPACE = 'alicloud.bastionhost'
VARIABLE_ROW = re.compile(r'^\| `(?P<name>\w+)` \| (?P<required>yes|no) \|', re.M)
YAML_BLOCK = re.compile(r'^```yaml\n(.*?)^```', re.M | re.S)


def role_names():
    return sorted(os.path.basename(os.path.dirname(os.path.dirname(path)))
                  for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))


def read(role, *path):
    with open(os.path.join(ROOT, 'roles', role, *path), encoding='utf-8') as handle:
        return handle.read()


def options(role):
    return yaml.safe_load(read(role, 'meta', 'argument_specs.yml'))['argument_specs']['main']['options']


def results(role):
    """The variables the role's tasks (in tasks/*.yml, blocks included) register, set as facts or publish
    with set_stats (custom stats: an AWX job's artifacts)."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, 'roles', role, 'tasks', '*.yml')):
        with open(path, encoding='utf-8') as handle:
            names |= task_results(yaml.safe_load(handle) or [])
    return names


def task_results(tasks):
    names = set()
    for task in tasks:
        if 'register' in task:
            names.add(task['register'])
        names.update(task.get('ansible.builtin.set_fact', task.get('set_fact')) or {})
        names.update((task.get('ansible.builtin.set_stats', task.get('set_stats')) or {}).get('data') or {})
        for section in ('block', 'rescue', 'always'):
            names |= task_results(task.get(section) or [])
    return names


@pytest.fixture(params=role_names())
def role(request):
    return request.param


def test_every_role_has_a_readme():
    missing = [role for role in role_names() if not os.path.isfile(os.path.join(ROOT, 'roles', role, 'README.md'))]
    assert not missing, f'roles without README.md (galaxy-importer refuses them): {missing}'


def test_readme_names_the_role(role):
    assert read(role, 'README.md').startswith(f'# {NAMESPACE}.{role}\n')


def test_listed_variables_are_declared(role):
    declared = options(role)
    rows = {match['name']: match['required'] == 'yes' for match in VARIABLE_ROW.finditer(read(role, 'README.md'))}
    assert rows, 'no variable table ("| `name` | yes/no | what it is |")'
    unknown = sorted(set(rows) - set(declared))
    assert not unknown, f'roles/{role}/README.md lists variables meta/argument_specs.yml does not declare: {unknown}'
    wrong = sorted(name for name, required in rows.items() if required != bool(declared[name].get('required')))
    assert not wrong, f'roles/{role}/README.md: the required column is wrong for {wrong}'
    unlisted = sorted(name for name, spec in declared.items() if spec.get('required') and name not in rows)
    assert not unlisted, f'roles/{role}/README.md does not list the required variables {unlisted}'


def test_mentioned_names_exist(role):
    mentioned = set(re.findall(rf'`({role}_\w+)`', read(role, 'README.md')))
    unknown = sorted(mentioned - set(options(role)) - results(role))
    assert not unknown, f'roles/{role}/README.md mentions what the role neither declares nor sets: {unknown}'


def test_example_plays_the_role_with_declared_variables(role):
    blocks = YAML_BLOCK.findall(read(role, 'README.md'))
    assert blocks, 'no ```yaml example'
    uses = [entry for block in blocks for play in yaml.safe_load(block) for entry in play.get('roles', [])
            if entry['role'] == f'{NAMESPACE}.{role}']
    assert uses, f'the example does not play {NAMESPACE}.{role}'
    declared = options(role)
    required = {name for name, spec in declared.items() if spec.get('required')}
    for entry in uses:
        given = set(entry.get('vars', {}))
        assert given <= set(declared), f'undeclared variables in the example: {sorted(given - set(declared))}'
        assert required <= given, f'the example misses required variables: {sorted(required - given)}'
