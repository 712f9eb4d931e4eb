"""Default operator per catalog data category (fideslang), and the category of PII entities."""

from __future__ import annotations

from custos.deid.model import OperatorSpec

# The most specific category wins; a category inherits its parent's default.
# Reversible operators are never a default: pseudonymising needs a deliberate domain choice.
CATEGORY_DEFAULTS: dict[str, OperatorSpec] = {
    "user": OperatorSpec("redact"),
    "user.name": OperatorSpec("mask", {"keep": 1, "from": "end"}),
    "user.contact.email": OperatorSpec("replace", {"value": "<EMAIL>"}),
    "user.contact.phone_number": OperatorSpec("mask", {"count": 4, "from": "end"}),
    "user.contact.address": OperatorSpec("suppress"),
    "user.contact.address.city": OperatorSpec("replace", {"value": "<CITY>"}),
    "user.contact.address.postal_code": OperatorSpec("mask", {"count": 3, "from": "end"}),
    "user.contact.address.country": OperatorSpec("replace", {"value": "<COUNTRY>"}),
    "user.demographic.date_of_birth": OperatorSpec("generalize", {"kind": "date", "unit": "year"}),
    "user.demographic.age_range": OperatorSpec("generalize", {"kind": "bins", "width": 10}),
    "user.government_id": OperatorSpec("mask", {"keep": 4, "from": "start"}),
    "user.financial": OperatorSpec("mask", {"keep": 4, "from": "start"}),
    "user.device.ip_address": OperatorSpec("mask", {"count": 4, "from": "end"}),
    "user.location.precise": OperatorSpec("suppress"),
    "user.health_and_medical": OperatorSpec("suppress"),
    "user.biometric": OperatorSpec("suppress"),
    "user.authorization": OperatorSpec("redact"),
}

# Entity names used by recognizers (Presidio's and Custos's own) mapped to catalog categories.
ENTITY_CATEGORIES: dict[str, str] = {
    "PERSON": "user.name",
    "EMAIL_ADDRESS": "user.contact.email",
    "EMAIL": "user.contact.email",
    "PHONE_NUMBER": "user.contact.phone_number",
    "CN_PHONE": "user.contact.phone_number",
    "CN_MOBILE": "user.contact.phone_number",
    "LOCATION": "user.contact.address",
    "ADDRESS": "user.contact.address",
    "STREET_ADDRESS": "user.contact.address.street",
    "CITY": "user.contact.address.city",
    "ZIP_CODE": "user.contact.address.postal_code",
    "DATE_OF_BIRTH": "user.demographic.date_of_birth",
    "CREDIT_CARD": "user.financial.credit_card",
    "IBAN_CODE": "user.financial.bank_account",
    "BANK_CARD": "user.financial.bank_account",
    "CN_BANK_CARD": "user.financial.bank_account",
    "US_SSN": "user.government_id.national_identification_number",
    "CN_ID_CARD": "user.government_id.national_identification_number",
    "CN_RESIDENT_ID": "user.government_id.national_identification_number",
    "NATIONAL_ID": "user.government_id.national_identification_number",
    "PASSPORT": "user.government_id.passport_number",
    "US_PASSPORT": "user.government_id.passport_number",
    "US_DRIVER_LICENSE": "user.government_id.drivers_license_number",
    "IP_ADDRESS": "user.device.ip_address",
    "CN_LANDLINE": "user.contact.phone_number",
    "CN_PASSPORT": "user.government_id.passport_number",
    "CN_HK_MACAO_PERMIT": "user.government_id.immigration",
    "CN_LICENSE_PLATE": "user.government_id.vehicle_registration",
    "CN_USCC": "user.government_id",
    "CN_ADDRESS": "user.contact.address",
}

# In free text a date of birth comes in any format, so its table default (ISO date
# truncation) would fail on 1990年5月17日; text replaces it instead.
TEXT_ENTITY_DEFAULTS: dict[str, OperatorSpec] = {
    "DATE_OF_BIRTH": OperatorSpec("replace", {"value": "<DATE_OF_BIRTH>"}),
}


def for_category(category: str) -> OperatorSpec:
    """The default for `category`, walking up the taxonomy; unknown categories are redacted."""
    parts = category.split(".")
    while parts:
        spec = CATEGORY_DEFAULTS.get(".".join(parts))
        if spec is not None:
            return spec
        parts.pop()
    return CATEGORY_DEFAULTS["user"]


def for_entity(entity: str) -> OperatorSpec:
    """The default for a recognizer entity: its category's default, else `<ENTITY>` replacement."""
    special = TEXT_ENTITY_DEFAULTS.get(entity.upper())
    if special is not None:
        return special
    category = ENTITY_CATEGORIES.get(entity.upper())
    if category is None:
        return OperatorSpec("replace", {"value": f"<{entity}>"})
    return for_category(category)
