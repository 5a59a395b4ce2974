# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # Credentials, region and endpoints shared by every module of the collection.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - The AccessKey ID of the Alibaba Cloud account, RAM user or STS session to call the APIs with.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_ID) or E(ALICLOUD_ACCESS_KEY) is used.
      - When neither O(access_key_id) nor O(access_key_secret) is set, credentials come from O(profile) or,
        without a profile, from the official Alibaba Cloud default credentials chain
        (environment variables, C(~/.aliyun/config.json), ECS instance RAM role).
      - Must be given together with O(access_key_secret).
      - O(access_key_id), O(access_key_secret) and O(security_token), and the environment variables they fall back
        to, must not have whitespace around them (a newline pasted with a key into an AWX credential); such a value
        is refused before any call, the message naming the option or variable and never its value.
    type: str
  access_key_secret:
    description:
      - The AccessKey secret matching O(access_key_id).
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or E(ALICLOUD_SECRET_KEY) is used.
    type: str
  security_token:
    description:
      - The STS security token, when O(access_key_id) and O(access_key_secret) are temporary STS credentials.
      - If not set, the environment variable E(ALIBABA_CLOUD_SECURITY_TOKEN) or E(ALICLOUD_SECURITY_TOKEN) is used.
      - Requires O(access_key_id) and O(access_key_secret).
    type: str
  region:
    description:
      - The region ID, for example V(cn-hangzhou).
      - If not set, the environment variable E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION) is used.
      - Required by modules that call regional APIs (Bastionhost, ECS, RDS, PolarDB).
        Resource Directory, STS and RAM are called on their global endpoints when no region is set.
    type: str
  profile:
    description:
      - The name of a profile in the Alibaba Cloud CLI configuration file C(~/.aliyun/config.json).
      - If not set, the environment variable E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE) is used.
      - Ignored when O(access_key_id) and O(access_key_secret) are set.
    type: str
  assume_role:
    description:
      - Assume this RAM role with STS C(AssumeRole) using the credentials above,
        and call every other API with the temporary credentials it returns.
    type: dict
    suboptions:
      role_arn:
        description:
          - The ARN of the RAM role, for example C(acs:ram::1000000000000001:role/ops).
        type: str
        required: true
      session_name:
        description:
          - The role session name, visible in ActionTrail.
        type: str
        default: ansible-alicloud-bastionhost
      duration:
        description:
          - How long the temporary credentials are valid, in seconds.
        type: int
        default: 3600
  endpoint_url:
    description:
      - One URL used for every product instead of the public endpoints, for example V(http://127.0.0.1:8080)
        for a local API emulator or a proxy.
      - Must have the form C(scheme://host[:port]) without a path.
      - If not set, the environment variable E(ALIBABA_CLOUD_ENDPOINT_URL) is used.
      - An entry of O(endpoints) takes precedence for its product.
      - The calls to an endpoint go through the proxy E(HTTP_PROXY) (or E(http_proxy)) names for an C(http) endpoint,
        E(HTTPS_PROXY) (or E(https_proxy)) for an C(https) one, unless E(no_proxy) (or E(NO_PROXY)) lists the
        endpoint's host. Its comma-separated entries are host names and domain suffixes (C(example.com) covers
        C(api.example.com)), C(host:port), IPv4 addresses and CIDR ranges, or C(*) for every host.
      - Without E(NO_PROXY), loopback endpoints (C(localhost), C(127.0.0.1), C(::1)) are called directly; a
        E(NO_PROXY) that is set is the whole list, so it names them too when they are to be called directly.
    type: str
  endpoints:
    description:
      - The endpoint of one product, as a bare host name (HTTPS) or a C(scheme://host[:port]) URL.
      - A product without an entry uses O(endpoint_url) or, without it, the endpoint the official SDK
        derives from O(region).
    type: dict
    suboptions:
      bastionhost:
        description: Endpoint of Bastionhost, for example V(yundun-bastionhost.aliyuncs.com).
        type: str
      resourcemanager:
        description: Endpoint of Resource Management (Resource Directory).
        type: str
      sts:
        description: Endpoint of Security Token Service.
        type: str
      ram:
        description: Endpoint of Resource Access Management.
        type: str
      ecs:
        description: Endpoint of Elastic Compute Service.
        type: str
      rds:
        description: Endpoint of ApsaraDB RDS.
        type: str
      polardb:
        description: Endpoint of PolarDB.
        type: str
  validate_certs:
    description:
      - When V(false), TLS certificates of HTTPS endpoints are not validated.
      - Only use V(false) with personally controlled endpoints such as a test proxy.
    type: bool
    default: true
  max_calls_per_second:
    description:
      - The most calls a second the module makes of any one API action (for example C(CreateHost)) in any one
        account, for teams that share the action's quota with other tools.
      - Alibaba Cloud counts an action's quota per account, the calls of the account's RAM users and RAM roles
        together. Whether or not this option is set, the module paces each action of each account on its own, from
        the service's answers. No action is slowed down until the service first throttles it (C(Throttling)); from
        then on its calls are spread out at the rate that got through, lowered on each further throttling and raised
        slowly while calls succeed, and a C(x-acs-retry-after) answer holds them that long. The pace is shared by
        every thread of the module; the calls made with a member's assumed role count toward the member's quota.
      - Unset, the only limit is the one learnt from the service.
    type: float
    version_added: 0.2.0
requirements:
  - python >= 3.8
  - alibabacloud-tea-openapi
  - alibabacloud-credentials
notes:
  - Each module also needs the official SDK of every product it calls, for example
    C(alibabacloud-yundun-bastionhost20191209); a missing SDK is named in the failure message.
  - The caller needs the RAM permissions of the APIs a module calls; a C(Forbidden.RAM) failure names what to grant.
  - Each call waits at most 5 seconds for a connection and 10 seconds for an answer. Calls that get no answer are
    retried, and the task fails once calls in a row have found no endpoint five times or gone unanswered for
    30 seconds, naming the endpoint (and the proxy, when they went through one).
"""
