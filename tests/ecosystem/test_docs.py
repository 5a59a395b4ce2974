"""Documentation as the Ansible ecosystem reads it: antsibull-docs (the docsite build's linter)
on the plugin and role docs, ansible-doc on every module of the action group and every role,
and antsibull-changelog on the changelog fragments."""
import glob
import json
import os
import re

import yaml

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
PREFIX = 'alicloud.bastionhost.'


def action_group_modules():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['action_groups']['bastionhost']


def module_files():
    return sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                  if not os.path.basename(path).startswith('__'))


def role_names():
    return sorted(os.path.basename(os.path.dirname(os.path.dirname(path)))
                  for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))


def test_antsibull_docs_lint_collection_docs(eco):
    """What the Ansible docsite build checks: schema and markup of the plugin and role docs,
    their references (O(), RV(), M(), ...) to this collection and to ansible.builtin, and that
    the RST of every page can be generated."""
    result = eco.run([eco.tool('antsibull-docs'), 'lint-collection-docs', '--plugin-docs',
                      '--validate-collection-refs', 'all', '--disallow-unknown-collection-refs',
                      eco.collection_dir], check=False, timeout=180)
    assert result.returncode == 0, f'antsibull-docs found problems:\n{result.stdout}{result.stderr}'


def test_every_module_is_in_the_action_group():
    assert sorted(action_group_modules()) == module_files(), (
        'meta/runtime.yml action_groups.bastionhost must list every module of plugins/modules')


def test_ansible_doc_lists_and_renders_every_module(eco):
    ansible_doc = eco.tool('ansible-doc')
    modules = [PREFIX + name for name in action_group_modules()]
    listing = json.loads(eco.run([ansible_doc, '-t', 'module', '-l', 'alicloud.bastionhost', '--json']).stdout)
    assert sorted(listing) == sorted(modules)
    assert all(listing.values()), listing

    docs = json.loads(eco.run([ansible_doc, '-t', 'module', '--json'] + modules).stdout)
    assert sorted(docs) == sorted(modules)
    for name, entry in docs.items():
        doc = entry['doc']
        assert doc['collection'] == 'alicloud.bastionhost', name
        assert doc['short_description'] and doc['description'], name
        assert entry['examples'].strip() and entry['return'], f'{name}: EXAMPLES and RETURN'
        # the common options of the doc fragment, on every module
        assert {'access_key_id', 'access_key_secret', 'security_token', 'region', 'profile', 'assume_role',
                'endpoint_url', 'endpoints', 'validate_certs'} <= set(doc['options']), name
        assert doc['attributes']['check_mode']['support'] == 'full', name
        yaml.safe_load(entry['examples'])

    text = eco.run([ansible_doc, '-t', 'module'] + modules).stdout
    for name in modules:
        assert re.search(rf'^> MODULE:? \*?{re.escape(name)}\*? ', text, re.M), f'ansible-doc did not render {name}'
    assert 'EXAMPLES:' in text and 'RETURN VALUES:' in text


def test_ansible_doc_renders_every_role(eco):
    ansible_doc = eco.tool('ansible-doc')
    roles = [PREFIX + name for name in role_names()]
    assert roles, 'no role with meta/argument_specs.yml'
    listing = json.loads(eco.run([ansible_doc, '-t', 'role', '-l', 'alicloud.bastionhost', '--json']).stdout)
    assert sorted(listing) == sorted(roles)
    docs = json.loads(eco.run([ansible_doc, '-t', 'role', '--json'] + roles).stdout)
    for name in roles:
        main = docs[name]['entry_points']['main']
        assert main['short_description'] and main['options'], name
        prefix = name[len(PREFIX):] + '_'
        assert all(option.startswith(prefix) for option in main['options']), f'{name}: options not prefixed {prefix}'
    text = eco.run([ansible_doc, '-t', 'role'] + roles).stdout
    for name in roles:
        assert re.search(rf'^> ROLE:? \*?{re.escape(name)}\*? ', text, re.M), f'ansible-doc did not render {name}'


def test_changelog_fragments_lint(eco):
    changelog = eco.tool('antsibull-changelog')
    result = eco.run([changelog, 'lint'], cwd=ROOT, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), f'antsibull-changelog lint:\n{result.stdout}{result.stderr}'
    result = eco.run([changelog, 'lint-changelog-yaml', os.path.join('changelogs', 'changelog.yaml')], cwd=ROOT,
                     check=False)
    assert result.returncode == 0 and not result.stdout.strip(), f'lint-changelog-yaml:\n{result.stdout}{result.stderr}'
