"""The judgment parser on the seven EUR-Lex HTML files (four markup generations) in the shared corpus."""

import re
from pathlib import Path

import pytest
from _corpus import corpus_dir

from bot.core.types import Document
from ingest.cjeu import load_cases_index, parse_judgment_html, read_case_meta

# celex, case number, ECLI, date, last paragraph, operative fragments, start of the operative part
CASES = [
    ("62021CJ0252", "C-252/21", "ECLI:EU:C:2023:537", "2023-07-04", 155, 8,
     "Article 51 et seq. of Regulation (EU) 2016/679 of the European Parliament"),
    ("62021CJ0446", "C-446/21", "ECLI:EU:C:2024:834", "2024-10-04", 84, 2,
     "Article 5(1)(c) of Regulation (EU) 2016/679 of the European Parliament"),
    ("62018CJ0311", "C-311/18", "ECLI:EU:C:2020:559", "2020-07-16", 203, 5,
     "Article 2(1) and (2) of Regulation (EU) 2016/679 of the European Parliament"),
    ("62021CJ0300", "C-300/21", "ECLI:EU:C:2023:370", "2023-05-04", 60, 3,
     "Article 82(1) of Regulation (EU) 2016/679 of the European Parliament"),
    ("62020CJ0319", "C-319/20", "ECLI:EU:C:2022:322", "2022-04-28", 84, 0,
     "Article 80(2) of Regulation (EU) 2016/679 of the European Parliament"),
    ("62017CJ0673", "C-673/17", "ECLI:EU:C:2019:801", "2019-10-01", 82, 3,
     "Article 2(f) and of Article 5(3) of Directive 2002/58/EC of the European Parliament"),
    ("62021CJ0634", "C-634/21", "ECLI:EU:C:2023:957", "2023-12-07", 75, 0,
     "Article 22(1) of Regulation (EU) 2016/679 of the European Parliament"),
]
IDS = [c[1] for c in CASES]
# Paragraphs whose opening differs from the Markdown copy for a real reason.
MARKDOWN_DIFFERENCES = {("C-446-21", 3): "HTML is the provisional text citing recital 10; the final text dropped it"}


def html_path(celex: str) -> Path:
    return corpus_dir() / "cjeu" / "html" / f"{celex}_EN.html"


@pytest.fixture(scope="module")
def index() -> dict[str, dict]:
    return load_cases_index(corpus_dir())


@pytest.fixture(scope="module")
def judgments(index: dict[str, dict]) -> dict[str, Document]:
    return {c[0]: parse_judgment_html(html_path(c[0]), index[c[0]]) for c in CASES}


def paragraphs(doc: Document) -> list[tuple[int, str]]:
    return [(int(p.source_id.rsplit("-", 1)[1]), p.text) for p in doc.passages if "#para-" in p.source_id]


@pytest.mark.parametrize(("celex", "number", "ecli", "day", "last", "points", "ruling"), CASES, ids=IDS)
def test_judgment(judgments: dict[str, Document], celex: str, number: str, ecli: str, day: str, last: int,
                  points: int, ruling: str) -> None:
    doc, base = judgments[celex], "cjeu/" + number.replace("/", "-")
    numbers = [n for n, _ in paragraphs(doc)]
    assert numbers == list(range(1, last + 1))  # 1..N, no gaps
    # The last paragraph number as the file itself marks it (id="pointN" or <a name="pointN">).
    marked = re.findall(r'(?:id|NAME)="point(\d+)"', html_path(celex).read_text(encoding="utf-8"))
    assert max(map(int, marked)) == last
    texts = dict(paragraphs(doc))
    assert re.match(r"This (request|reference) for a preliminary ruling", texts[1])
    assert texts[last].startswith("Since these proceedings are, for the parties to the main proceedings, a step")
    operative = [p for p in doc.passages if "#operative" in p.source_id]
    expected = [f"{base}#operative-{n}" for n in range(1, points + 1)] or [f"{base}#operative"]
    assert [p.source_id for p in operative] == expected
    assert operative[0].text.startswith(ruling)
    # Each point is a ruling: an interpretation, or (C-311/18) a finding on the validity of a decision.
    assert all(re.search(r"interpreted|is invalid|disclosed nothing", p.text) for p in operative)
    assert {(p.kind, p.lang, p.date) for p in doc.passages} == {("case", "en", day)}
    assert doc.doc_id == f"{base}@en"
    assert read_case_meta(html_path(celex)).ecli == ecli


@pytest.mark.parametrize("celex", [c[0] for c in CASES], ids=IDS)
def test_no_furniture_in_any_passage(judgments: dict[str, Document], celex: str) -> None:
    for p in judgments[celex].passages:
        assert p.text.strip()
        for furniture in ("[Signatures]", "Language of the case", "hereby rules", "Registrar", "*1"):
            assert furniture not in p.text, (p.source_id, furniture)
        assert not re.match(r"\d+\s", p.text), p.source_id  # the paragraph number is in the id, not the text


@pytest.mark.parametrize("celex", [c[0] for c in CASES], ids=IDS)
def test_paragraphs_open_like_the_markdown_copy(judgments: dict[str, Document], celex: str) -> None:
    """cjeu/markdown/ is an independent conversion: each paragraph N must open with the same words."""
    case = judgments[celex].doc_id.split("/")[1].split("@")[0]
    lines = (corpus_dir() / "cjeu" / "markdown" / f"{case}.md").read_text(encoding="utf-8").splitlines()
    markdown: dict[int, list[str]] = {}
    for line in lines:
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).replace("\\", "")  # links and escapes
        m = re.match(r"(\d+) (.*)", line)
        if m and int(m[1]) == len(markdown) + 1:
            markdown[int(m[1])] = m[2].split()
    differing = set()
    for n, text in paragraphs(judgments[celex]):
        words = text.splitlines()[0].split()[:8]  # the Markdown breaks lines where we do
        if markdown[n][: len(words)] != words:
            differing.add((case, n))
    assert differing == {k for k in MARKDOWN_DIFFERENCES if k[0] == case}


def test_labels_urls_and_titles(judgments: dict[str, Document]) -> None:
    passages = {p.source_id: p for p in judgments["62021CJ0252"].passages}
    p = passages["cjeu/C-252-21#para-118"]
    assert p.label == "CJEU C-252/21 Meta Platforms, para. 118"
    assert p.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:62021CJ0252#point118"
    assert p.title == "Meta Platforms v Bundeskartellamt"
    assert passages["cjeu/C-252-21#operative-3"].label == "CJEU C-252/21 Meta Platforms, operative part, point 3"
    labels = {c: judgments[c].passages[0].label for c in ("62021CJ0634", "62018CJ0311", "62021CJ0300")}
    assert labels == {
        "62021CJ0634": "CJEU C-634/21 SCHUFA, para. 1",
        "62018CJ0311": "CJEU C-311/18 Schrems II, para. 1",
        "62021CJ0300": "CJEU C-300/21 Österreichische Post, para. 1",
    }
    point = passages["cjeu/C-252-21#operative-2"].text.splitlines()
    assert point == [point[0], point[1]] and point[0] == "Article 9(1) of Regulation 2016/679"


def test_dash_lists_inside_paragraphs_keep_their_mark(judgments: dict[str, Document]) -> None:
    text = dict(paragraphs(judgments["62021CJ0252"]))[3]
    assert "\n– requiring that an infringement be brought to an end," in text
    assert text.endswith("there are no grounds for action on their part.’")


@pytest.mark.parametrize("celex", [c[0] for c in CASES], ids=IDS)
def test_metadata_from_the_html_matches_the_index(index: dict[str, dict], celex: str) -> None:
    meta, entry = read_case_meta(html_path(celex)), index[celex]
    assert (meta.case_number, meta.celex, meta.date) == (entry["case_number"], celex, entry["date"])
    assert meta.chamber.startswith("JUDGMENT OF THE COURT (")
    assert meta.provisional is (celex == "62021CJ0446")  # EUR-Lex marks that HTML "Provisional text"


def test_parties_come_from_the_html() -> None:
    parties = {c: read_case_meta(html_path(c)).parties for c in ("62021CJ0252", "62021CJ0300", "62018CJ0311")}
    assert parties == {
        "62021CJ0252": "Meta Platforms Inc and Others v Bundeskartellamt",
        "62021CJ0300": "UI v Österreichische Post AG",
        "62018CJ0311": "Data Protection Commissioner v Facebook Ireland Ltd and Maximillian Schrems",
    }


def test_index_fills_what_the_html_lacks(tmp_path: Path) -> None:
    page = tmp_path / "judgment.html"
    page.write_text(
        "<html><body><p>In Case C‑999/23,</p>"
        '<p><a name="point1">1</a> First paragraph.</p><p><a name="point2">2</a> Second.</p>'
        "<p>On those grounds, the Court hereby rules:</p><p>Article 1 must be interpreted as meaning that.</p>"
        '<p class="C77Signatures">[Signatures]</p></body></html>',
        encoding="utf-8",
    )
    meta = {"case_number": "C-999/23", "date": "2023-01-02", "ecli": "ECLI:EU:C:2023:1",
            "popular_name": "Alpha v Beta", "parties_eurlex": "Alpha v Beta"}
    info = read_case_meta(page, meta)
    got = (info.date, info.ecli, info.title, info.short_name)
    assert got == ("2023-01-02", "ECLI:EU:C:2023:1", "Alpha v Beta", "Alpha")
    doc = parse_judgment_html(page, meta)
    assert [(p.source_id, p.text) for p in doc.passages] == [
        ("cjeu/C-999-23#para-1", "First paragraph."), ("cjeu/C-999-23#para-2", "Second."),
        ("cjeu/C-999-23#operative", "Article 1 must be interpreted as meaning that."),
    ]
    with pytest.raises(ValueError, match="is C-999/23, but meta describes C-1/23"):
        parse_judgment_html(page, {"case_number": "C-1/23"})


def test_unknown_markup_fails_clearly(tmp_path: Path) -> None:
    page = tmp_path / "judgment.html"
    page.write_text("<html><body><p>In Case C-1/23,</p><p>1. Text without paragraph anchors.</p></body></html>")
    with pytest.raises(ValueError, match="no numbered paragraphs or no operative part found"):
        parse_judgment_html(page)
    with pytest.raises(ValueError, match="no case number"):
        parse_judgment_html(corpus_dir() / "gdpr" / "eurlex_html" / "CELEX_32016R0679_EN_TXT.html")
