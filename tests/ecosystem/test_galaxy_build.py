"""The collection as it is released and consumed: the `ansible-galaxy collection build`
artifact holds the collection and nothing of the development tree, installs into an empty
collections path and runs from there, and ansible-builder makes an execution environment of it
(`create` only: the build context, without a container engine)."""
import json
import os
import re
import shutil
import subprocess
import tarfile

import yaml

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEMO_KEYS = {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAIdemoOps00001', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'demo-ops-secret',
             'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou'}
# What a release artifact may hold at its top level; anything else is development tree
# leaking past galaxy.yml's build_ignore.
RELEASE_TOP_LEVEL = {'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'CHANGELOG.rst', 'requirements.txt',
                     'bindep.txt', 'execution-environment.yml', 'meta', 'plugins', 'roles', 'playbooks', 'docs',
                     'changelogs', 'extensions'}
DEVELOPMENT_ONLY = ('tests/', 'scripts/', '.venv/', '.git/', '.ci/', '.pytest_cache/', '.ansible/', 'context/',
                    'extensions/molecule/', 'galaxy.yml')


def read_yaml(*path):
    with open(os.path.join(ROOT, *path), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def action_group_modules():
    return read_yaml('meta', 'runtime.yml')['action_groups']['bastionhost']


def artifact_members(artifact):
    with tarfile.open(artifact) as tar:
        return {member.name + ('/' if member.isdir() else '') for member in tar.getmembers()}


def development_tree_files(*folders):
    """The files git tracks or would track under these folders (as scripts/copy_tree.py copies)."""
    listing = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', *folders],
                             cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return {path for path in listing.split('\0') if path and os.path.isfile(os.path.join(ROOT, path))}


def test_artifact_holds_the_collection_and_nothing_else(artifact):
    members = artifact_members(artifact)
    files = {name for name in members if not name.endswith('/')}

    leaked = sorted(name for name in members if name.startswith(DEVELOPMENT_ONLY)
                    or '__pycache__' in name or name.endswith(('.pyc', '.tar.gz')))
    assert not leaked, f'development files in the artifact (add them to build_ignore in galaxy.yml): {leaked}'
    top_level = {name.split('/', 1)[0] for name in members}
    assert top_level <= RELEASE_TOP_LEVEL, (
        f'unexpected top-level entries in the artifact: {sorted(top_level - RELEASE_TOP_LEVEL)} '
        '(add them to build_ignore in galaxy.yml, or to RELEASE_TOP_LEVEL here if they belong in a release)')

    required = {'README.md', 'LICENSE', 'MANIFEST.json', 'FILES.json', 'meta/runtime.yml',
                'meta/execution-environment.yml', 'requirements.txt', 'bindep.txt', 'extensions/awx/credential_type.yml'}
    required |= {f'plugins/modules/{module}.py' for module in action_group_modules()}
    assert not required - files, f'missing from the artifact: {sorted(required - files)}'
    # everything of the collection proper is there
    shipped = development_tree_files('plugins', 'roles', 'meta', 'playbooks')
    shipped = {path for path in shipped if '__pycache__' not in path}
    assert not shipped - files, f'missing from the artifact: {sorted(shipped - files)}'

    with tarfile.open(artifact) as tar:
        manifest = json.load(tar.extractfile('MANIFEST.json'))['collection_info']
    galaxy = read_yaml('galaxy.yml')
    for key in ('namespace', 'name', 'version', 'license', 'dependencies'):
        assert manifest[key] == galaxy[key], key
    assert os.path.basename(artifact) == f'alicloud-bastionhost-{galaxy["version"]}.tar.gz'


def test_installed_artifact_runs_from_an_empty_collections_path(eco, artifact, tmp_path, demo_emulator):
    galaxy = eco.tool('ansible-galaxy')
    collections = tmp_path / 'collections'
    eco.run([galaxy, 'collection', 'install', '--offline', artifact, '-p', collections],
            env=eco.env(collections_path=collections))
    installed = collections / 'ansible_collections' / 'alicloud' / 'bastionhost'
    assert (installed / 'MANIFEST.json').is_file() and not os.path.islink(installed)
    assert not (installed / 'tests').exists()

    # only the installed copy is visible: no checkout, no PYTHONPATH, no system collections
    env = eco.env(collections_path=collections, ALIBABA_CLOUD_ENDPOINT_URL=demo_emulator.url, **DEMO_KEYS)
    verify = eco.run([galaxy, 'collection', 'verify', '--offline', 'alicloud.bastionhost', '-p', collections], env=env)
    assert 'Successfully verified' in verify.stdout, verify.stdout
    listing = eco.run([galaxy, 'collection', 'list', 'alicloud.bastionhost', '--format', 'json'], env=env)
    assert list(json.loads(listing.stdout)) == [str(collections / 'ansible_collections')]

    # a playbook of the collection, by its FQCN: instance_info and the prerequisites role
    workdir = tmp_path / 'work'
    workdir.mkdir()
    result = eco.run([eco.tool('ansible-playbook'), 'alicloud.bastionhost.check_prerequisites', '-vvv',
                      '-e', 'bastionhost_instance_id=bastionhost-cn-hz-ent01'], cwd=workdir, env=env)
    used = set(re.findall(r'Using module file (\S+)', result.stdout))
    assert {str(installed / 'plugins' / 'modules' / f'{name}.py') for name in
            ('instance_info', 'multi_account_prerequisites')} <= used, used
    assert all(path.startswith(str(installed)) for path in used if 'alicloud' in path), used
    assert re.search(r'localhost\s*:\s*ok=\d+\s+changed=0\s+unreachable=0\s+failed=0', result.stdout), result.stdout[-3000:]
    actions = {call['action'] for call in demo_emulator.calls() if call['status'] == 200}
    assert {'DescribeInstances', 'GetResourceDirectory', 'ListAccounts'} <= actions, actions
    assert not demo_emulator.writes()


def galaxy_stage_steps(containerfile):
    """The COPY, WORKDIR and RUN steps of the base and galaxy stages of a Containerfile."""
    steps, stage = [], None
    for line in containerfile.splitlines():
        if line.startswith('FROM '):
            stage = line.split(' AS ')[-1].strip()
        elif stage in ('base', 'galaxy') and line.startswith(('COPY ', 'WORKDIR ', 'RUN ')):
            steps.append((stage, line))
    return steps


def test_execution_environment_build_context(eco, artifact, tmp_path):
    """`ansible-builder create` on execution-environment.yml, beside the artifact as the file
    asks; then the galaxy stage (COPY, the prepend_galaxy steps, ansible-galaxy collection
    install) and the builder stage's introspection replayed on this machine under a scratch
    root, so what the image would install is checked without a container engine."""
    builder = eco.tool('ansible-builder')
    project = tmp_path / 'project'
    project.mkdir()
    for name in ('execution-environment.yml', 'requirements.txt', 'bindep.txt'):
        shutil.copy(os.path.join(ROOT, name), project / name)
    shutil.copy(artifact, project / artifact.name)
    context = tmp_path / 'context'
    eco.run([builder, 'create', '--file', project / 'execution-environment.yml', '--context', context,
             '--output-filename', 'Containerfile'])

    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    definition = read_yaml('execution-environment.yml')
    assert definition['version'] == 3
    assert f'ARG EE_BASE_IMAGE="{definition["images"]["base_image"]["name"]}"' in containerfile
    assert '--user-pip=requirements.txt' in containerfile and '--user-bindep=bindep.txt' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    with open(os.path.join(ROOT, 'requirements.txt'), encoding='utf-8') as handle:
        python_requirements = handle.read()
    assert (context / '_build' / 'requirements.txt').read_text(encoding='utf-8') == python_requirements
    assert 'alibabacloud-yundun-bastionhost20191209' in python_requirements
    copied = list((context / '_build').rglob('alicloud-bastionhost-*.tar.gz'))
    assert [path.name for path in copied] == [artifact.name], copied

    # replay the base stage's COPY steps and the galaxy stage under a scratch root
    scratch = tmp_path / 'image'
    scratch.mkdir()
    absolute = re.compile(r'(?<![\w./-])/(?=(?:tmp|build|output|usr/share/ansible)\b)')

    def inside(text):
        return absolute.sub(str(scratch) + '/', text)

    (scratch / 'home').mkdir()  # a fresh image: no collection installed anywhere yet
    env = eco.env(collections_path=scratch / 'usr/share/ansible/collections', HOME=scratch / 'home')
    cwd = scratch
    for stage, step in galaxy_stage_steps(containerfile):
        verb, rest = step.split(' ', 1)
        if verb == 'COPY' and not rest.startswith('--from'):
            source, destination = rest.split()
            target = scratch / destination.lstrip('/')
            if (context / source).is_dir():
                shutil.copytree(context / source, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(context / source, target)
            if destination.rstrip('/') == '/build':  # galaxy requirements name files by their path in the image
                requirements = target / 'requirements.yml'
                requirements.write_text(inside(requirements.read_text(encoding='utf-8')), encoding='utf-8')
        elif verb == 'WORKDIR':
            cwd = scratch / rest.strip().lstrip('/')
        elif verb == 'RUN' and stage == 'galaxy':
            result = subprocess.run(['sh', '-c', inside(rest)], cwd=cwd, env=env,
                                    capture_output=True, text=True, timeout=120, check=False)
            assert result.returncode == 0, f'{rest}\n{result.stdout}\n{result.stderr}'
    installed = scratch / 'usr/share/ansible/collections/ansible_collections/alicloud/bastionhost'
    assert (installed / 'MANIFEST.json').is_file(), 'the galaxy stage did not install the collection'

    # the builder stage: introspection of the installed collections plus the user requirements
    output = tmp_path / 'introspected'
    output.mkdir()
    eco.run([eco.python, context / '_build' / 'scripts' / 'introspect.py', 'introspect',
             '--user-pip', context / '_build' / 'requirements.txt', '--user-bindep', context / '_build' / 'bindep.txt',
             '--write-pip', output / 'requirements.txt', '--write-bindep', output / 'bindep.txt',
             scratch / 'usr/share/ansible/collections'])
    pip_lines = (output / 'requirements.txt').read_text(encoding='utf-8').splitlines()
    system_lines = (output / 'bindep.txt').read_text(encoding='utf-8').splitlines()
    from_collection = [line for line in pip_lines if line.endswith('# from collection alicloud.bastionhost')]
    assert any(line.startswith('alibabacloud-yundun-bastionhost20191209') for line in from_collection), pip_lines
    assert any(line.startswith('python3') for line in system_lines), system_lines
    packaging = eco.module('packaging.requirements')
    for line in pip_lines:
        packaging.Requirement(line.split('#', 1)[0].strip())  # what pip will be given parses


def test_bindep_file_parses(eco):
    depends = eco.module('bindep.depends')
    with open(os.path.join(ROOT, 'bindep.txt'), encoding='utf-8') as handle:
        rules = depends.Depends(handle.read())
    assert 'python3' in [rule[0] for rule in rules._rules]  # pylint: disable=protected-access
    assert read_yaml('meta', 'execution-environment.yml') == {
        'version': 1, 'dependencies': {'python': 'requirements.txt', 'system': 'bindep.txt'}}
