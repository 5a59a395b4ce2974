"""AWX / AAP: the custom credential type of extensions/awx is one AWX accepts, and a job runs
through ansible-runner (the engine of AWX jobs) with the credential injected as AWX injects it:
the injectors' templates rendered with the credential's inputs in Jinja2's immutable sandbox,
`env` into the job's environment and `extra_vars` into its extra variables."""
import json
import os

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEMO_MANAGEMENT_KEYS = {'access_key_id': 'LTAIdemoOps00001', 'access_key_secret': 'demo-ops-secret'}
DEMO_INSTANCE_ID = 'bastionhost-cn-hz-ent01'
CREDENTIAL_TYPE = os.path.join(ROOT, 'extensions', 'awx', 'credential_type.yml')
SITE = os.path.join(ROOT, 'playbooks', 'site.yml')
ONBOARD = os.path.join(ROOT, 'playbooks', 'onboard_member_accounts.yml')
SAMPLE_INPUTS = dict(DEMO_MANAGEMENT_KEYS, region='cn-hangzhou')
SECRET = DEMO_MANAGEMENT_KEYS['access_key_secret']
MEMBERS = ['1000000000000011', '1000000000000012', '1000000000000021', '1000000000000022']

# What AWX validates a credential type with (awx/main/fields.py: CredentialTypeInputField,
# CredentialTypeInjectorField and ENV_BLOCKLIST in awx/main/constants.py).
AWX_INPUTS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'fields': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'type': {'enum': ['string', 'boolean']},
                    'format': {'enum': ['ssh_private_key', 'url']},
                    'choices': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}, 'uniqueItems': True},
                    'id': {'type': 'string', 'pattern': '^[a-zA-Z_]+[a-zA-Z0-9_]*$'},
                    'label': {'type': 'string'},
                    'help_text': {'type': 'string'},
                    'multiline': {'type': 'boolean'},
                    'secret': {'type': 'boolean'},
                    'ask_at_runtime': {'type': 'boolean'},
                    'default': {},
                },
                'additionalProperties': False,
                'required': ['id', 'label'],
            },
        },
    },
}
AWX_INJECTORS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'file': {'type': 'object', 'additionalProperties': False,
                 'patternProperties': {r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$': {'type': 'string'}}},
        'env': {'type': 'object', 'additionalProperties': False,
                'patternProperties': {'^[a-zA-Z_]+[a-zA-Z0-9_]*$': {'type': 'string', 'pattern': '^[\x00-\x7F]*$'}}},
        'extra_vars': {'type': 'object', 'additionalProperties': False,
                       'patternProperties': {'^[a-zA-Z_]+[a-zA-Z0-9_]*$': {'type': 'string'}}},
    },
}
AWX_ENV_BLOCKLIST = {
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
}


def load_credential_type():
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def inject(credential_type, inputs):
    """(env, safe_env, extra_vars) as AWX's CredentialType.inject_credential builds them: only
    the inputs that are set are in the namespace (an unset one renders as an empty string), and
    the stored copy of the environment has the secret inputs masked."""
    environment = ImmutableSandboxedEnvironment()
    secret = {f['id'] for f in credential_type['inputs']['fields'] if f.get('secret')}
    namespace = {key: value for key, value in inputs.items() if value}
    safe_namespace = {key: '**********' if key in secret else value for key, value in namespace.items()}
    injectors = credential_type['injectors']

    def render(template, values):
        return environment.from_string(template).render(**values)

    def render_vars(node):
        if isinstance(node, dict):
            return {render_vars(key): render_vars(value) for key, value in node.items()}
        if isinstance(node, list):
            return [render_vars(item) for item in node]
        return render(node, namespace)

    env = {name: render(template, namespace) for name, template in injectors.get('env', {}).items()}
    safe_env = {name: render(template, safe_namespace) for name, template in injectors.get('env', {}).items()}
    return env, safe_env, render_vars(injectors.get('extra_vars', {}))


def test_credential_type_is_one_awx_accepts(eco):
    jsonschema = eco.module('jsonschema')
    credential_type = load_credential_type()
    assert credential_type['kind'] in ('cloud', 'net'), 'custom credential types are of kind cloud or net'
    assert credential_type['name'] and credential_type['description']
    inputs, injectors = credential_type['inputs'], credential_type['injectors']
    jsonschema.validate(inputs, AWX_INPUTS_SCHEMA)
    jsonschema.validate(injectors, AWX_INJECTORS_SCHEMA)

    ids = [field['id'] for field in inputs['fields']]
    assert len(ids) == len(set(ids)) and 'tower' not in ids
    assert set(inputs.get('required', [])) <= set(ids)
    for field in inputs['fields']:
        assert field.get('type', 'string') == 'string' or not field.get('secret'), field
        if 'default' in field:
            assert isinstance(field['default'], str), field
    for name in injectors.get('env', {}):
        assert not name.startswith('ANSIBLE_') and name not in AWX_ENV_BLOCKLIST, name
    # every template names a field (AWX renders them with StrictUndefined on save)
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind in ('env', 'extra_vars'):
        for template in injectors.get(kind, {}).values():
            strict.from_string(template).render({field_id: 'EXAMPLE' for field_id in ids})


def test_credential_type_fields_and_injectors():
    credential_type = load_credential_type()
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert list(fields) == ['access_key_id', 'access_key_secret', 'security_token', 'region', 'assume_role_arn']
    assert {name for name, field in fields.items() if field.get('secret')} == {'access_key_secret', 'security_token'}
    assert credential_type['inputs']['required'] == ['access_key_id', 'access_key_secret', 'region']
    injectors = credential_type['injectors']
    assert injectors['env'] == {
        'ALIBABA_CLOUD_ACCESS_KEY_ID': '{{ access_key_id }}',
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET': '{{ access_key_secret }}',
        'ALIBABA_CLOUD_SECURITY_TOKEN': '{{ security_token }}',
        'ALIBABA_CLOUD_REGION_ID': '{{ region }}',
    }
    assert injectors['extra_vars'] == {'bastionhost_assume_role_arn': '{{ assume_role_arn }}'}
    # the modules read those variables (their documented fallbacks), site.yml the extra variable
    with open(os.path.join(ROOT, 'plugins', 'module_utils', 'module.py'), encoding='utf-8') as handle:
        module_utils = handle.read()
    for name in injectors['env']:
        assert f'"{name}"' in module_utils, f'{name} is not an environment fallback of the modules'
    with open(SITE, encoding='utf-8') as handle:
        assert 'bastionhost_assume_role_arn' in handle.read()

    env, safe_env, extra_vars = inject(credential_type, dict(SAMPLE_INPUTS, security_token='sts-token-value'))
    assert env == {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAIdemoOps00001', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET,
                   'ALIBABA_CLOUD_SECURITY_TOKEN': 'sts-token-value', 'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou'}
    assert safe_env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] == safe_env['ALIBABA_CLOUD_SECURITY_TOKEN'] == '**********'
    assert extra_vars == {'bastionhost_assume_role_arn': ''}


def job_playbook():
    """The job template's playbook: site.yml, or the onboarding step until site.yml exists."""
    return SITE if os.path.exists(SITE) else ONBOARD


def run_job(eco, tmp_path, emulator, playbook, inputs, extra_vars=None):
    """Launch a job the way AWX does: ansible-runner, an inventory with localhost, the
    credential's env injectors in the job's environment and its extra_vars injectors (plus the
    job template's extra variables) as extra variables."""
    ansible_runner = eco.module('ansible_runner')
    env, _safe_env, credential_extra_vars = inject(load_credential_type(), inputs)
    # like AWX_TASK_ENV (Settings > Jobs > Extra Environment Variables): every API to the emulator
    env['ALIBABA_CLOUD_ENDPOINT_URL'] = emulator.url
    job_env = eco.env(**env)
    job_env.pop('ANSIBLE_PYTHON_INTERPRETER')  # the inventory gives it, as an AWX inventory would
    (tmp_path / 'job').mkdir()
    result = ansible_runner.run(
        private_data_dir=str(tmp_path / 'job'),
        project_dir=ROOT,
        playbook=os.path.relpath(playbook, ROOT),
        inventory={'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                                   'ansible_python_interpreter': eco.python}}}},
        envvars=job_env,
        extravars=dict(extra_vars or {}, **credential_extra_vars),
        verbosity=3,
        quiet=True,
        timeout=240,
    )
    return result, list(result.events), result.stdout.read()


def assert_no_secret(stdout, events):
    assert stdout, 'the job printed nothing'
    assert SECRET not in stdout, 'the AccessKey secret is in the job output'
    leaked = [event.get('event') for event in events if SECRET in json.dumps(event)]
    assert not leaked, f'the AccessKey secret is in job events: {leaked}'


def test_job_template_through_ansible_runner(eco, tmp_path, demo_emulator):
    playbook = job_playbook()
    result, events, stdout = run_job(eco, tmp_path, demo_emulator, playbook, SAMPLE_INPUTS,
                                     {'bastionhost_instance_id': DEMO_INSTANCE_ID,
                                      'bastionhost_member_select': {'all': True}})
    assert (result.status, result.rc) == ('successful', 0), f'{os.path.basename(playbook)}:\n{stdout[-6000:]}'

    adds = [call for call in demo_emulator.writes() if call['action'] == 'AddInstanceRdMember']
    assert sorted(call['params']['MemberId'] for call in adds) == MEMBERS
    assert {call['params']['InstanceId'] for call in adds} == {DEMO_INSTANCE_ID}
    # every write signed with the injected keys (the management account's RAM user ops); no role
    # assumed but the members' access role, to discover their assets
    assert {(call['caller']['account_id'], call['caller']['type']) for call in demo_emulator.writes()} == {
        ('1000000000000001', 'user')}
    assumed = {call['params']['RoleArn'] for call in demo_emulator.calls() if call['action'] == 'AssumeRole'}
    assert assumed <= {f'acs:ram::{member}:role/ResourceDirectoryAccountAccessRole' for member in MEMBERS}, assumed

    stats = [event for event in events if event.get('event') == 'playbook_on_stats']
    assert len(stats) == 1 and stats[0]['event_data']['changed'].get('localhost', 0) > 0
    assert not stats[0]['event_data']['failures']
    # what AWX stores as the job's artifacts: the member_assets role's set_stats, per member
    artifacts = stats[0]['event_data'].get('artifact_data') or {}
    summary = (artifacts.get('member_assets_summary') or {}).get(DEMO_INSTANCE_ID)
    assert summary, f'no member_assets_summary for {DEMO_INSTANCE_ID} in the artifacts: {artifacts}'
    assert sorted(summary['members']) == MEMBERS
    # counts by member and type (issue 22): {member: {type: {outcome: n}}}
    assert summary['totals']['imported'] == sum(counts.get('imported', 0) for types in summary['members'].values()
                                                for counts in types.values()) > 0
    assert summary['check_mode'] is False
    assert [entry['assets'] for entry in artifacts['member_assets_removed']] == [[]]
    assert_no_secret(stdout, events)


def test_assume_role_arn_input_reaches_the_modules(eco, tmp_path, demo_emulator):
    """An assume_role_arn input: the job runs as that role. The role here is a member's
    read-only role, whose account cannot see the management account's bastion host, so the
    job stops at the prerequisites, having called the API only as the role."""
    assert os.path.exists(SITE), 'playbooks/site.yml (the job template playbook that reads bastionhost_assume_role_arn) is missing'
    role_arn = 'acs:ram::1000000000000011:role/BastionhostImportRole'
    result, events, stdout = run_job(eco, tmp_path, demo_emulator, SITE,
                                     dict(SAMPLE_INPUTS, assume_role_arn=role_arn),
                                     {'bastionhost_instance_id': DEMO_INSTANCE_ID})
    assert result.status == 'failed', stdout[-6000:]
    calls = demo_emulator.calls()
    assume = [call for call in calls if call['action'] == 'AssumeRole']
    assert assume and {call['params'].get('RoleArn') for call in assume} == {role_arn}, assume
    assert all(call['status'] == 200 and call['caller']['account_id'] == '1000000000000001' for call in assume)
    others = [call for call in calls if call['action'] != 'AssumeRole']
    callers = {(call['caller']['account_id'], call['caller']['principal'].rsplit('/', 1)[0]) for call in others}
    assert others and callers == {('1000000000000011', 'assumed-role/BastionhostImportRole')}, callers
    assert not demo_emulator.writes()
    assert DEMO_INSTANCE_ID in stdout
    assert_no_secret(stdout, events)
