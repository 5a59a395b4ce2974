"""At -vvvv, no access key secret or security token appears anywhere in the output of any module."""
import textwrap

SECRET = 'demo-ops-secret'
WRONG_SECRET = 'definitely-not-the-secret'
PLAYBOOK = textwrap.dedent('''
    - hosts: localhost
      connection: local
      gather_facts: false
      module_defaults:
        group/alicloud.bastionhost.bastionhost:
          endpoint_url: "{{ emulator_url }}"
          region: cn-hangzhou
          access_key_id: LTAIdemoOps00001
      tasks:
        - alicloud.bastionhost.instance_info:
        - alicloud.bastionhost.multi_account_prerequisites:
            instance_id: bastionhost-cn-hz-ent01
        - name: assume a member role, so STS credentials and a token are in play
          alicloud.bastionhost.instance_info:
            assume_role:
              role_arn: acs:ram::1000000000000011:role/ResourceDirectoryAccountAccessRole
        - alicloud.bastionhost.rd_member:
            instance_id: bastionhost-cn-hz-ent01
            members: [shop-prod]
        - alicloud.bastionhost.rd_member_info:
            instance_id: bastionhost-cn-hz-ent01
        - alicloud.bastionhost.member_asset_info:
            members: [shop-prod]
        - alicloud.bastionhost.member_asset:
            instance_id: bastionhost-cn-hz-ent01
            discover: {members: [shop-prod], types: [rds]}
          diff: true
        - alicloud.bastionhost.multi_account_prerequisites:
            instance_id: bastionhost-cn-hz-basic01
          ignore_errors: true
        - alicloud.bastionhost.instance_info:
            access_key_secret: "{{ lookup('ansible.builtin.env', 'WRONG_SECRET') }}"
          ignore_errors: true
''')


def test_no_secret_or_token_at_vvvv(emulator, ansible_playbook, tmp_path):
    playbook = tmp_path / 'playbook.yml'
    playbook.write_text(PLAYBOOK)
    # Secrets reach the play the way users pass them: the environment (a command line is echoed at -vvvv).
    result = ansible_playbook.run(playbook, '-vvvv', '-e', f'emulator_url={emulator.url}',
                                  env={'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET, 'WRONG_SECRET': WRONG_SECRET})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert output.count('ignoring') == 2, 'the two failing tasks ran and failed'
    assert 'SignatureDoesNotMatch' in output
    assert SECRET not in output
    assert WRONG_SECRET not in output
    issued = [c for c in emulator.calls() if c['action'] == 'AssumeRole' and c['status'] == 200]
    assert issued, 'the playbook assumed a role'
    # The emulator issues tokens starting with CAES; none may be printed.
    assert 'CAES' not in output
