"""Redaction of e-mail addresses and phone numbers in questions kept for staff."""

import pytest

from bot.core.redact import redact


@pytest.mark.parametrize(
    "address",
    ["jean.dupont@example.fr", "anna+meta@mail.example.de", "x_y-z@sub.domain.co.uk"],
)
def test_email_addresses_are_removed(address):
    """No e-mail address survives, and the rest of the sentence does."""
    result = redact(f"Please write to {address} about my objection.")
    assert address not in result
    assert "@" not in result
    assert result.startswith("Please write to ")
    assert result.endswith(" about my objection.")


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "0151 23456789",
        "+49 151 23456789",
        "+49 (0)151 2345 6789",
        "0049 30 1234567",
        "+44 20 7946 0958",
        "+1 (555) 123-4567",
    ],
)
def test_phone_numbers_are_removed(number):
    """French, German and international formats disappear; no run of its digits is left."""
    result = redact(f"Call me on {number} please")
    assert result.startswith("Call me on ")
    assert result.endswith(" please")
    assert sum(ch.isdigit() for ch in result) == 0


def test_german_phone_number_with_slash_is_removed():
    """The common German style '0151/23456789' is a phone number too."""
    assert "23456789" not in redact("Meine Nummer: 0151/23456789")


@pytest.mark.parametrize(
    "text",
    [
        "I objected on 27.05.2025",
        "Regulation 2016/679",
        "the judgment C-252/21",
        "Art. 21 GDPR and Art. 6(1)(f)",
        "Directive (EU) 2020/1828",
        "on 2025-05-27",
        "I have 2 accounts and 300 photos",
    ],
)
def test_legal_references_and_dates_survive(text):
    """Dates, regulation and case numbers, and article numbers are not mistaken for phone numbers."""
    assert redact(text) == text


def test_both_in_one_message():
    """A message with an address and a number loses both but keeps its question."""
    result = redact("Mon mail: a.b@c.fr, tel 06 12 34 56 78. Meta a-t-elle le droit ?")
    assert "a.b@c.fr" not in result
    assert "12 34" not in result
    assert result.endswith("Meta a-t-elle le droit ?")
