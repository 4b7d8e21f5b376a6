"""Accounts: creating people, and checking who signs in.

A sign-in is refused with the same answer (401 `sign_in_failed`) for an unknown username, a
disabled account and a wrong password, and an unknown username costs a password verification
too, so neither the answer nor its time tells which names exist. With a right password, an
account that needs a second factor answers 401 `code_required` until a code comes along.

Every wrong password or code counts toward a lock (server/accounts/lockout.py); while locked the
account is refused unchecked with 429 `account_locked` and Retry-After. The count, the lock and
the last accepted TOTP step are written in the same transaction as the audit entry of the
attempt, after the slow password check (run in a thread, outside the transaction).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import ClassVar

import msgspec

from server.accounts import lockout, passwords, repository, totp
from server.accounts.repository import StoredUser
from server.accounts.schemas import Account, SignIn, Source
from server.audit.log import record
from server.auth import repository as tokens
from server.auth.schemas import Role, Scope
from server.auth.service import announce_revoked, forget
from server.db import Database
from server.errors import ApiError, BadRequest, Conflict, NotFound, Unauthorized
from server.settings import Settings


class SignInFailed(Unauthorized):
    code = "sign_in_failed"


class RetryLater(ApiError):
    """A sign-in refused unchecked for `retry_after_s` (429 with Retry-After)."""

    status_code = 429
    sentence: ClassVar[str] = "Try again in {seconds} s."

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = max(1, math.ceil(retry_after_s))
        super().__init__(self.sentence.format(seconds=self.retry_after_s))


class TooManyFailedSignIns(RetryLater):
    """The caller's address made too many failed sign-ins lately, whichever accounts it tried
    (a guesser spreading over many names)."""

    code = "too_many_failed_sign_ins"
    sentence = "Too many failed sign-ins came from this address; try again in {seconds} s."


class AccountLocked(RetryLater):
    """Too many wrong passwords or codes in a row."""

    code = "account_locked"
    sentence = (
        "Too many wrong passwords or codes: this account is locked; try again in {seconds} s."
    )


def code_required() -> Unauthorized:
    return Unauthorized(
        "This account needs the 6-digit code from its authenticator app.", code="code_required"
    )


def _failed() -> SignInFailed:
    return SignInFailed("The username, password or code is wrong.")


def totp_roles(settings: Settings) -> frozenset[Role]:
    names = {name.strip() for name in settings.totp_required_roles.split(",")}
    return frozenset(role for role in Role if role.value in names)


def actor_of(account: Account) -> str:
    return f"{account.role.value}:{account.username}"


class NewSecret(msgspec.Struct, frozen=True, kw_only=True):
    """An account with its TOTP secret (None: it needs none), shown this once."""

    account: Account
    totp_secret: str | None = None

    @property
    def totp_uri(self) -> str | None:
        if self.totp_secret is None:
            return None
        return totp.provisioning_uri(self.totp_secret, self.account.username)


def _check_password(password: str) -> None:
    problem = passwords.password_problem(password)
    if problem is not None:
        raise BadRequest(problem, code="password_too_short")


async def create_user(
    db: Database,
    settings: Settings,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    scope: Scope | None = None,
) -> NewSecret:
    _check_password(password)
    needs_code = role in totp_roles(settings)
    secret = totp.new_secret() if needs_code else None
    password_hash = await passwords.hash_in_thread(password)
    async with db.write():
        user_id = await repository.insert(
            db,
            username=username,
            display_name=display_name or username.strip(),
            role=role,
            source=Source.LOCAL,
            password_hash=password_hash,
            totp_secret=secret,
            totp_required=needs_code,
            **({} if scope is None else {"scope": scope}),
        )
        if user_id is None:
            raise Conflict(
                f"There is already a user named {repository.canonical(username)}.",
                code="username_taken",
            )
        account = await repository.find_by_id(db, user_id)
        assert account is not None
        await record(db, action="user.create", actor="cli", target=f"user:{user_id}", after=account)
    return NewSecret(account=account, totp_secret=secret)


async def external_user(
    db: Database, *, username: str, display_name: str, role: Role, scope: Scope
) -> Account:
    """The account of a person the identity provider vouched for: created on first sign-in,
    role, scope and name brought up to date on each. Refused (409 `username_taken`) when a
    local account owns the name, and (401 `sign_in_failed`) when the account is disabled."""
    async with db.write():
        stored = await repository.find(db, username, for_update=True)
        if stored is None:
            user_id = await repository.insert(
                db,
                username=username,
                display_name=display_name or username.strip(),
                role=role,
                source=Source.OIDC,
                scope=scope,
            )
            if user_id is None:  # created by a sign-in at the same moment on another node
                raise Conflict("That account is being created; sign in again.", code="conflict")
            account = await repository.find_by_id(db, user_id)
            assert account is not None
            await record(
                db, action="user.create", actor="oidc", target=f"user:{user_id}", after=account
            )
            return account
        before = stored.account
        if before.source is not Source.OIDC:
            raise Conflict(
                f"A local account is named {before.username}; the identity provider's "
                "person cannot take it over.",
                code="username_taken",
            )
        if before.disabled:
            raise _failed()
        changes = {"display_name": display_name or before.display_name, "role": role}
        await repository.update(db, before.id, scope=scope, **changes)
        after = await repository.find_by_id(db, before.id)
        assert after is not None
        if after != before:
            await record(
                db,
                action="user.update",
                actor="oidc",
                target=f"user:{before.id}",
                before=before,
                after=after,
            )
        return after


async def sign_in(db: Database, settings: Settings, form: SignIn, *, address: str) -> Account:
    """The account whose password (and code) these are; raises SignInFailed, `code_required`
    or AccountLocked, each after its attempt is stored and audited."""
    now = dt.datetime.now(dt.UTC)
    stored = await repository.find(db, form.username)
    if stored is not None and _locked_for_s(stored, now) > 0:
        raise AccountLocked(_locked_for_s(stored, now))
    usable = stored is not None and not stored.account.disabled
    password_hash = stored.password_hash if usable and stored is not None else None
    password_ok = await passwords.verify_in_thread(password_hash, form.password)
    if stored is None or not usable:
        async with db.write():
            await record(
                db,
                action="session.sign_in_failed",
                actor=f"unknown:{repository.canonical(form.username)[:120]}",
                outcome="refused",
                address=address,
                detail="unknown or disabled account",
            )
        raise _failed()
    outcome = await _settle(db, settings, stored.account.id, form, password_ok, address)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def _locked_for_s(stored: StoredUser, now: dt.datetime) -> float:
    if stored.locked_until is None:
        return 0.0
    return max(0.0, (stored.locked_until - now).total_seconds())


async def _settle(
    db: Database, settings: Settings, user_id: int, form: SignIn, password_ok: bool, address: str
) -> Account | ApiError:
    """Inside one write: re-read the account (another attempt may have locked it meanwhile),
    check the code, and store the count, the lock or the accepted step with the audit entry."""
    async with db.write():
        now = dt.datetime.now(dt.UTC)
        stored = await repository.find(db, form.username, for_update=True)
        if stored is None or stored.account.id != user_id or stored.account.disabled:
            return _failed()
        if _locked_for_s(stored, now) > 0:
            return AccountLocked(_locked_for_s(stored, now))
        account = stored.account
        needs_code = account.totp_required or account.role in totp_roles(settings)
        if password_ok and needs_code and not form.code:
            return code_required()
        step: int | None = None
        if password_ok and needs_code:
            step = _accepted_step(stored, form.code or "")
        if password_ok and (step is not None or not needs_code):
            changes: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
            if step is not None:
                changes["totp_last_step"] = step
            await repository.update(db, account.id, **changes)
            return account
        return await _count_failure(db, settings, stored, now, address)


def _accepted_step(stored: StoredUser, code: str) -> int | None:
    if stored.totp_secret is None:
        return None
    return totp.accepted_step(stored.totp_secret, code, stored.totp_last_step, time.time())


async def _count_failure(
    db: Database, settings: Settings, stored: StoredUser, now: dt.datetime, address: str
) -> ApiError:
    account = stored.account
    failures = stored.failed_attempts + 1
    lock_s = lockout.lock_for_s(failures, settings.login_max_failures, settings.login_lockout_s)
    locked_until = now + dt.timedelta(seconds=lock_s) if lock_s else None
    await repository.update(db, account.id, failed_attempts=failures, locked_until=locked_until)
    target = f"user:{account.id}"
    await record(
        db,
        action="session.sign_in_failed",
        actor=actor_of(account),
        target=target,
        outcome="refused",
        address=address,
        detail=f"{failures} in a row",
    )
    if not lock_s:
        return _failed()
    await record(
        db,
        action="session.locked",
        actor=actor_of(account),
        target=target,
        address=address,
        detail=f"locked for {lock_s:.0f} s after {failures} failures in a row",
    )
    return AccountLocked(lock_s)


async def list_users(db: Database) -> list[Account]:
    return await repository.listed(db)


async def _local_user(db: Database, username: str) -> StoredUser:
    stored = await repository.find(db, username, for_update=True)
    if stored is None:
        raise NotFound(
            f"There is no user named {repository.canonical(username)}.", code="user_not_found"
        )
    return stored


async def disable_user(db: Database, username: str, *, actor: str = "cli") -> list[int]:
    """Disable an account and revoke its sessions (their sockets close on every node)."""
    async with db.write():
        stored = await _local_user(db, username)
        await repository.update(db, stored.account.id, disabled=True)
        revoked = await tokens.revoke_sessions_of(db, stored.account.id)
        announce_revoked(db, revoked)
        await record(
            db,
            action="user.disable",
            actor=actor,
            target=f"user:{stored.account.id}",
            detail=f"{len(revoked)} sessions ended",
        )
    forget(revoked)
    return revoked


async def reset_totp(db: Database, username: str) -> NewSecret:
    """A new TOTP secret (shown once); the old one stops working at once."""
    secret = totp.new_secret()
    async with db.write():
        stored = await _local_user(db, username)
        await repository.update(
            db, stored.account.id, totp_secret=secret, totp_required=True, totp_last_step=None
        )
        await record(db, action="user.reset_totp", actor="cli", target=f"user:{stored.account.id}")
    account = msgspec.structs.replace(stored.account, totp_required=True)
    return NewSecret(account=account, totp_secret=secret)


async def set_password(db: Database, username: str, password: str) -> None:
    """A new password; the account's lock and failure count are cleared."""
    _check_password(password)
    password_hash = await passwords.hash_in_thread(password)
    async with db.write():
        stored = await _local_user(db, username)
        if stored.account.source is not Source.LOCAL:
            raise BadRequest(
                f"{stored.account.username} signs in through the identity provider; its "
                "password is kept there.",
                code="not_local_user",
            )
        await repository.update(
            db,
            stored.account.id,
            password_hash=password_hash,
            failed_attempts=0,
            locked_until=None,
        )
        await record(
            db, action="user.set_password", actor="cli", target=f"user:{stored.account.id}"
        )
