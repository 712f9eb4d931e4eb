"""The fideslang vocabulary: the names a catalog may use for categories, uses and subjects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Taxonomy:
    data_categories: frozenset[str]
    data_uses: frozenset[str]
    data_subjects: frozenset[str]


@cache
def default_taxonomy() -> Taxonomy:
    """fideslang's default taxonomy as plain name sets (loaded once: fideslang imports slowly)."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    def keys(items: Sequence[object]) -> frozenset[str]:
        return frozenset(
            str(getattr(item, "fides_key"))  # noqa: B009 - fideslang models are untyped here
            for item in items
            if getattr(item, "version_deprecated", None) is None
        )

    return Taxonomy(
        data_categories=keys(DEFAULT_TAXONOMY.data_category),
        data_uses=keys(DEFAULT_TAXONOMY.data_use),
        data_subjects=keys(DEFAULT_TAXONOMY.data_subject),
    )


# Categories that are sensitive personal information under PIPL Art. 28 (biometrics,
# specific identities, medical health, financial accounts, whereabouts, minors under 14)
# or that GB/T 35273 lists as such (identity document numbers, credentials).
PIPL_SENSITIVE_PREFIXES: tuple[str, ...] = (
    "user.biometric",
    "user.authorization.biometric",
    "user.authorization.credentials",
    "user.authorization.password",
    "user.childrens",
    "user.criminal_history",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
    "user.demographic.political_opinion",
    "user.demographic.race_ethnicity",
    "user.financial",
    "user.government_id",
    "user.health_and_medical",
    "user.location.precise",
)


def is_pipl_sensitive(category: str) -> bool:
    return any(
        category == prefix or category.startswith(prefix + ".")
        for prefix in PIPL_SENSITIVE_PREFIXES
    )
