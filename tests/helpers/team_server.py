"""A team project on a password-checking PostgreSQL cluster (``databases.scram_cluster``), for tests of
what each person's own login may do."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling import claims, log
from moderator.core.store.engine import open_database
from moderator.core.team import logins

PEOPLE = (("ana", "annotator"), ("bo", "annotator"), ("rita", "reviewer"), ("adam", "admin"))


class Team:
    """A project database owned by a lead (CREATEROLE), set up as a team with a login per person."""

    def __init__(self, cluster):
        tag = uuid.uuid4().hex[:6]
        self.cluster = cluster
        self.names = {role: f"{role}_{tag}" for role in ("lead", "ana", "bo", "rita", "adam")}
        self.passwords = {name: f"pw-{name}-{uuid.uuid4().hex[:8]}" for name in self.names.values()}
        self.database = f"project_{tag}"
        lead = self.names["lead"]
        with self.superuser("postgres") as su:
            su.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(lead), sql.Literal(self.passwords[lead])))  # fmt: skip
            su.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(self.database), sql.Identifier(lead)))
        self.owner = open_database(self.url("lead"))

    def superuser(self, database: str | None = None) -> psycopg.Connection:
        return psycopg.connect(**self.params("postgres", self.cluster.password, database), autocommit=True)

    def params(self, user: str, password: str | None, database: str | None = None) -> dict:
        return {"host": "127.0.0.1", "port": self.cluster.port, "user": user, "password": password or "",
                "dbname": database or self.database}  # fmt: skip

    def url(self, who: str, password: str | None = None, *, with_password: bool = True):
        """The person's URL: with their password (or ``password``), or with none at all."""
        name = self.names[who]
        url = make_url(f"postgresql+psycopg://127.0.0.1:{self.cluster.port}/{self.database}").set(username=name)
        return url.set(password=password or self.passwords[name]) if with_password else url

    def engine(self, who: str):
        return open_database(self.url(who))

    def sql(self, who: str) -> psycopg.Connection:
        """A plain SQL client with this person's own login, as psql would be."""
        name = self.names[who]
        return psycopg.connect(**self.params(name, self.passwords[name]), autocommit=True)

    def drop(self) -> None:
        self.owner.dispose()
        with self.superuser("postgres") as su:
            su.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            for name in self.names.values():
                su.execute(f'DROP ROLE IF EXISTS "{name}"')
            for group in ("annotators", "reviewers", "admins"):
                su.execute(f'DROP ROLE IF EXISTS "{self.database}_{group}"')


def make_team(cluster, comments: int = 6) -> Team:
    """A lead's project of one thread, set up as a team (k = 1) with ana, bo (annotators), rita (reviewer)
    and adam (admin), each with a login and password of their own."""
    team = Team(cluster)
    try:
        drafts = [ThreadDraft(source="t", title="Bridge",
                              comments=[CommentDraft(f"comment {i}", author=f"user{i}") for i in range(comments)])]  # fmt: skip
        import_drafts(team.owner, drafts, name="bridge", fmt="t")
        logins.setup_team(team.owner)
        log.active_schema(team.owner)
        claims.configure(team.owner, overlap=1)
        for who, role in PEOPLE:
            name = team.names[who]
            logins.add_login(team.owner, name, role, team.passwords[name])
    except BaseException:
        team.drop()
        raise
    return team


DENIED = "42501"  # insufficient privilege, or a row a policy refuses


def refused(connection: psycopg.Connection, statement: str, params=None, code: str = DENIED) -> str:
    """Run ``statement`` as that connection's login and check the server refuses it with ``code``."""
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(statement, params)
    assert caught.value.sqlstate == code, f"{statement}: {caught.value.sqlstate} {caught.value}"
    return str(caught.value)
