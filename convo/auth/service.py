"""Account logic as plain functions: passwords, one-time links, sign-in checks."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select, update

from convo.core import throttle
from convo.core import clock
from convo.extensions import db
from convo.models import AccountToken, Facilitator

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
SIGNIN_SCOPE = "signin"
SIGNIN_IP_SCOPE = "signin-ip"
SIGNIN_DEVICE_SCOPE = "signin-device"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def new_session_token() -> str:
    return secrets.token_hex(16)


def set_password(facilitator: Facilitator, password: str) -> None:
    """Set a password and end every session signed in with the old one."""
    facilitator.password_hash = hash_password(password)
    facilitator.session_token = new_session_token()


def check_password(facilitator: Facilitator, password: str) -> bool:
    if not facilitator.password_hash:
        return False
    try:
        return _hasher().verify(facilitator.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password isn't acceptable, or None.  (Long beats complicated: NCSC advice.)"""
    from flask_babel import gettext as _

    if len(password) < PASSWORD_MIN:
        return _("Use at least %(n)d characters. Three random words make a strong password.",
                 n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("Use at most %(n)d characters.", n=PASSWORD_MAX)
    if email and password.strip().lower() == email.strip().lower():
        return _("Your password can't be your email address.")
    return None


def create_facilitator(
    email: str, name: str, password: str | None = None, is_admin: bool = False
) -> Facilitator:
    facilitator = Facilitator(
        email=normalise_email(email),
        name=name.strip(),
        is_admin=is_admin,
        session_token=new_session_token(),
    )
    if password is not None:
        set_password(facilitator, password)
    db.session.add(facilitator)
    db.session.flush()
    return facilitator


# --- signing in -------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownDevice:
    """A browser where this account signed in before, from its signed known-device cookie."""

    facilitator_id: int
    key: str  # random, made at that sign-in: this browser's own failure count is kept under it


@dataclass(frozen=True)
class SignInResult:
    facilitator: Facilitator | None = None
    wait_seconds: int = 0


def _signin_policy() -> throttle.Policy:
    c = current_app.config
    return throttle.Policy(c["SIGNIN_SLOW_AFTER"], c["SIGNIN_LOCK_AFTER"],
                           c["SIGNIN_LOCK_MINUTES"], c["SIGNIN_WINDOW_MINUTES"])


def _ip_policy() -> throttle.Policy:
    c = current_app.config
    return throttle.Policy(c["SIGNIN_IP_LOCK_AFTER"], c["SIGNIN_IP_LOCK_AFTER"],
                           c["SIGNIN_LOCK_MINUTES"], c["SIGNIN_WINDOW_MINUTES"])


def sign_in(email: str, password: str, remote_addr: str,
            known: KnownDevice | None = None) -> SignInResult:
    """Check a sign-in.  Unknown email and wrong password look exactly the same to the caller.

    Failures are counted per account and per network address, and either can slow and then
    lock sign-ins.  A browser where this account signed in before (`known`, from its
    known-device cookie) is counted on its own instead: a flood of wrong passwords for the
    account, or of made-up accounts from the same address, can't lock its owner out there
    (OWASP's "device cookie"); its own wrong passwords slow and lock it alone."""
    email = normalise_email(email)
    facilitator = Facilitator.by_email(email)
    trusted = known is not None and facilitator is not None and (
        known.facilitator_id == facilitator.id)
    if trusted:
        assert known is not None
        wait = throttle.seconds_to_wait(SIGNIN_DEVICE_SCOPE, known.key)
    else:
        wait = max(throttle.seconds_to_wait(SIGNIN_SCOPE, email),
                   throttle.seconds_to_wait(SIGNIN_IP_SCOPE, remote_addr))
    if wait:
        return SignInResult(wait_seconds=wait)

    hasher = _hasher()
    ok = False
    if facilitator is not None and facilitator.password_hash:
        ok = check_password(facilitator, password)
    else:
        # Spend the same time as a real check, so timing doesn't reveal who has an account.
        try:
            hasher.verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass

    if not ok or facilitator is None or facilitator.disabled:
        if trusted:
            assert known is not None
            throttle.record_failure(SIGNIN_DEVICE_SCOPE, known.key, _signin_policy())
        else:
            throttle.record_failure(SIGNIN_SCOPE, email, _signin_policy())
            throttle.record_failure(SIGNIN_IP_SCOPE, remote_addr, _ip_policy())
        return SignInResult()

    if trusted:
        assert known is not None
        throttle.clear(SIGNIN_DEVICE_SCOPE, known.key)
    else:
        throttle.clear(SIGNIN_SCOPE, email)
    if hasher.check_needs_rehash(facilitator.password_hash or ""):
        facilitator.password_hash = hash_password(password)
    facilitator.last_signed_in_at = clock.utcnow()
    return SignInResult(facilitator=facilitator)


_DUMMY: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    c = current_app.config
    key = (c["ARGON2_TIME_COST"], c["ARGON2_MEMORY_COST"], c["ARGON2_PARALLELISM"])
    if key not in _DUMMY:
        _DUMMY[key] = _hasher().hash(secrets.token_hex(16))
    return _DUMMY[key]


# --- one-time links -----------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(purpose: str, hours: int, facilitator: Facilitator | None = None) -> str:
    """Create a one-time token; earlier unused tokens for the same purpose and person end."""
    now = clock.utcnow()
    owner = (
        AccountToken.facilitator_id == facilitator.id
        if facilitator is not None
        else AccountToken.facilitator_id.is_(None)
    )
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.purpose == purpose, AccountToken.used_at.is_(None), owner)
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(
        purpose=purpose,
        token_hash=_token_hash(raw),
        facilitator=facilitator,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    ))
    db.session.flush()
    return raw


def find_token(raw: str, purpose: str) -> AccountToken | None:
    """The live token for this raw value, or None (unknown, used, expired or wrong purpose)."""
    if not raw or len(raw) > 128:
        return None
    token = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _token_hash(raw))
    )
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= clock.utcnow():
        return None
    return token


def use_token(token: AccountToken) -> bool:
    """Mark a token used.  False if another request used it first (it is then not valid here)."""
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=clock.utcnow())
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def setup_needed() -> bool:
    return Facilitator.count() == 0


def issue_setup_token() -> str:
    return issue_token(AccountToken.PURPOSE_SETUP, current_app.config["SETUP_TOKEN_HOURS"])


def issue_password_link_token(facilitator: Facilitator) -> str:
    return issue_token(
        AccountToken.PURPOSE_PASSWORD, current_app.config["PASSWORD_LINK_HOURS"], facilitator
    )


def reset_password(facilitator: Facilitator) -> str:
    """An admin's reset: the old password stops working now, and a one-time link replaces it."""
    facilitator.password_hash = None
    facilitator.session_token = new_session_token()
    return issue_password_link_token(facilitator)
