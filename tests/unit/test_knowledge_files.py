"""The NGO's Markdown knowledge files: parsing, and consistency of the real knowledge folder."""

import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.errors import LegalbotError
from ingest.knowledge import SECTIONS, _split_sections, parse_knowledge_file, read_front_matter

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
SITE = "https://example.org"

GUIDE = """---
id: guide/object-meta-ai
lang: en
title: How to object
updated: 2025-06-02
---
Meta wants to train its AI on your posts.

## The form {#form}

Open the form and submit it.

## After objecting {#next}

Keep the confirmation email.
"""

FAQ = """---
id: faq/how-to-object
lang: fr
title: Comment m'opposer ?
questions:
  - Comment empêcher Meta d'utiliser mes photos ?
  - formulaire d'opposition
---
Remplissez le formulaire d'opposition de Meta.
"""

CASE = """---
id: cjeu/C-252-21
lang: de
title: C-252/21 Meta Platforms
url: https://curia.europa.eu/case
---
Urteil des EuGH vom 4. Juli 2023.
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write a knowledge file and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_guide_is_split_into_sections_with_anchors(tmp_path):
    """Each '## Heading {#anchor}' becomes a passage; text before the first heading is '#intro'."""
    doc = parse_knowledge_file(write(tmp_path / "guides", "object-meta-ai.en.md", GUIDE), "guide", SITE)
    ids = [p.source_id for p in doc.passages]
    assert ids == ["guide/object-meta-ai#intro", "guide/object-meta-ai#form", "guide/object-meta-ai#next"]
    intro, form, after = doc.passages
    assert intro.text == "Meta wants to train its AI on your posts."
    assert form.text == "Open the form and submit it."
    assert "Keep the confirmation email." in after.text
    assert "Open the form" not in after.text
    assert "The form" in form.label and "How to object" in form.label
    assert form.url == f"{SITE}/en/guides/object-meta-ai#form"
    assert doc.doc_id == "guide/object-meta-ai@en"
    assert {p.lang for p in doc.passages} == {"en"}


def test_heading_without_anchor_gets_a_numbered_one():
    """A heading the author forgot to anchor still gets a stable fragment."""
    parts = _split_sections("## First\n\nA.\n\n## Second {#two}\n\nB.")
    assert parts == [("s1", "First", "A."), ("two", "Second", "B.")]


def test_faq_questions_become_search_keywords(tmp_path):
    """Alternative phrasings in 'questions:' are indexed as keywords, not shown as text."""
    doc = parse_knowledge_file(write(tmp_path / "faq", "how-to-object.fr.md", FAQ), "faq", SITE)
    (passage,) = doc.passages
    assert passage.source_id == "faq/how-to-object"
    assert passage.lang == "fr"
    assert "Comment empêcher Meta d'utiliser mes photos ?" in passage.keywords
    assert "formulaire d'opposition" in passage.keywords
    assert "Comment empêcher" not in passage.text
    assert passage.text == "Remplissez le formulaire d'opposition de Meta."


def test_case_summary_is_a_fragment_of_the_case_id(tmp_path):
    """Our summary of a judgment shares its id, told apart by '#summary', and keeps the given URL."""
    doc = parse_knowledge_file(write(tmp_path / "cases", "C-252-21.de.md", CASE), "summary", SITE)
    (passage,) = doc.passages
    assert passage.source_id == "cjeu/C-252-21#summary"
    assert doc.doc_id == "cjeu/C-252-21#summary@de"
    assert passage.url == "https://curia.europa.eu/case"
    assert "C-252/21 Meta Platforms" in passage.label


def test_missing_front_matter_names_the_file(tmp_path):
    """The operator is told which file is broken."""
    path = write(tmp_path / "faq", "broken.en.md", "Just text, no front matter.\n")
    with pytest.raises(LegalbotError, match=re.escape(str(path))):
        read_front_matter(path)


def test_front_matter_without_lang_or_with_unknown_lang_is_refused(tmp_path):
    """A file missing 'lang' or in an unsupported language is an error naming the file."""
    no_lang = write(tmp_path, "a.md", "---\nid: faq/a\ntitle: A\n---\nBody\n")
    with pytest.raises(LegalbotError, match="lang"):
        read_front_matter(no_lang)
    italian = write(tmp_path, "b.md", "---\nid: faq/b\nlang: it\ntitle: B\n---\nBody\n")
    with pytest.raises(LegalbotError, match=re.escape(str(italian))):
        read_front_matter(italian)


def _real_files() -> list[tuple[str, Path, dict, str]]:
    """(section, path, front matter, body) for every file in the real knowledge folder."""
    rows = []
    for section in SECTIONS:
        for path in sorted((KNOWLEDGE / section).glob("*.md")):
            meta, body = read_front_matter(path)
            rows.append((section, path, meta, body))
    return rows


REAL = _real_files()
REF_PATTERNS = [
    r"gdpr/art-(?P<art>\d+)",
    r"gdpr/recital-(?P<rec>\d+)",
    r"cjeu/C-\d{1,3}-\d{2}",
    r"rad/(?:art-\d+|annex-\d+)",
    r"(?:guide|faq|news)/[a-z0-9-]+",
]


def test_every_real_text_exists_in_three_languages():
    """Each id has an English, French and German file, and the file name matches its lang."""
    assert len(REAL) > 30
    langs: dict[str, set[str]] = defaultdict(set)
    for _, path, meta, _ in REAL:
        langs[meta["id"]].add(meta["lang"])
        assert path.name.endswith(f".{meta['lang']}.md"), path
    assert {cid: sorted(found) for cid, found in langs.items() if found != {"en", "fr", "de"}} == {}


def test_real_guides_have_the_same_anchors_in_every_language():
    """A link to guide/...#form works whatever language the user reads."""
    anchors: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for section, _, meta, body in REAL:
        if section == "guides":
            anchors[meta["id"]][meta["lang"]] = [anchor for anchor, _, _ in _split_sections(body)]
    assert anchors
    for by_lang in anchors.values():
        assert by_lang["en"] == by_lang["fr"] == by_lang["de"], by_lang


def test_real_refs_use_known_schemes_and_resolve():
    """Every 'refs:' entry is a well-formed id in range, and our own guides/FAQ/news it names exist."""
    ids = {meta["id"] for *_, meta, _ in REAL}
    problems = []
    for _, path, meta, _ in REAL:
        for ref in map(str, meta.get("refs") or []):
            match = next((m for p in REF_PATTERNS if (m := re.fullmatch(p, ref))), None)
            if match is None:
                problems.append(f"{path.name}: unknown ref scheme {ref!r}")
            elif match.groupdict().get("art") and not 1 <= int(match["art"]) <= 99:
                problems.append(f"{path.name}: no such GDPR article {ref!r}")
            elif match.groupdict().get("rec") and not 1 <= int(match["rec"]) <= 173:
                problems.append(f"{path.name}: no such GDPR recital {ref!r}")
            elif ref.startswith(("guide/", "faq/", "news/")) and ref not in ids:
                problems.append(f"{path.name}: ref {ref!r} has no file")
    assert problems == []


def test_without_a_site_our_texts_have_no_dead_links(tmp_path):
    """With no LEGALBOT_SITE_URL, guides and FAQs carry no URL, and a citation shows the label alone."""
    from bot.core.compose import citations_for
    from bot.telegram.formatting import link

    doc = parse_knowledge_file(write(tmp_path / "guides", "object-meta-ai.en.md", GUIDE), "guide", "")
    assert {p.url for p in doc.passages} == {""}
    citation = citations_for(doc.passages)[0]
    assert link(citation.label, citation.url) == "Guide: How to object"
