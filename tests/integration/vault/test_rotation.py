"""KEK rotation resumes after an interruption and leaves every record readable."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from custos.bootstrap import Container
from custos.demo.checkdigits import cn_mobile
from custos.storage.tables.vault import subject_keys
from custos.vault.model import NewSubject, PrivacyContext
from custos.vault.rotation import KeyRotation

pytestmark = pytest.mark.backends("sqlite", "postgres")

CTX = PrivacyContext("tester", "customer_support", operator=True)


class Interrupted(Exception):
    pass


def test_rotation_resumes(container: Container) -> None:
    import random

    rng = random.Random(2)
    ids = [
        container.vault.create(
            CTX, NewSubject({"email": f"r{i}@example.com", "mobile": cn_mobile(rng)})
        )
        for i in range(25)
    ]
    rotation = KeyRotation(
        container.uow, container.keyring, container.audit, container.clock, "tester", batch_size=10
    )

    def explode(_: int) -> None:
        raise Interrupted

    assert rotation.pending() == 25  # a new rotation re-wraps every key
    with pytest.raises(Interrupted):
        rotation.run(retire_old=True, on_batch=explode)
    assert rotation.pending() == 15  # one batch of 10 committed before the interruption
    report = rotation.run(retire_old=True)
    assert report.resumed and report.to_version == 2 and report.retired == (1,)
    with container.engine.connect() as conn:
        old = conn.execute(select(func.count()).where(subject_keys.c.kek_version != 2)).scalar_one()
    assert old == 0
    assert rotation.pending() == 25  # the next rotation would start over
    for i, sid in enumerate(ids):
        assert container.vault.get(CTX, sid, ["email"]).fields["email"] == f"r{i}@example.com"
    assert container.audit.verify(container.engine).ok
