# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext


def _api_error(code, status=400, message="Something went wrong.", request_id="REQ-1", retry_after=None):
    """An exception shaped exactly like the one tea-openapi raises for an error response."""
    data = {"RequestId": request_id, "HostId": "example.aliyuncs.com", "Code": code, "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=%s" % code}
    fields = dict(
        status_code=status,
        code=code,
        message="code: %s, %s request id: %s" % (status, message, request_id),
        data=data,
        request_id=request_id,
    )
    if retry_after is not None:
        return ThrottlingException(retry_after=retry_after, **fields)
    if status >= 500:
        return ServerException(**fields)
    return ClientException(**fields)


def _connection_error(text):
    """What darabonba raises when requests cannot reach the endpoint."""
    return UnretryableException(RetryPolicyContext(retries_attempted=1, exception=RetryError(text)))


@pytest.fixture
def api_error():
    return _api_error


@pytest.fixture
def connection_error():
    return _connection_error


class RecordingSleep:
    """Stands in for time.sleep so that retry tests never wait."""

    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


@pytest.fixture
def sleep():
    return RecordingSleep()
