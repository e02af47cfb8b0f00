"""Who someone is in a project: an account with a role, and the error for a sign-in or role refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class AuthError(PermissionError):
    """Wrong name or password, or a role that may not do this."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    # Signed in with a one-time password (team server): a password of their own comes first.
    must_change_password: bool = False
    # Signed in with their own login on a team server, where the database enforces the roles.
    team_server: bool = False

    @property
    def sees_all(self) -> bool:
        """Reviewers and admins see every annotator's labels; annotators only their own (blind)."""
        return self.role in ("reviewer", "admin")

    @property
    def trains_assist_model(self) -> bool:
        """Training reads every finished label and writes scores: on a team server a lead's window does it."""
        return self.sees_all or not self.team_server


@dataclass(frozen=True)
class AccountInfo:
    name: str
    role: str
    # "password" or "no password" (a one-person file); "login" or "disabled" (a team server's login)
    access: str
    created_at: datetime
