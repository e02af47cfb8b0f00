"""Accounts: roles, passwords that are never stored in the clear, and who may create whom."""

import pytest
from sqlalchemy import select

from moderator.core.store.engine import writer
from moderator.core.store.tables import Annotator
from moderator.core.team.accounts import AuthError, add_account, authenticate, ensure_annotator, list_accounts, team_mode


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
    assert [(a.name, a.role, a.access) for a in list_accounts(engine)] == [
        ("ana", "annotator", "password"), ("rita", "reviewer", "password"), ("root", "admin", "password")]  # fmt: skip


def test_ensure_annotator_finds_or_makes_one_row_per_name(engine):
    ana = ensure_annotator(engine, "ana")
    assert ensure_annotator(engine, "  ana ") == ana  # the same name, spaces dropped
    with writer(engine) as conn, conn.begin():  # inside a caller's transaction, as an import does
        assert ensure_annotator(conn, "ana", "admin") == ana
        bo = ensure_annotator(conn, "dataset/bo")
    assert bo != ana
    with engine.connect() as conn:
        roles = dict(conn.execute(select(Annotator.name, Annotator.role)).all())
    assert roles == {"ana": "annotator", "dataset/bo": "annotator"}  # an existing account keeps its role
    for name, role in (("  ", "annotator"), ("cy", "boss")):
        with pytest.raises(ValueError):
            ensure_annotator(engine, name, role)


def test_add_account_completes_an_account_made_on_first_use(engine):
    ana = ensure_annotator(engine, "ana")
    admin = add_account(engine, "root", "admin", "pw")
    assert add_account(engine, "ana", "reviewer", "pw2", by=admin).id == ana
    assert authenticate(engine, "ana", "pw2").role == "reviewer"
