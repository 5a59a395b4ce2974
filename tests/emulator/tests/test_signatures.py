"""Signatures as the gateway checks them: nonce reuse, the 15-minute clock window, the headers an
ACS3 request must sign, and the message of a signature that does not match."""
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid

import pytest
from alibabacloud_tea_openapi.utils import Utils

from emulator_testlib import KEYS, MGMT_ID, admin, expect_error, sdk

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]
MISMATCH = 'Specified signature is not matched with our calculation. server string to sign is:'


def whoami(emu, v2=False):
    return sdk(emu, 'sts', 'mgmt', v2=v2).get_caller_identity().body.account_id


@pytest.mark.parametrize('v2', STYLES)
def test_a_reused_nonce_is_refused(demo_emulator, monkeypatch, v2):
    monkeypatch.setattr(Utils, 'get_nonce', staticmethod(lambda: 'the-same-nonce'))
    assert whoami(demo_emulator, v2) == MGMT_ID
    error = expect_error('SignatureNonceUsed', 400, whoami, demo_emulator, v2)
    assert error.data['Message'] == 'Specified signature nonce was used already.'
    # a reset forgets the nonces it saw
    demo_emulator.reset()
    assert whoami(demo_emulator, v2) == MGMT_ID


def test_nonces_are_shared_by_both_styles(demo_emulator, monkeypatch):
    monkeypatch.setattr(Utils, 'get_nonce', staticmethod(lambda: 'one-nonce-for-both'))
    whoami(demo_emulator, v2=False)
    expect_error('SignatureNonceUsed', 400, whoami, demo_emulator, True)


@pytest.mark.parametrize('v2', STYLES)
@pytest.mark.parametrize('skew', [16 * 60, -16 * 60])
def test_a_timestamp_more_than_15_minutes_off_is_expired(demo_emulator, v2, skew):
    assert admin(demo_emulator, '/_emulator/clock', {'skew_seconds': skew}) == {'skew_seconds': skew}
    error = expect_error('InvalidTimeStamp.Expired', 400, whoami, demo_emulator, v2)
    assert error.data['Message'] == 'Specified time stamp or date value is expired.'
    # and within the window it passes
    admin(demo_emulator, '/_emulator/clock', {'skew_seconds': -skew + (14 * 60 if skew > 0 else -14 * 60)})
    assert whoami(demo_emulator, v2) == MGMT_ID


def test_advancing_the_clock_moves_the_callers_too(demo_emulator):
    """advance_seconds is time passing for everyone (STS credentials expire), not a skewed clock."""
    assert demo_emulator.advance_clock(100000) == {'advanced_seconds': 100000}
    assert whoami(demo_emulator) == MGMT_ID


@pytest.mark.parametrize('v2', STYLES)
def test_signature_mismatch_message(demo_emulator, v2):
    client = sdk(demo_emulator, 'sts', 'mgmt', secret='not-the-secret', v2=v2)
    error = expect_error('SignatureDoesNotMatch', 400, client.get_caller_identity)
    message = error.data['Message']
    assert message.startswith(MISMATCH)
    string_to_sign = message[len(MISMATCH):]
    if v2:
        assert string_to_sign.split('&')[1] == '%2F'
    else:
        assert string_to_sign.startswith('ACS3-HMAC-SHA256\n')
    assert 'not-the-secret' not in message


# ------------------------------------------------------------------ ACS3: what must be signed

def acs3_request(emu, signed, key='mgmt'):
    """GetCallerIdentity signed by hand (V3 request structure and signature) over the headers `signed`."""
    key_id, secret = KEYS[key]
    headers = {
        'host': emu.endpoint, 'x-acs-action': 'GetCallerIdentity', 'x-acs-version': '2015-04-01',
        'x-acs-date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'x-acs-signature-nonce': uuid.uuid4().hex, 'x-acs-content-sha256': hashlib.sha256(b'').hexdigest(),
    }
    names = sorted(signed)
    canonical = '\n'.join(['POST', '/', '', ''.join(f'{n}:{headers[n]}\n' for n in names), ';'.join(names),
                           headers['x-acs-content-sha256']])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers['Authorization'] = f'ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={";".join(names)},' \
                               f'Signature={signature}'
    request = urllib.request.Request(emu.url + '/', data=b'', method='POST', headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


ALL_HEADERS = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce',
               'x-acs-version']


def test_a_request_signing_every_header_passes(demo_emulator):
    status, body = acs3_request(demo_emulator, ALL_HEADERS)
    assert (status, body.get('AccountId')) == (200, MGMT_ID), body


@pytest.mark.parametrize('left_out', ['host', 'x-acs-signature-nonce', 'x-acs-date', 'x-acs-action'])
def test_host_and_every_x_acs_header_must_be_signed(demo_emulator, left_out):
    status, body = acs3_request(demo_emulator, [h for h in ALL_HEADERS if h != left_out])
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch'), body
    assert body['Message'].startswith(MISMATCH)


def test_a_request_signing_only_host_is_refused(demo_emulator):
    status, body = acs3_request(demo_emulator, ['host'])
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')
