"""Support logic without Telegram: staff rights, ticket headers, the guided FAQ form, statistics."""

from __future__ import annotations

from pathlib import Path

from bot.core.i18n import t
from bot.settings import Settings
from bot.support import stats
from bot.support.faqform import FaqForm, first_question, slugify, summary
from bot.support.tickets import Sender, header, is_staff, split_draft_args, staff_allowed, ticket_number

GROUP = -1001234567890


def settings(**values: object) -> Settings:
    """Settings with a staff group and two staff members."""
    return Settings(_env_file=None, data_dir=Path("/tmp/unused"), support_chat_id=GROUP, staff_ids="7, 8",
                    **values)  # type: ignore[call-arg]


def test_staff_ids_are_read_from_a_comma_separated_list() -> None:
    """LEGALBOT_STAFF_IDS='7, 8' gives two staff members."""
    assert settings().staff_ids == frozenset({7, 8})
    assert is_staff(settings(), 7) and not is_staff(settings(), 9) and not is_staff(settings(), None)


def test_staff_commands_only_in_the_staff_group_or_a_staff_private_chat() -> None:
    """Staff anywhere else, or anyone else in the staff group, is refused."""
    s = settings()
    assert staff_allowed(s, 7, GROUP, "supergroup")
    assert staff_allowed(s, 7, 7, "private")
    assert not staff_allowed(s, 7, -100555, "supergroup")
    assert not staff_allowed(s, 9, GROUP, "supergroup")
    assert not staff_allowed(s, 9, 9, "private")


def test_header_is_anonymous_without_consent() -> None:
    """Number, language and topic; the name only once the user agreed."""
    ticket = {"id": 12, "lang": "de", "topic": "faq/object-deadline", "show_name": 0}
    sender = Sender("Ana", "Silva", "ana_s")
    text = header(ticket, "en", sender)
    assert "#12" in text and "de" in text and "faq/object-deadline" in text
    assert "Ana" not in text and "ana_s" not in text
    assert "Ana Silva (@ana_s)" in header({**ticket, "show_name": 1}, "en", sender)
    assert t("en", "support.staff.no_topic") in header({**ticket, "topic": ""}, "en")


def test_close_and_draft_arguments() -> None:
    """'/close 12', '/close #12', '/draft fr question'."""
    assert ticket_number(["12"]) == 12 and ticket_number(["#3"]) == 3
    assert ticket_number([]) is None and ticket_number(["abc"]) is None
    assert split_draft_args(["fr", "Puis-je", "m'opposer ?"], ("en", "fr", "de")) == ("fr", "Puis-je m'opposer ?")
    assert split_draft_args(["how", "do", "I", "object"], ("en", "fr", "de")) == (None, "how do I object")


def test_faq_form_walks_through_languages_answers_and_refs() -> None:
    """Questions per language ('-' skips one), an answer per language given, checked citation ids, then confirm."""
    form, known = FaqForm(), {"gdpr/art-21", "faq/how-to-object"}.__contains__
    assert form.accept("Can I object?\nHow do I object?", known, "en") is None
    assert form.accept("-", known, "en") is None
    assert form.accept("Kann ich widersprechen?", known, "en") is None
    assert form.current == ("answer", "en")
    assert form.accept("Yes, with Meta's form.", known, "en") is None
    assert form.accept("Ja, mit dem Formular.", known, "en") is None
    error = form.accept("gdpr/art-21, gdpr/art-999", known, "en")
    assert error and "gdpr/art-999" in error and form.current == ("refs", "")
    assert form.accept("gdpr/art-21 faq/how-to-object", known, "en") is None
    assert form.current is None
    entry = form.entry()
    assert entry == {"questions": {"en": ["Can I object?", "How do I object?"], "de": ["Kann ich widersprechen?"]},
                     "answers": {"en": "Yes, with Meta's form.", "de": "Ja, mit dem Formular."},
                     "refs": ["gdpr/art-21", "faq/how-to-object"]}
    assert "Yes, with Meta's form." in form.prompt("en") and first_question(entry) == "Can I object?"
    assert "gdpr/art-21" in summary(entry, "en")


def test_faq_form_needs_a_question_in_some_language() -> None:
    """Skipping all three languages starts over with English."""
    form = FaqForm()
    assert form.accept("-", str.isalpha, "en") is None
    assert form.accept("-", str.isalpha, "en") is None
    assert form.accept("-", str.isalpha, "en") is not None
    assert form.current == ("questions", "en")


def test_slugs_are_file_safe_and_unique() -> None:
    """Accents folded, words capped, numbered when taken."""
    assert slugify("Été : puis-je m'opposer après le 27 mai ?") == "ete-puis-je-m-opposer-apres"
    assert slugify("Can I object?", taken=["can-i-object"]) == "can-i-object-2"


def test_stats_report_has_counts_and_no_ids() -> None:
    """Per day and language, in-scope share, top sources, ratings, flows, sign-ups, open tickets."""
    rows = [
        {"day": "2025-06-01", "metric": "questions", "key": "en", "count": 3},
        {"day": "2025-06-02", "metric": "questions", "key": "fr", "count": 1},
        {"day": "2025-06-01", "metric": "in_scope", "key": "en", "count": 3},
        {"day": "2025-06-02", "metric": "out_of_scope", "key": "fr", "count": 1},
        {"day": "2025-06-01", "metric": "cited", "key": "gdpr/art-21", "count": 2},
        {"day": "2025-06-01", "metric": "rating", "key": "down", "count": 1},
        {"day": "2025-06-01", "metric": "flow_started", "key": "object", "count": 2},
        {"day": "2025-06-02", "metric": "flow_completed", "key": "object", "count": 1},
        {"day": "2025-06-02", "metric": "signup", "key": "FR", "count": 1},
    ]
    report = stats.build(rows, 30, open_tickets=2)
    assert report.questions == 4 and report.per_day == {"2025-06-01": 3, "2025-06-02": 1}
    text = stats.render(report, "en")
    for expected in ("en 3 · fr 1 · de 0", "75% of 4", "gdpr/art-21: 2", "👎 1", "object 2/1", "Sign-ups: 1",
                     "Open tickets: 2"):
        assert expected in text, expected
