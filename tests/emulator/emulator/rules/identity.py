"""STS 2015-04-01 and RAM 2015-05-01 request rules."""
from .kinds import Assumption, Integer, Length, Required, sdk_package

sts = sdk_package('alibabacloud_sts20150401')
ram = sdk_package('alibabacloud_ram20150501')

# The RAM models describe these names without calling them required.
NAMED = Assumption('the emulator answers for a named user or group only; the SDK model does not call the '
                   'name required')

TABLES = {
    'sts': {
        'GetCallerIdentity': [],
        'AssumeRole': [
            Required('RoleArn', sts('AssumeRole')),
            Required('RoleSessionName', sts('AssumeRole')),
            Length('RoleSessionName', sts('AssumeRole'), low=2, high=64, pattern=r'[A-Za-z0-9.@_-]+',
                   allowed='letters, digits and . @ - _'),
            # The maximum is the role's MaxSessionDuration: checked by the handler.
            Integer('DurationSeconds', sts('AssumeRole'), low=900),
        ],
    },
    'ram': {
        'ListPoliciesForUser': [Required('UserName', NAMED)],
        'ListGroupsForUser': [Required('UserName', NAMED)],
        'ListPoliciesForGroup': [Required('GroupName', NAMED)],
    },
}
