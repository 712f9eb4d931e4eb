"""Entity names (a contract) mapped to fideslang data categories and a sensitivity tier."""

from __future__ import annotations

from custos.discovery.model import Sensitivity

S, P = Sensitivity.SENSITIVE, Sensitivity.PERSONAL

# fideslang default taxonomy names; checked against the installed package in the tests.
ENTITY_CATEGORIES: dict[str, tuple[str, Sensitivity]] = {
    "CN_RESIDENT_ID": ("user.government_id.national_identification_number", S),
    "CN_MOBILE": ("user.contact.phone_number", P),
    "CN_LANDLINE": ("user.contact.phone_number", P),
    "BANK_CARD": ("user.financial.bank_account", S),
    # A USCC names an organisation; for sole traders it identifies the person behind it.
    "CN_USCC": ("user.government_id", P),
    "CN_PASSPORT": ("user.government_id.passport_number", S),
    "CN_HK_MACAO_PERMIT": ("user.government_id.immigration", S),
    "CN_LICENSE_PLATE": ("user.government_id.vehicle_registration", P),
    "EMAIL_ADDRESS": ("user.contact.email", P),
    "PHONE_NUMBER": ("user.contact.phone_number", P),
    "IP_ADDRESS": ("user.device.ip_address", P),
    "IBAN_CODE": ("user.financial.bank_account", S),
    "US_SSN": ("user.government_id.national_identification_number", S),
    "DATE_OF_BIRTH": ("user.demographic.date_of_birth", P),
    "PERSON": ("user.name", P),
    "CN_ADDRESS": ("user.contact.address", P),
}

DEFAULT_CATEGORY = ("user", P)


def category_of(entity: str) -> str:
    return ENTITY_CATEGORIES.get(entity, DEFAULT_CATEGORY)[0]


def sensitivity_of(entity: str) -> Sensitivity:
    return ENTITY_CATEGORIES.get(entity, DEFAULT_CATEGORY)[1]


def register_category(entity: str, category: str, sensitivity: Sensitivity = P) -> None:
    """Custom recognizers declare their own entity's category."""
    ENTITY_CATEGORIES.setdefault(entity, (category, sensitivity))
