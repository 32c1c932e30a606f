"""Personal data in free text: e-mail addresses, phone numbers, payment card numbers and IBANs
are replaced by `[EMAIL]`, `[PHONE]`, `[CARD]`, `[IBAN]`.

Numbers are redacted only when they are what they look like: card numbers must pass the Luhn
check, IBANs their country's length and the mod-97 check, phone numbers must be written the way
phone numbers are (international `+`/`00` prefix, or a national trunk `0`, or `(555) 123-4567`),
so order numbers, dates and amounts stay readable.
"""

from __future__ import annotations

import logging
import re

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
IBAN = "[IBAN]"

# Bounded parts and a start only where a local part can start: an unbounded pattern took
# minutes on a 200,000-character word (quadratic backtracking, found by the fuzz tests).
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
                    r"\.[^\W\d_]{2,24}(?![\w-])")
# 13-19 digits, optionally grouped by single spaces or dashes
_CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}(?![a-z0-9])", re.IGNORECASE)
_SEP = r"[ .\-/]?"
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)[1-9]\d{0,2}" + _SEP + r"(?:\(0?\d{1,4}\)" + _SEP + r")?\d{1,5}(?:" + _SEP
    + r"\d{1,5}){1,5}"  # +49 30 1234567, 0033 6 12 34 56 78, +1 (555) 123-4567
    r"|\(0?\d{2,5}\)" + _SEP + r"\d{2,5}(?:" + _SEP + r"\d{2,5}){0,3}"  # (555) 123-4567
    r"|0[1-9]\d{0,4}(?:[ .\-/]\d{2,8}){1,4}"  # 030 1234567, 06 12 34 56 78, 0171-1234567
    r"|0[1-9]\d{8,9}"  # 01711234567
    r"|[2-9]\d{2}-\d{3}-\d{4}"  # 555-123-4567
    r")(?!\w)"
)
# Lengths of IBANs by country (ISO 13616 registry); other prefixes are not IBANs.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    iban = iban.upper()
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _card_groups(groups: list[int]) -> bool:
    """Written as cards are: one run of digits, 4-4-4-4(-n) or Amex/Diners 4-6-5 / 4-6-4; not
    e.g. 20261121-163228, a timestamp that may pass the Luhn check by chance."""
    if len(groups) == 1:
        return True
    if groups[:2] == [4, 6] and len(groups) == 3:
        return groups[2] in (4, 5)
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


def _card(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    groups = [len(g) for g in re.split(r"[ -]", text)]
    # issuer numbers start with 2-6 (Mastercard, Amex/Diners, Visa, Mastercard, Discover/UnionPay)
    if (13 <= len(digits) <= 19 and digits[0] in "23456" and _card_groups(groups)
            and luhn_valid(digits)):
        return CARD
    return text


def _iban(match: re.Match[str]) -> str:
    """The match may run on into following words: keep the country's length of characters."""
    text = match.group()
    want = _IBAN_LENGTHS.get(text[:2].upper())
    if want is None:
        return text
    kept: list[str] = []
    end = 0
    while end < len(text) and len(kept) < want:
        if text[end] != " ":
            kept.append(text[end])
        end += 1
    if len(kept) != want or not iban_valid("".join(kept)):
        return text
    return IBAN + text[end:]


_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(c.isdigit() for c in text)
    international = text.startswith(("+", "00"))
    # E.164 allows 15 digits; national numbers have at least 9, dates (05.03.2024) at most 8
    if not (8 if international else 9) <= digits <= 15 or _DATE.fullmatch(text):
        return text
    return PHONE


def redact(text: str) -> str:
    """The text with personal data replaced; everything else is left as it was."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(_iban, text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)


_LABEL_VALUE = re.compile(r'(="(?:[^"\\]|\\.)*")')


def redact_exposition(text: str) -> str:
    """Prometheus text format with label values redacted (metric values are left alone)."""
    return _LABEL_VALUE.sub(lambda m: redact(m.group()), text)


class RedactingFormatter(logging.Formatter):
    """Wraps the configured formatter: whatever a log line holds is redacted as a whole,
    messages, extra fields and tracebacks alike."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))
