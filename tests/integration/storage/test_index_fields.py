"""Blind-index field numbers: assigned once, shared by concurrent writers, never reused."""

from __future__ import annotations

import threading

import pytest

from custos.bootstrap import Container
from custos.storage.repositories.vault import field_ids

pytestmark = pytest.mark.backends("sqlite", "postgres")


def test_numbers_are_assigned_once_and_kept(container: Container) -> None:
    with container.engine.begin() as conn:
        first = field_ids(conn, {"zz_a", "zz_b"})
    with container.engine.begin() as conn:
        again = field_ids(conn, {"zz_b", "zz_a", "zz_c"})
    assert {k: again[k] for k in first} == first
    assert len(set(again.values())) == 3


def test_two_writers_adding_the_same_new_field_get_one_number(container: Container) -> None:
    """PostgreSQL: a new number is committed on its own at once, so a writer in the middle of
    a long transaction holds no lock on it and a second writer finds it. SQLite: the second
    waits for the first's write lock, then finds it. Either way, one number."""
    postgres = container.engine.dialect.name == "postgresql"
    results: dict[str, int] = {}
    errors: list[BaseException] = []
    first = container.engine.connect()
    first.begin()
    results["first"] = field_ids(first, {"zz_new"})["zz_new"]

    def second_writer() -> None:
        try:
            with container.engine.begin() as conn:
                results["second"] = field_ids(conn, {"zz_new"})["zz_new"]
        except BaseException as error:  # reported to the test thread
            errors.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(5 if postgres else 0.5)
    assert thread.is_alive() is not postgres  # PostgreSQL: done while the first is open
    first.commit()
    first.close()
    thread.join(timeout=15)
    assert errors == []
    assert results["second"] == results["first"]


@pytest.mark.backends("postgres")
def test_a_new_number_outlives_the_transaction_that_asked_for_it(container: Container) -> None:
    with container.engine.connect() as conn:
        conn.begin()
        number = field_ids(conn, {"zz_kept"})["zz_kept"]
        conn.rollback()
    with container.engine.connect() as conn:
        assert field_ids(conn, {"zz_kept"}) == {"zz_kept": number}
