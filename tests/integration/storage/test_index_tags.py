"""Each subject's `index_tags` lists exactly its blind-index entries, through every path that
adds or removes them: create, import, rectification, retention's field removal, erasure
one by one and in batches. Those paths delete entries by this list (there is no index on
`blind_index.subject_pk`), so a list out of step would leave a findable entry behind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from custos.bootstrap import Container
from custos.retention.field_erasure import FieldRemover, open_record
from custos.storage.repositories import vault as repo
from custos.storage.tables.vault import blind_index, subjects
from custos.vault.model import NewSubject, PrivacyContext

pytestmark = pytest.mark.backends("sqlite", "postgres")

ACCOUNT = PrivacyContext("tester", "account_management", operator=True)
SUPPORT = PrivacyContext("tester", "customer_support", operator=True)


def _entries(
    container: Container,
) -> tuple[Counter[tuple[int, int, int]], Counter[tuple[int, int, int]]]:
    """(what the subjects' lists say, what `blind_index` holds), as (pk, field, tag)."""
    with container.engine.connect() as conn:
        listed: Counter[tuple[int, int, int]] = Counter()
        for pk, packed in conn.execute(select(subjects.c.pk, subjects.c.index_tags)):
            listed.update((pk, n, t) for n, t in repo.unpack_tags(packed))
        table = Counter(
            (pk, n, t)
            for n, t, pk in conn.execute(
                select(blind_index.c.field, blind_index.c.tag, blind_index.c.subject_pk)
            )
        )
    return listed, table


def _assert_in_step(container: Container) -> int:
    listed, table = _entries(container)
    assert listed == table
    return sum(table.values())


def _create(container: Container, n: int) -> str:
    values = {
        "full_name": f"Person {n}",
        "email": f"p{n}@example.com",
        "mobile": f"1380013{n:04d}",
    }
    return container.vault.create(ACCOUNT, NewSubject(values))


def _found(container: Container, field: str, value: str) -> list[str]:
    return [view.id for view in container.vault.find(SUPPORT, field, value)]


def test_pack_and_unpack_are_inverse() -> None:
    entries = [(1, -(2**63)), (7, 2**63 - 1), (2**32 - 1, 0)]
    assert repo.unpack_tags(repo.pack_tags(entries)) == entries
    assert repo.pack_tags([]) is None
    assert repo.unpack_tags(None) == []


def test_create_and_rectify_keep_the_list_in_step(container: Container) -> None:
    ids = [_create(container, n) for n in range(3)]
    assert _assert_in_step(container) == 6  # email and mobile each

    container.vault.update(ACCOUNT, ids[0], {"email": "new@example.com"})
    assert _assert_in_step(container) == 6
    assert _found(container, "email", "p0@example.com") == []
    assert _found(container, "email", "NEW@example.com") == [ids[0]]

    container.vault.update(ACCOUNT, ids[1], {"mobile": ""})  # cleared: no entry left
    assert _assert_in_step(container) == 5
    assert _found(container, "mobile", "13800130001") == []

    container.vault.update(ACCOUNT, ids[1], {"mobile": "13800139999"})  # and a new one
    assert _assert_in_step(container) == 6
    assert _found(container, "mobile", "13800139999") == [ids[1]]


def test_retention_field_removal_drops_only_that_fields_entries(container: Container) -> None:
    ids = [_create(container, n) for n in range(4)]
    searchable = frozenset({"email", "mobile"})
    remover = FieldRemover(container.keyring, searchable)
    with container.uow() as uow:
        for sid, fields in (
            (ids[0], ("mobile",)),
            (ids[1], ("mobile",)),
            (ids[2], ("email", "mobile")),
        ):
            stored = repo.load(uow.conn, sid)
            assert stored is not None
            remover.remove(stored, open_record(container.keyring, stored), fields)
        remover.flush(uow.conn)
        uow.commit()
    assert _assert_in_step(container) == 8 - 4
    assert _found(container, "mobile", "13800130000") == []
    assert _found(container, "email", "p0@example.com") == [ids[0]]
    assert _found(container, "email", "p2@example.com") == []
    assert _found(container, "mobile", "13800130003") == [ids[3]]


def test_erasure_one_and_many_leave_no_entry(container: Container) -> None:
    ids = [_create(container, n) for n in range(5)]
    container.erasure.erase("tester", ids[0], "data_subject_request")
    assert _assert_in_step(container) == 8
    with container.uow() as uow:
        container.erasure.erase_many_in(uow, "tester", ids[1:3], "retention_expired", "sweep_1")
        uow.commit()
    assert _assert_in_step(container) == 4
    with container.engine.connect() as conn:
        erased = conn.execute(
            select(subjects.c.index_tags).where(subjects.c.id.in_(ids[:3]))
        ).scalars()
        assert list(erased) == [None, None, None]
    assert _found(container, "email", "p1@example.com") == []
    assert _found(container, "email", "p4@example.com") == [ids[4]]


def test_import_lists_each_subjects_entries(container: Container, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    rows = ["full_name,email,mobile"] + [
        f"P {n},i{n}@example.com,1390013{n:04d}" for n in range(50)
    ]
    rows.append("No Mobile,nomobile@example.com,")
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = container.importer().run(ACCOUNT, source)
    assert report.imported == 51
    assert _assert_in_step(container) == 101
    assert len(_found(container, "mobile", "13900130049")) == 1


def test_an_entry_left_behind_for_an_erased_subject_finds_nothing(container: Container) -> None:
    """Erasure deletes a subject's entries; one that survives anyway (hand-written SQL, an
    old backup's row) must neither find the erased subject nor make the search fail."""
    sid = _create(container, 1)
    with container.engine.connect() as conn:
        pk = conn.execute(select(subjects.c.pk).where(subjects.c.id == sid)).scalar_one()
        entries = conn.execute(
            select(blind_index.c.field, blind_index.c.tag).where(blind_index.c.subject_pk == pk)
        ).all()
    container.erasure.erase("tester", sid, "data_subject_request")
    with container.engine.begin() as conn:
        conn.execute(
            blind_index.insert(), [{"field": f, "tag": t, "subject_pk": pk} for f, t in entries]
        )
    assert _found(container, "email", "p1@example.com") == []


def test_a_record_is_not_written_onto_a_tombstone(container: Container) -> None:
    """A rectification that read the subject before an erasure committed must not store its
    record on the tombstone: `save_record` only writes a live subject, and says so."""
    sid = _create(container, 2)
    container.erasure.erase("tester", sid, "data_subject_request")
    with container.uow() as uow:
        written = repo.save_record(uow.conn, sid, b"late", container.clock.now())
        uow.commit()
    with container.engine.connect() as conn:
        record = conn.execute(select(subjects.c.record).where(subjects.c.id == sid)).scalar_one()
    assert (written, record) == (False, None)
