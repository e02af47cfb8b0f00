"""Accounts: roles, passwords that are never stored in the clear, and who may create whom."""

import pytest
from sqlalchemy import select

from moderator.core.team.accounts import AuthError, add_account, authenticate, list_accounts, team_mode
from moderator.core.store.tables import Annotator


def test_solo_mode_needs_no_password(engine):
    assert not team_mode(engine)
    ana = add_account(engine, "ana", "annotator", None)
    assert authenticate(engine, "ana", None) == ana and not ana.sees_all


def test_team_mode_signs_in_with_a_hashed_password(engine):
    admin = add_account(engine, "root", "admin", "s3cret")
    assert team_mode(engine)
    with engine.connect() as conn:
        stored = conn.scalar(select(Annotator.password_hash).where(Annotator.name == "root"))
    assert "s3cret" not in stored and stored.startswith("scrypt$")
    assert authenticate(engine, "root", "s3cret") == admin
    with pytest.raises(AuthError, match="wrong password"):
        authenticate(engine, "root", "guess")
    with pytest.raises(AuthError, match="no account"):
        authenticate(engine, "nobody", "x")


def test_only_reviewers_and_admins_create_accounts_in_team_mode(engine):
    admin = add_account(engine, "root", "admin", "pw")
    with pytest.raises(AuthError):
        add_account(engine, "eve", "annotator", "pw")  # nobody signed in
    reviewer = add_account(engine, "rita", "reviewer", "pw", by=admin)
    ana = add_account(engine, "ana", "annotator", "pw", by=reviewer)
    with pytest.raises(AuthError, match="only an admin"):
        add_account(engine, "boss", "admin", "pw", by=reviewer)
    with pytest.raises(AuthError):
        add_account(engine, "bo", "annotator", "pw", by=ana)
    with pytest.raises(ValueError, match="already exists"):
        add_account(engine, "ana", "annotator", "pw", by=admin)
    assert [(a.name, a.role, a.has_password) for a in list_accounts(engine)] == [
        ("ana", "annotator", True), ("rita", "reviewer", True), ("root", "admin", True)]  # fmt: skip
