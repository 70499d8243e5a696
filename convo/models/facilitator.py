"""Facilitator accounts and the one-time links that set their passwords."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

EMAIL_MAX = 254
NAME_MAX = 120


class Facilitator(UserMixin, db.Model):
    """A person with an account: prepares, runs and writes up conversations."""

    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # None until the person chooses a password through their one-time link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Changes whenever the password is set or reset, ending every other session.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[AccountToken]] = relationship(
        back_populates="facilitator", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[FacilitatorSession]] = relationship(
        back_populates="facilitator", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Facilitator {self.id} admin={self.is_admin} disabled={self.disabled}>"

    # Flask-Login: the session holds the id and the session token together.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return not self.disabled and self.password_hash is not None

    @staticmethod
    def count() -> int:
        return db.session.scalar(select(func.count()).select_from(Facilitator)) or 0

    @staticmethod
    def by_email(email: str) -> Facilitator | None:
        return db.session.scalar(select(Facilitator).where(Facilitator.email == email))


class AccountToken(db.Model):
    """A one-time link: set up the first account, or choose a password.

    Only a hash of the token is stored, so a copy of the database opens no accounts.
    """

    __tablename__ = "account_token"

    PURPOSE_SETUP = "setup"
    PURPOSE_PASSWORD = "password"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    facilitator: Mapped[Facilitator | None] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose} used={self.used_at is not None}>"


class FacilitatorSession(db.Model):
    """One sign-in on one browser, known on the server so that signing out ends it there.

    The browser's signed session cookie holds a random token; only its SHA-256 is kept here.
    Signing out deletes the row (a copy of the cookie then opens nothing), and a session
    unused for longer than SESSION_IDLE_MINUTES, or older than PERMANENT_SESSION_LIFETIME,
    no longer counts.
    """

    __tablename__ = "facilitator_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[Facilitator] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<FacilitatorSession {self.id} facilitator={self.facilitator_id}>"
