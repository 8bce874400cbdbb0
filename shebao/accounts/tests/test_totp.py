"""TOTP against the RFC 6238 appendix B vectors (SHA-1 seed), drift and format."""

from __future__ import annotations

import base64

import pytest

from shebao.accounts import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "eight_digits"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
     (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")],
)
def test_rfc6238_vectors(unix_time, eight_digits):
    key = totp.secret_bytes(RFC_SECRET)
    assert totp.hotp(key, totp.step_at(unix_time), digits=8) == eight_digits
    # Six digits are the last six of the same truncated value.
    assert totp.code_at(RFC_SECRET, unix_time) == eight_digits[-6:]


def test_accepts_one_step_of_drift_either_way_and_no_more():
    now = 1_700_000_000
    for steps, expected in ((-1, True), (0, True), (1, True), (-2, False), (2, False)):
        code = totp.code_at(RFC_SECRET, now + steps * 30)
        found = totp.matching_step(RFC_SECRET, code, now)
        assert (found == totp.step_at(now) + steps) is expected, steps


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "１２３４５６"])
def test_rejects_malformed_codes(typed):
    assert totp.matching_step(RFC_SECRET, typed, 59) is None


def test_spaces_in_a_code_are_ignored():
    code = totp.code_at(RFC_SECRET, 59)
    assert totp.matching_step(RFC_SECRET, f"{code[:3]} {code[3:]}", 59) == 1


def test_new_secrets_are_random_base32_of_160_bits():
    a, b = totp.secret_new(), totp.secret_new()
    assert a != b and len(totp.secret_bytes(a)) == 20 and "=" not in a


def test_secret_accepts_lower_case_and_spaces():
    assert totp.secret_bytes(RFC_SECRET.lower()[:8] + " " + RFC_SECRET[8:]) == \
        b"12345678901234567890"


def test_otpauth_uri_names_issuer_account_and_parameters():
    uri = totp.otpauth_uri(RFC_SECRET, account="shouli", issuer="北京社保经办")
    assert uri.startswith("otpauth://totp/%E5%8C%97")
    assert f"secret={RFC_SECRET}" in uri and "digits=6" in uri and "period=30" in uri
    assert "algorithm=SHA1" in uri and "%3Ashouli?" in uri
