# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ssh_keys: the keys the API takes (RSA and Ed25519 as ssh-keygen writes them) pass, anything else is refused
with a message that never quotes it; the encoding is the Base64 of the key text with one final newline."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ansible_collections.alicloud.bastionhost.plugins.module_utils.ssh_keys import encode, encode_key, key_problem

ENCODING, FORMAT = serialization.Encoding, serialization.PrivateFormat
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED25519 = ed25519.Ed25519PrivateKey.generate()
ECDSA = ec.generate_private_key(ec.SECP256R1())


def text(key, fmt, password=None):
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(ENCODING.PEM, fmt, encryption).decode()


@pytest.mark.parametrize("key", [
    text(ED25519, FORMAT.OpenSSH), text(RSA, FORMAT.OpenSSH), text(RSA, FORMAT.PKCS8), text(ED25519, FORMAT.PKCS8),
    text(RSA, FORMAT.TraditionalOpenSSL), text(RSA, FORMAT.TraditionalOpenSSL, b"pw"), text(RSA, FORMAT.PKCS8, b"pw"),
], ids=["ed25519", "rsa-openssh", "rsa-pkcs8", "ed25519-pkcs8", "rsa-pem", "rsa-pem-encrypted", "pkcs8-encrypted"])
def test_keys_as_ssh_keygen_writes_them_pass(key):
    assert key_problem(key) is None


@pytest.mark.parametrize("key, says", [
    (text(ECDSA, FORMAT.OpenSSH), "ecdsa"),
    (text(ECDSA, FORMAT.TraditionalOpenSSL), "EC"),
    (text(ECDSA, FORMAT.PKCS8), "other than RSA or Ed25519"),
    (ED25519.public_key().public_bytes(ENCODING.OpenSSH, serialization.PublicFormat.OpenSSH).decode(), "public key"),
    (base64.b64encode(text(ED25519, FORMAT.OpenSSH).encode()).decode(), "Base64-encoded already"),
    ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "not a private key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all!\n-----END OPENSSH PRIVATE KEY-----", "not Base64"),
    ("hunter2-is-my-password", "not a key"),
    ("", "empty"),
])
def test_anything_else_is_refused_without_quoting_it(key, says):
    problem = key_problem(key)
    assert problem and says in problem
    assert not [line for line in key.splitlines() if len(line) > 12 and not line.startswith("-----") and line in problem]


def test_the_encoding_is_the_key_text_with_one_final_newline():
    key = text(ED25519, FORMAT.OpenSSH)
    assert base64.b64decode(encode_key("\n  " + key.strip() + "\n\n")).decode() == key.strip() + "\n"
    assert base64.b64decode(encode("pass phrase")).decode() == "pass phrase"
    assert encode(None) is None
