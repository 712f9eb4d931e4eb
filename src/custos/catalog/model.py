"""The catalog's domain model: organisation, subjects, purposes, fields, roles (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"  # PIPL Art. 28 sensitive personal information: needs separate consent


class FieldType(StrEnum):
    STRING = "string"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    JSON = "json"


class Mask(StrEnum):
    NONE = "NONE"
    MASK = "MASK"
    MASK_SHOW_LAST_4 = "MASK_SHOW_LAST_4"
    MASK_SHOW_FIRST_4 = "MASK_SHOW_FIRST_4"
    MASK_HASH = "MASK_HASH"
    MASK_NULL = "MASK_NULL"
    MASK_DATE_SHOW_YEAR = "MASK_DATE_SHOW_YEAR"


class LegalBasis(StrEnum):
    """One name per lawful basis; `LEGAL_BASIS_ARTICLES` gives its article in each law."""

    CONSENT = "consent"
    CONTRACT = "contract"
    HR_MANAGEMENT = "hr_management"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_INTEREST = "public_interest"
    LEGITIMATE_INTERESTS = "legitimate_interests"
    PUBLICLY_AVAILABLE = "publicly_available"
    OTHER_LAW = "other_law"


class Jurisdiction(StrEnum):
    GDPR = "gdpr"
    PIPL = "pipl"


# Where each basis stands in GDPR Art. 6(1) and PIPL Art. 13; None means that law has no such
# basis (PIPL has no "legitimate interests"; GDPR has no "publicly available" basis).
LEGAL_BASIS_ARTICLES: dict[LegalBasis, dict[Jurisdiction, str | None]] = {
    LegalBasis.CONSENT: {Jurisdiction.GDPR: "Art. 6(1)(a)", Jurisdiction.PIPL: "Art. 13(1)(1)"},
    LegalBasis.CONTRACT: {Jurisdiction.GDPR: "Art. 6(1)(b)", Jurisdiction.PIPL: "Art. 13(1)(2)"},
    LegalBasis.HR_MANAGEMENT: {Jurisdiction.GDPR: None, Jurisdiction.PIPL: "Art. 13(1)(2)"},
    LegalBasis.LEGAL_OBLIGATION: {
        Jurisdiction.GDPR: "Art. 6(1)(c)",
        Jurisdiction.PIPL: "Art. 13(1)(3)",
    },
    LegalBasis.VITAL_INTERESTS: {
        Jurisdiction.GDPR: "Art. 6(1)(d)",
        Jurisdiction.PIPL: "Art. 13(1)(4)",
    },
    LegalBasis.PUBLIC_INTEREST: {
        Jurisdiction.GDPR: "Art. 6(1)(e)",
        Jurisdiction.PIPL: "Art. 13(1)(5)",
    },
    LegalBasis.LEGITIMATE_INTERESTS: {Jurisdiction.GDPR: "Art. 6(1)(f)", Jurisdiction.PIPL: None},
    LegalBasis.PUBLICLY_AVAILABLE: {Jurisdiction.GDPR: None, Jurisdiction.PIPL: "Art. 13(1)(6)"},
    LegalBasis.OTHER_LAW: {Jurisdiction.GDPR: None, Jurisdiction.PIPL: "Art. 13(1)(7)"},
}


@dataclass(frozen=True, slots=True)
class Text:
    """A text a person reads, in both languages the product speaks."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Organization:
    name: str
    jurisdictions: tuple[Jurisdiction, ...]
    contact_email: str | None = None


@dataclass(frozen=True, slots=True)
class DataSubjectType:
    key: str  # fideslang data subject, e.g. "customer"
    name: Text


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One declared personal-data field; nothing undeclared is ever stored."""

    name: str
    category: str  # fideslang data category, e.g. "user.contact.email"
    sensitivity: Sensitivity
    type: FieldType
    format: str  # name of a format validator, e.g. "email", "cn_resident_id", "text"
    searchable: bool
    default_mask: Mask
    label: Text
    max_length: int = 256


@dataclass(frozen=True, slots=True)
class Purpose:
    key: str
    data_use: str  # fideslang data use, e.g. "marketing.communications.email"
    legal_basis: LegalBasis
    description: Text
    retention: timedelta
    retention_iso: str  # as declared, e.g. "P5Y"
    fields: tuple[str, ...]
    legal_claims: bool = False  # survives a restriction (GDPR Art. 18(2))


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    name: Text
    purposes: tuple[str, ...]
    masks: dict[str, Mask]  # field -> mask for this role; a field not listed is not visible
    privileged: bool = False
    max_subjects_per_query: int = 100
    max_subjects_per_day: int = 1000


class RetentionTrigger(StrEnum):
    """The moment a retention period starts counting."""

    COLLECTION = "collection"  # the subject's record was created
    LAST_ACTIVITY = "last_activity"  # the last write to the record
    CHURN = "churn"  # the customer left (a lifecycle event recorded for the subject)
    CONTRACT_END = "contract_end"  # the contract ended (a lifecycle event)


class RetentionAction(StrEnum):
    ERASE = "erase"  # crypto-shred (the whole subject, or only the rule's fields)
    ANONYMISE = "anonymise"  # keep a de-identified residue without any link to the person


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Keep `fields` no longer than `after` from `trigger`, then apply `action`."""

    key: str
    description: Text
    fields: tuple[str, ...]  # resolved from the rule's purpose, categories or field list
    trigger: RetentionTrigger
    after: timedelta
    after_iso: str
    action: RetentionAction


@dataclass(frozen=True, slots=True)
class LegalHold:
    """Fields under a statutory retention duty: kept through erasure, for `purpose` only.

    PIPL Art. 47 and GDPR Art. 17(3)(b): where a law requires keeping data (transaction
    records under anti-money-laundering law, for instance), erasure stops every other use
    and keeps the data stored and secured, readable only for the legal-hold purpose, until
    `duration` after the erasure.
    """

    key: str
    basis: Text  # the law that requires keeping, as told to the customer
    fields: tuple[str, ...]
    purpose: str
    duration: timedelta
    duration_iso: str


@dataclass(frozen=True, slots=True)
class Catalog:
    organization: Organization
    data_subjects: tuple[DataSubjectType, ...]
    purposes: dict[str, Purpose]
    fields: dict[str, FieldSpec]
    roles: dict[str, Role] = field(default_factory=dict)
    retention_rules: dict[str, RetentionRule] = field(default_factory=dict)
    legal_holds: dict[str, LegalHold] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    def purpose(self, key: str) -> Purpose | None:
        return self.purposes.get(key)

    @property
    def searchable_fields(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.fields.items() if spec.searchable)

    @property
    def held_fields(self) -> dict[str, LegalHold]:
        """Each field under a legal hold, with its hold."""
        return {name: hold for hold in self.legal_holds.values() for name in hold.fields}


@dataclass(frozen=True, slots=True)
class SectionChanges:
    """Names added, removed and changed in one section (fields, purposes or roles)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """What one catalog version changed compared with the version before it."""

    fields: SectionChanges = SectionChanges()
    purposes: SectionChanges = SectionChanges()
    roles: SectionChanges = SectionChanges()
    retention_rules: SectionChanges = SectionChanges()
    legal_holds: SectionChanges = SectionChanges()
    organization_changed: bool = False
    data_subjects_changed: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.fields
            or self.purposes
            or self.roles
            or self.retention_rules
            or self.legal_holds
            or self.organization_changed
            or self.data_subjects_changed
        )


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    """One applied catalog version as kept in the version history."""

    version: int
    sha256: str
    applied_at: datetime
    applied_by: str
    summary: ChangeSummary
    document: str


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """The outcome of applying a document: the current version and whether it is new."""

    version: int
    changed: bool
    sha256: str
    summary: ChangeSummary
