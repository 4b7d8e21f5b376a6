"""Accounts' pure parts: argon2id passwords, TOTP steps (window and reuse), lockout arithmetic,
and the CSRF token derived from a session's secret."""

from __future__ import annotations

import pyotp
import pytest

from server.accounts import lockout, passwords, totp
from server.auth.cookies import csrf_matches, csrf_of

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW_S = 1_800_000_015.0  # 15 s into a step


def test_a_password_is_stored_as_argon2id_and_verified() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse batterY")
    assert not passwords.verify_password("not a hash", "anything")
    assert not passwords.verify_nothing("correct horse battery")


def test_short_passwords_are_refused() -> None:
    assert passwords.password_problem("short") is not None
    assert passwords.password_problem("long enough") is None


def _code(step_offset: int) -> str:
    return pyotp.TOTP(SECRET).at(NOW_S + 30 * step_offset)


def test_a_code_of_this_step_or_one_either_side_is_accepted() -> None:
    step = totp.step_at(NOW_S)
    assert totp.accepted_step(SECRET, _code(0), None, NOW_S) == step
    assert totp.accepted_step(SECRET, _code(-1), None, NOW_S) == step - 1
    assert totp.accepted_step(SECRET, _code(1), None, NOW_S) == step + 1
    assert totp.accepted_step(SECRET, _code(2), None, NOW_S) is None
    assert totp.accepted_step(SECRET, _code(-2), None, NOW_S) is None
    assert totp.accepted_step(SECRET, "12345x", None, NOW_S) is None
    assert totp.accepted_step(SECRET, " " + _code(0)[:3] + " " + _code(0)[3:], None, NOW_S) == step


def test_a_code_is_not_accepted_again_nor_one_older_than_the_last() -> None:
    step = totp.step_at(NOW_S)
    assert totp.accepted_step(SECRET, _code(0), step, NOW_S) is None
    assert totp.accepted_step(SECRET, _code(-1), step, NOW_S) is None
    assert totp.accepted_step(SECRET, _code(1), step, NOW_S) == step + 1


def test_the_uri_names_the_issuer_and_the_person() -> None:
    uri = totp.provisioning_uri(SECRET, "dilnoza")
    assert uri.startswith("otpauth://totp/Posbon:dilnoza?")
    assert f"secret={SECRET}" in uri
    assert "issuer=Posbon" in uri


@pytest.mark.parametrize(
    ("failures", "lock_s"),
    [(1, 0.0), (4, 0.0), (5, 60.0), (6, 0.0), (9, 0.0), (10, 120.0), (15, 240.0), (20, 480.0)],
)
def test_every_fifth_failure_locks_twice_as_long_as_the_last(failures: int, lock_s: float) -> None:
    assert lockout.lock_for_s(failures, 5, 60.0) == lock_s


def test_a_lock_lasts_a_day_at_most() -> None:
    assert lockout.lock_for_s(5 * 30, 5, 60.0) == lockout.MAX_LOCK_S
    assert lockout.lock_for_s(5 * 10_000, 5, 60.0) == lockout.MAX_LOCK_S
    assert lockout.lock_for_s(0, 5, 60.0) == 0.0


def test_the_csrf_token_is_derived_from_the_secret() -> None:
    token = csrf_of("pb_secret")
    assert token == csrf_of("pb_secret")
    assert token != csrf_of("pb_other")
    assert csrf_matches("pb_secret", token)
    assert not csrf_matches("pb_secret", "")
    assert not csrf_matches("pb_other", token)
