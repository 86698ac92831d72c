"""Every column of the set tables is defined where it is shown: a tooltip on its heading and a legend row."""

from __future__ import annotations

from html.parser import HTMLParser

from fmri_oinfo.report import glossary


class Headings(HTMLParser):
    """Headings (text, title) of the set tables, and the legend's terms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str | None]] = []
        self.terms: list[str] = []
        self._in_sets = False
        self._heading: list[str] | None = None
        self._title: str | None = None
        self._term: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._in_sets = "sets" in (attributes.get("class") or "").split()
        if tag == "th" and self._in_sets:
            self._heading, self._title = [], attributes.get("title")
        if tag == "dt":
            self._term = []

    def handle_endtag(self, tag):
        if tag == "th" and self._heading is not None:
            self.headings.append(("".join(self._heading).strip().replace("\xa0", " "), self._title))
            self._heading = None
        if tag == "dt" and self._term is not None:
            self.terms.append("".join(self._term).strip())
            self._term = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._term is not None:
            self._term.append(data)


def test_every_set_table_heading_has_its_meaning_and_a_legend_row(rendered_report):
    reader = Headings()
    reader.feed(rendered_report.read_text(encoding="utf-8"))
    assert reader.headings, "no set table"
    by_heading = {heading: key for key, (heading, _) in glossary.COLUMNS.items()}
    for text, title in reader.headings:
        key = by_heading.get(text) or next(
            (k for h, k in by_heading.items() if len(h) > 2 and (text.startswith(h) or text.endswith(h))), None)
        assert key is not None, f"heading {text!r} has no definition in the glossary"
        assert title == glossary.meaning(key), (text, title)
        assert glossary.COLUMNS[key][0] in reader.terms, (text, reader.terms)
    # q is defined by how it is computed, and p irreducible is shown and defined
    assert "max(p, p irred.)" in glossary.meaning("q") and "irred" not in glossary.meanings(False)["q"]
    assert any(text == "p irred." for text, _ in reader.headings)
    # the tags of the rows shown are explained too
    assert any(term.startswith("tag") for term in reader.terms)


def test_legend_lists_the_columns_shown_then_each_tag_once():
    sets = {"has_ci": False, "has_se": True, "has_inference": False, "has_irreducible": False, "has_fmmi": True}
    keys = glossary.set_table_columns(sets)
    assert keys == ["rank", "set", "o_info", "se", "q", "label", "order", "chosen_by", "p", "fmmi"]
    rows = glossary.legend(keys, [{"tag": "greedy", "words": "grown"}, {"tag": "greedy", "words": "grown"}])
    assert [row["term"] for row in rows][-2:] == ["O FMMI", "tag \u201cgreedy\u201d"]
