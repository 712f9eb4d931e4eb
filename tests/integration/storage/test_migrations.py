"""Migrations: the migrated schema is exactly the tables' metadata, and 0010 (subject row
keys) carries real encrypted subjects down and up again with nothing lost."""

from __future__ import annotations

import hmac
import sqlite3
from contextlib import closing

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from custos.bootstrap import Container
from custos.storage.migrations import alembic_config
from custos.storage.repositories.vault import unpack_tags
from custos.storage.tables import metadata
from custos.storage.tables.vault import key_rotations
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

OPERATOR = PrivacyContext("tester", "account_management", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)


def _schema_differences(container: Container) -> list[object]:
    with container.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def _create(container: Container, n: int) -> list[str]:
    return [
        container.vault.create(
            OPERATOR,
            NewSubject({"full_name": f"Person {i}", "email": f"p{i}@example.com"}),
        )
        for i in range(n)
    ]


def test_migrated_schema_matches_the_tables(container: Container) -> None:
    assert _schema_differences(container) == []


@pytest.mark.backends("sqlite")
def test_sqlite_layout_of_the_subject_tables(container: Container) -> None:
    database = container.engine.url.database
    assert database is not None
    with closing(sqlite3.connect(database)) as conn:
        sql = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        # `pk` is the rowid itself: no index of its own, only the unique index on `id`
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(subjects)")]
    assert "WITHOUT ROWID" in sql["blind_index"]
    assert indexes == ["sqlite_autoindex_subjects_1"]


def test_subject_row_keys_down_and_up_keep_every_subject(container: Container) -> None:
    ids = _create(container, 5)
    container.erasure.erase("tester", ids[0], "data_subject_request")
    config = alembic_config(container.engine)

    command.downgrade(config, "0009")
    assert _schema_differences(container) != []  # the check sees an old schema
    columns = {c["name"] for c in inspect(container.engine).get_columns("blind_index")}
    assert columns == {"field", "digest", "subject_id"}
    with container.engine.connect() as conn:
        keyed = conn.exec_driver_sql("SELECT count(*) FROM subject_keys").scalar_one()
        indexed = conn.exec_driver_sql(
            "SELECT count(DISTINCT subject_id) FROM blind_index"
        ).scalar_one()
        conn.execute(  # a rotation interrupted under the old schema: its cursor was an id
            insert(key_rotations).values(
                to_version=2, started_at=container.clock.now(), cursor=ids[3], rewrapped=3
            )
        )
        conn.commit()
    assert (keyed, indexed) == (4, 4)  # the erased subject has neither

    command.upgrade(config, "head")
    container.engine.dispose()
    assert _schema_differences(container) == []
    for i, sid in enumerate(ids[1:], start=1):
        view = container.vault.get(SUPPORT, sid, ["email"])
        assert view.fields == {"email": f"p{i}@example.com"}
        found = container.vault.find(SUPPORT, "email", f"P{i}@example.com")
        assert [v.id for v in found] == [sid]
    assert container.vault.find(SUPPORT, "email", "p0@example.com") == []
    with container.engine.connect() as conn:
        cursors = conn.execute(select(key_rotations.c.cursor)).scalars().all()
    assert cursors == [""]  # restarts from the beginning; re-wrapped keys are skipped
    assert container.audit.verify(container.engine).ok
    assert len(_create(container, 2)) == 2  # new subjects get fresh row keys after the copy


def test_blind_index_tags_upgrade_from_full_digests(container: Container) -> None:
    """A 0011 database holds (field name, 32-byte HMAC) entries; 0012 turns them into
    (field number, first 64 bits) and every search still finds its subject."""
    ids = _create(container, 4)
    config = alembic_config(container.engine)
    command.downgrade(config, "0011")
    columns = {c["name"] for c in inspect(container.engine).get_columns("blind_index")}
    assert columns == {"field", "digest", "subject_pk"}
    key = container.keyring.index_key("email")
    with container.engine.begin() as conn:  # what revision 0011's code wrote: whole digests
        conn.exec_driver_sql("DELETE FROM blind_index")
        for i, sid in enumerate(ids):
            full = hmac.digest(key, f"p{i}@example.com".encode(), "sha256")
            conn.execute(
                text(
                    "INSERT INTO blind_index (field, digest, subject_pk) "
                    "SELECT 'email', :d, pk FROM subjects WHERE id = :s"
                ),
                {"d": full, "s": sid},
            )

    command.upgrade(config, "head")
    container.engine.dispose()
    assert _schema_differences(container) == []
    with container.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM index_fields").scalars().all()
        count = conn.exec_driver_sql("SELECT count(*) FROM blind_index").scalar_one()
    assert (names, count) == (["email"], 4)
    for i, sid in enumerate(ids):
        assert [v.id for v in container.vault.find(SUPPORT, "email", f"p{i}@example.com")] == [sid]


def test_blind_index_tags_down_and_up_give_back_the_same_index(container: Container) -> None:
    _create(container, 3)
    query = (
        "SELECT f.name, b.tag, s.id FROM blind_index b JOIN index_fields f ON f.id = b.field "
        "JOIN subjects s ON s.pk = b.subject_pk ORDER BY s.id"
    )
    with container.engine.connect() as conn:
        before = conn.exec_driver_sql(query).all()
    config = alembic_config(container.engine)
    command.downgrade(config, "0011")
    with container.engine.connect() as conn:
        lengths = conn.exec_driver_sql("SELECT length(digest) FROM blind_index").scalars().all()
    assert lengths == [8, 8, 8]  # the tags, kept as 8-byte digests
    command.upgrade(config, "head")
    container.engine.dispose()
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(query).all() == before


def test_subject_index_tags_are_filled_from_the_entries_and_taken_back(
    container: Container,
) -> None:
    """0013 lists each subject's entries on its row and drops the subject index and foreign
    key; down and up again gives back the same lists, and searching still works."""
    ids = _create(container, 3)
    container.vault.update(OPERATOR, ids[1], {"email": ""})  # one subject without an entry
    two = {"full_name": "Two Entries", "email": "two@example.com", "mobile": "13800138000"}
    ids.append(container.vault.create(OPERATOR, NewSubject(two)))
    query = "SELECT id, index_tags FROM subjects ORDER BY id"

    def lists() -> list[tuple[str, list[tuple[int, int]]]]:
        # as sets of entries: the migration packs them sorted, the vault in value order
        with container.engine.connect() as conn:
            rows = conn.exec_driver_sql(query).all()
        return [(i, sorted(unpack_tags(t))) for i, t in rows]

    before = lists()
    assert [len(e) for _, e in before] == [{ids[1]: 0, ids[3]: 2}.get(sid, 1) for sid, _ in before]
    config = alembic_config(container.engine)

    command.downgrade(config, "0012")
    container.engine.dispose()
    assert "index_tags" not in {
        c["name"] for c in inspect(container.engine).get_columns("subjects")
    }
    indexes = {i["name"] for i in inspect(container.engine).get_indexes("blind_index")}
    assert "ix_blind_index_subject_pk" in indexes
    keys = inspect(container.engine).get_foreign_keys("blind_index")
    assert {k["referred_table"] for k in keys} == {"index_fields", "subjects"}
    key_indexes = {i["name"] for i in inspect(container.engine).get_indexes("subject_keys")}
    assert "ix_subject_keys_kek_version" in key_indexes

    command.upgrade(config, "head")
    container.engine.dispose()
    assert _schema_differences(container) == []
    assert lists() == before
    for i in (0, 2):
        assert [v.id for v in container.vault.find(SUPPORT, "email", f"p{i}@example.com")] == [
            ids[i]
        ]
    container.erasure.erase("tester", ids[0], "data_subject_request")
    assert container.vault.find(SUPPORT, "email", "p0@example.com") == []
