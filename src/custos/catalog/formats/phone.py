"""`phone`: any telephone number libphonenumber considers valid, stored as E.164."""

from __future__ import annotations

import phonenumbers

from custos.catalog.formats.base import Format, FormatError, fold_fullwidth
from custos.catalog.formats.cn_mobile import CnMobileFormat
from custos.catalog.formats.registry import register

# Without a leading "+" a number is read as Chinese: the operator's home region.
DEFAULT_REGION = "CN"
_MOBILE = CnMobileFormat()


@register
class PhoneFormat(Format):
    name = "phone"
    indexable = True
    max_input = 40

    def canonical(self, value: str) -> str:
        text = fold_fullwidth(value).strip()
        if not text:
            raise FormatError("empty")
        # Fast path for the commonest case, a mainland mobile: cn_mobile checks it against the
        # same libphonenumber plan ~20x faster and yields the same E.164 form; anything it
        # does not accept still goes through the full parser below.
        try:
            return _MOBILE.canonical(text)
        except FormatError:
            pass
        try:
            number = phonenumbers.parse(text, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            raise FormatError("unparseable") from None
        if not phonenumbers.is_valid_number(number):
            raise FormatError("not_a_valid_number")
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
