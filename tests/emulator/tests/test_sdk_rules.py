"""The rule tables (emulator/rules) held against the installed official SDK request models.

A parameter a model calls required ("This parameter is required.") or conditionally required
("required if ...") must have its rule in the table, so an SDK update that adds a requirement
fails here; and every rule that names a model as its source must name a field of that model
whose comment states the rule's values and bounds.
"""
import importlib.util
import os
import re

import pytest

# Importing the services registers every action.
from emulator import rules, services  # noqa: F401  pylint: disable=unused-import
from emulator.registry import HANDLERS
from emulator.rules import bastionhost_access
from emulator.rules.kinds import (
    Boolean, IdList, Integer, JsonTags, Length, OneOf, Required, RequiredIf, SdkModel, TagCount,
)

PACKAGES = {
    'bastionhost': 'alibabacloud_yundun_bastionhost20191209',
    'resourcemanager': 'alibabacloud_resourcemanager20200331',
    'sts': 'alibabacloud_sts20150401',
    'ram': 'alibabacloud_ram20150501',
    'ecs': 'alibabacloud_ecs20140526',
    'rds': 'alibabacloud_rds20140815',
    'polardb': 'alibabacloud_polardb20170801',
}
REQUIRED = re.compile(r'This parameter is required\.')
REQUIRED_IF = re.compile(r'required if', re.IGNORECASE)
ACTIONS = sorted((product, action) for product, table in rules.TABLES.items() for action in table)


def model_path(product, action):
    """`<package>/models/_<action in snake case>_request.py`, or None when the SDK has no request model."""
    package_dir = os.path.dirname(importlib.util.find_spec(PACKAGES[product]).origin)
    snake = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', action).lower()
    path = os.path.join(package_dir, 'models', f'_{snake}_request.py')
    return path if os.path.exists(path) else None


def model_fields(path, model_class=None):
    """{wire name: comment} of the request model's fields (comments of its __init__, names of to_map);
    `model_class`: another model of the file (a list element's, `DescribeInstancesRequestTag`)."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if model_class is not None:
        text = text.split(f'class {model_class}(', 1)[1].split('\nclass ', 1)[0]
    init = text.split('def validate', 1)[0]
    comments, pending = {}, []
    for line in init.splitlines():
        stripped = line.strip()
        if stripped.startswith('#'):
            pending.append(stripped.lstrip('#').strip())
        elif stripped.startswith('self.') and '=' in stripped:
            comments[stripped.split('=', 1)[0].strip()[len('self.'):]] = ' '.join(pending)
            pending = []
    wire = dict(re.findall(r"result\['(\w+)'\] = self\.(\w+)\b", text))
    # a list of models: result['Databases'] = [] / if self.databases is not None:
    wire.update(re.findall(r"result\['(\w+)'\] = \[\]\s+if self\.(\w+) is not None", text))
    return {name: comments.get(attribute, '') for name, attribute in wire.items()}


def fields_of(product, action):
    path = model_path(product, action)
    return model_fields(path) if path else {}


def ruled(product, action, kinds):
    return {rule.name for rule in rules.rules_for(product, action) if isinstance(rule, kinds)}


def test_the_model_reader_finds_what_the_models_say():
    fields = fields_of('bastionhost', 'CreateDatabase')
    assert {n for n, c in fields.items() if REQUIRED.search(c)} == {
        'ActiveAddressType', 'DatabaseType', 'InstanceId', 'Source'}
    assert {n for n, c in fields.items() if REQUIRED_IF.search(c)} >= {
        'DatabaseName', 'DatabasePort', 'DatabasePrivateAddress', 'DatabasePublicAddress', 'PolarDBEndpointType',
        'SourceInstanceId', 'SourceInstanceRegionId'}


def test_the_model_reader_finds_the_upkeep_requirements():
    """The actions of issue 13: what their models require, conditionally require and limit."""
    def required(action):
        return {n for n, c in fields_of('bastionhost', action).items() if REQUIRED.search(c)}
    assert required('ModifyHost') == {'HostId', 'InstanceId'}
    assert required('ModifyHostsActiveAddressType') == {'ActiveAddressType', 'HostIds', 'InstanceId'}
    assert required('MoveHostsToNetworkDomain') == {'InstanceId', 'NetworkDomainId'}
    assert required('ModifyDatabase') == {'DatabaseId', 'InstanceId'}
    assert required('MoveDatabasesToNetworkDomain') == {'InstanceId', 'NetworkDomainId'}
    assert required('ListHostGroups') == {'InstanceId'}
    assert required('CreateHostGroup') == {'HostGroupName', 'InstanceId'}
    assert required('AddHostsToGroup') == {'HostGroupId', 'HostIds', 'InstanceId'}
    assert required('AddDatabasesToGroup') == {'DatabaseIds', 'HostGroupId', 'InstanceId'}
    assert {n for n, c in fields_of('bastionhost', 'ModifyDatabase').items() if REQUIRED_IF.search(c)} == {
        'SourceInstanceId'}
    for action in ('ModifyHostsActiveAddressType', 'AddHostsToGroup'):
        assert 'up to 100' in fields_of('bastionhost', action)['HostIds']
    # The model of AddDatabasesToGroup states no limit: the table takes its 100 from the reference page.
    assert '100' not in fields_of('bastionhost', 'AddDatabasesToGroup')['DatabaseIds']
    assert {'HostGroupId'} <= set(fields_of('bastionhost', 'ListHosts')) & set(fields_of('bastionhost', 'ListDatabases'))


def test_every_served_action_has_a_table():
    assert sorted(HANDLERS) == ACTIONS


@pytest.mark.parametrize('product, action', ACTIONS)
def test_every_parameter_the_model_requires_is_in_the_table(product, action):
    required = {name for name, comment in fields_of(product, action).items() if REQUIRED.search(comment)}
    assert required <= ruled(product, action, Required)


@pytest.mark.parametrize('product, action', ACTIONS)
def test_every_conditional_requirement_is_in_the_table(product, action):
    conditional = {name for name, comment in fields_of(product, action).items() if REQUIRED_IF.search(comment)}
    assert conditional <= ruled(product, action, (Required, RequiredIf))


def stated_values(rule):
    """The values and bounds a rule takes from its model comment (a kind of rules/kinds_access.py says its
    own, `stated()`)."""
    if hasattr(rule, 'stated'):
        return rule.stated()
    if isinstance(rule, OneOf):
        return list(rule.values)
    if isinstance(rule, Boolean):
        return ['true', 'false']
    if isinstance(rule, (Integer, Length)):
        bounds = [rule.high] + ([rule.low] if rule.low else []) + list(getattr(rule, 'choices', None) or [])
        return [str(b) for b in bounds if b is not None]
    if isinstance(rule, RequiredIf):
        return [rule.when] + list(rule.values)
    if isinstance(rule, IdList):
        return ([str(rule.high)] if rule.high is not None else []) + (['json'] if rule.json else [])
    if isinstance(rule, TagCount):
        return [str(rule.high)] + (['consecutive'] if rule.consecutive else [])
    if isinstance(rule, JsonTags):
        return [str(rule.high), '{"key1":"value1"']
    return []


@pytest.mark.parametrize('product, action', ACTIONS)
def test_model_sources_name_a_field_that_states_the_rule(product, action):
    for rule in rules.rules_for(product, action):
        if not isinstance(rule.source, SdkModel):
            continue
        assert rule.source.package == PACKAGES[product], rule.describe()
        request_class = rule.source.request_class
        if request_class == action + 'Request':
            fields, name = fields_of(product, action), rule.name
        else:   # a list element's model in the request's file, and its field
            assert request_class.startswith(action + 'Request') and rule.source.field, rule.describe()
            fields, name = model_fields(model_path(product, action), request_class), rule.source.field
            with open(model_path(product, action), encoding='utf-8') as handle:
                assert f"result['{rule.name}'] = []" in handle.read(), rule.describe()   # the request's list
        assert name in fields, rule.describe()
        comment = fields[name].lower()
        for value in stated_values(rule):
            assert value.lower() in comment, rule.describe()
        if isinstance(rule, Required):
            assert REQUIRED.search(fields[name]), rule.describe()


def test_the_model_reader_finds_the_group_requirements():
    """The asset-group actions of issue 21: what their models require and limit, and the Comment an asset
    group takes when created (CreateHostGroupRequest.Comment) and answers in ListHostGroups."""
    def required(action):
        return {n for n, c in fields_of('bastionhost', action).items() if REQUIRED.search(c)}
    assert required('ModifyHostGroup') == {'HostGroupId', 'InstanceId'}
    assert required('DeleteHostGroup') == {'HostGroupId', 'InstanceId'}
    assert required('RemoveHostsFromGroup') == {'HostGroupId', 'HostIds', 'InstanceId'}
    assert required('RemoveDatabasesFromGroup') == {'DatabaseIds', 'HostGroupId', 'InstanceId'}
    assert 'up to 100' in fields_of('bastionhost', 'RemoveHostsFromGroup')['HostIds']
    assert '100' not in fields_of('bastionhost', 'RemoveDatabasesFromGroup')['DatabaseIds']
    for action in ('CreateHostGroup', 'ModifyHostGroup'):
        assert 'up to 500 characters' in fields_of('bastionhost', action)['Comment']
        assert 'up to 128 characters' in fields_of('bastionhost', action)['HostGroupName']
    package_dir = os.path.dirname(importlib.util.find_spec(PACKAGES['bastionhost']).origin)
    with open(os.path.join(package_dir, 'models', '_list_host_groups_response_body.py'), encoding='utf-8') as handle:
        assert "m.get('Comment')" in handle.read()


ACCESS_ACTIONS = sorted(bastionhost_access.TABLES['bastionhost'])


def response_fields(action):
    """Every wire name the response body models of `action` read (`m.get('X')`)."""
    package_dir = os.path.dirname(importlib.util.find_spec(PACKAGES['bastionhost']).origin)
    snake = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', action).lower()
    with open(os.path.join(package_dir, 'models', f'_{snake}_response_body.py'), encoding='utf-8') as handle:
        return set(re.findall(r"m\.get\('(\w+)'\)", handle.read()))


def test_the_model_reader_finds_the_access_requirements():
    """The O&M access actions of issue 23: what their models require and limit, what they leave unsaid (the
    table's assumptions), and that no response model has a secret (no action answers one)."""
    def required(action):
        return {n for n, c in fields_of('bastionhost', action).items() if REQUIRED.search(c)}
    assert required('CreateHostAccount') == {'HostAccountName', 'HostId', 'InstanceId', 'ProtocolName'}
    assert required('ListHostAccounts') == {'HostId', 'InstanceId'}
    assert required('CreateHostShareKey') == {'HostShareKeyName', 'InstanceId', 'PrivateKey'}
    assert required('AttachHostAccountsToHostShareKey') == {'HostAccountIds', 'HostShareKeyId', 'InstanceId'}
    # not required by the models: the table's assumptions NAMES_THE_KEY and NAMES_THE_DATABASES
    assert 'HostShareKeyId' not in required('ModifyHostShareKey') | required('ListHostAccountsForHostShareKey')
    assert 'Databases' not in required('AttachDatabaseAccountsToUserGroup') | \
        required('DetachDatabaseAccountsFromUserGroup')
    assert required('CreateUser') == {'InstanceId', 'Source', 'UserName'}
    assert required('AttachHostGroupAccountsToUserGroup') == {'HostGroups', 'InstanceId', 'UserGroupId'}
    assert required('ListHostsForUser') == {'InstanceId', 'UserId'}
    # a host account needs no credential in the API: Password, PrivateKey and HostShareKeyId are all optional
    fields = fields_of('bastionhost', 'CreateHostAccount')
    assert not any(REQUIRED.search(fields[f]) for f in ('Password', 'PrivateKey', 'PassPhrase', 'HostShareKeyId'))
    assert 'Base64' in fields['PrivateKey'] and 'RSA' not in fields['PrivateKey']
    assert 'RSA keys and Ed25519 keys' in fields_of('bastionhost', 'CreateHostShareKey')['PrivateKey']
    assert 'up to 10 host group IDs and up to 10 host account names for each host group' in \
        fields_of('bastionhost', 'AttachHostGroupAccountsToUserGroup')['HostGroups']
    assert 'A maximum of 10 databases and 10 database accounts' in \
        fields_of('bastionhost', 'AttachDatabaseAccountsToUserGroup')['Databases']
    assert 'required when the database' in fields_of('bastionhost', 'CreateDatabaseAccount')['DatabaseSchema']
    for action in ACCESS_ACTIONS:
        assert not response_fields(action) & {'Password', 'PrivateKey', 'PassPhrase'}, action
    # the fields the emulator answers instead
    assert {'HasPassword', 'PrivateKeyFingerprint', 'HostShareKeyId'} <= response_fields('ListHostAccounts')
    assert 'PrivateKeyFingerPrint' in response_fields('GetHostShareKey')
    assert 'HostsAccountId' in response_fields('ListHostAccountsForHostShareKey')
    assert 'IsAuthorized' in response_fields('ListDatabaseAccountsForUserGroup')
