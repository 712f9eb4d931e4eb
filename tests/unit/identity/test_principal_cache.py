"""PrincipalCache: entries live only as long as the epoch they were read at and their expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custos.identity.model import CredentialKind, Principal
from custos.identity.principal_cache import TOUCH_EVERY, Entry, PrincipalCache

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WHO = Principal("key:k", CredentialKind.API_KEY, ("finance",), account_id="a1")
KEY = Entry(WHO, 5, NOW + timedelta(days=1))
SESSION = Entry(WHO, 5, NOW + timedelta(hours=12), NOW, timedelta(minutes=30))


@pytest.mark.parametrize(
    ("entry", "epoch", "at", "hit"),
    [
        (KEY, 5, NOW, True),
        (KEY, 6, NOW, False),  # anything changed since: read again
        (KEY, None, NOW, False),  # no epoch row: never trust the cache
        (KEY, 5, NOW + timedelta(days=1), False),  # expired
        (SESSION, 5, NOW + TOUCH_EVERY - timedelta(seconds=1), True),
        (SESSION, 5, NOW + TOUCH_EVERY, False),  # time to record activity and re-check idleness
        (Entry(WHO, 5, NOW + timedelta(hours=1), NOW, timedelta(seconds=10)), 5,
         NOW + timedelta(seconds=10), False),  # idle timeout shorter than the touch interval
    ],
)  # fmt: skip
def test_hit_or_miss(entry: Entry, epoch: int | None, at: datetime, hit: bool) -> None:
    cache = PrincipalCache()
    cache.put(b"d", entry)
    assert (cache.get(b"d", epoch, at) is not None) is hit


def test_a_moved_epoch_empties_the_cache_and_refuses_older_reads() -> None:
    cache = PrincipalCache()
    cache.put(b"d", KEY)
    assert cache.get(b"d", 6, NOW) is None
    cache.put(b"d", KEY)  # read at epoch 5, after 6 was seen: not stored
    assert cache.get(b"d", 6, NOW) is None
    cache.put(b"d", Entry(WHO, 6, KEY.expires_at))
    assert cache.get(b"d", 6, NOW) == WHO


def test_bounded() -> None:
    cache = PrincipalCache(max_entries=2)
    for digest in (b"a", b"b", b"c"):
        cache.put(digest, KEY)
    assert cache.get(b"c", 5, NOW) == WHO
    assert cache.get(b"a", 5, NOW) is None
