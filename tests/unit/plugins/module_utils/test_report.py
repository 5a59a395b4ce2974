# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import Failures


def test_each_distinct_failure_is_told_once_and_every_entry_kept(api_error):
    failures = Failures(secrets=("s3cret",))
    refused = api_error("QuotaExceeded", message="Quota s3cret used up.")
    for number in range(30):
        failures.add("failed_assets", dict(instance_id="i-%d" % number), "import", "failed to import i-%d" % number,
                     refused, "m ecs i-%02d" % number)
    failures.add("failed_members", dict(member_id="1"), "add", "failed to add member 1", api_error("Forbidden.RAM"))
    assert len(failures) == 31 and len(failures.entries["failed_assets"]) == 30
    message = failures.message("bastion host bh-1", "imported 2")
    assert message.startswith("31 writes failed on bastion host bh-1 (imported 2); rerun to finish: ")
    assert message.count("QuotaExceeded") == 1 and message.count("Forbidden.RAM") == 1
    assert "s3cret" not in message and "s3cret" not in str(failures.entries)
    assert failures.entries["failed_assets"][0]["error"]["code"] == "QuotaExceeded"
    quota, forbidden = failures.summary()
    assert (quota["action"], quota["code"], quota["count"], quota["request_id"]) == ("import", "QuotaExceeded", 30, "REQ-1")
    assert quota["lines"][:2] == ["m ecs i-00", "m ecs i-01"] and quota["message"].startswith("failed to import: ")
    assert forbidden["count"] == 1 and forbidden["lines"] == []


def test_a_dead_endpoint_is_named_as_the_cause(api_error):
    failures = Failures()
    failures.add("failed_assets", {}, "import", "failed to import", api_error("Throttling.User"))
    failures.add("failed_assets", {}, "import", "failed to import", EndpointUnavailable(ConnectionError("gone"), 5))
    message = failures.message("bastion host bh-1", "imported 0", endpoint_gone=True)
    assert "the API endpoint stopped answering, so 2 writes were not made" in message
    assert "Throttling" not in message


def test_failures_that_differ_only_by_request_id_are_one_group(api_error):
    failures = Failures()
    for number in range(500):
        failures.add("failed_assets", {}, "import", "failed to import i-%d" % number,
                     api_error("QuotaExceeded.Asset", request_id="REQ-%d" % number), "m ecs i-%d" % number)
    [group] = failures.summary()
    assert group["count"] == 500 and group["request_id"] == "REQ-0" and "REQ-0" in group["message"]
    assert failures.message("bastion host bh", "imported 0").count("QuotaExceeded.Asset") == 1
