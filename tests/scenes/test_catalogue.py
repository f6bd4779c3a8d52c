"""The Chinese catalogue against the English in scenes/: complete, current, same placeholders, the glossary's
terms, and nothing viewer-facing left outside it (the reading pace of captions: tests/scenes/test_chapters.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scenes.i18n import CHINESE, TEMPLATE, placeholders
from tools.translations import extract, load

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "assets" / "locale" / "glossary-zh.md"
#: The team's reference copy of the glossary (outside the repository; compared when present).
SHARED_GLOSSARY = ROOT.parent / "shared" / "reference" / "glossary-zh.md"
#: A translator's comment in the .po that lets one message go without one glossary term, with the reason:
#: ``# glossary-ok: angle (极角 is the term for "polar angle")``.
EXEMPTION = re.compile(r"glossary-ok:\s*(?P<term>[^(]+?)\s*(\(|$)")


@pytest.fixture(scope="module")
def template():
    return [message for message in extract() if message.id]


@pytest.fixture(scope="module")
def chinese():
    return load(CHINESE.tag)


def where(message) -> str:
    return ", ".join(f"{file}:{line}" for file, line in message.locations)


def test_the_template_is_current(template):
    """`make translations` was run after the last change to the English."""
    committed = {m.id for m in extract_file(TEMPLATE) if m.id}
    fresh = {m.id for m in template}
    assert fresh == committed, (
        f"assets/locale/video.pot is out of date (run `make translations`): new {sorted(fresh - committed)}, "
        f"gone {sorted(committed - fresh)}"
    )


def extract_file(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return list(read_po(handle))


def test_every_english_string_has_a_current_chinese_translation(template, chinese):
    problems = []
    for message in template:
        entry = chinese.get(message.id)
        if entry is None or not entry.string:
            problems.append(f"{where(message)}: untranslated {message.id!r}")
        elif entry.fuzzy:
            problems.append(f"{where(message)}: stale (the English changed; check and clear fuzzy) {message.id!r}")
    assert not problems, "run `make translations`, then translate:\n" + "\n".join(problems)


def test_placeholders_are_the_same_in_every_translation(template, chinese):
    problems = []
    for message in template:
        entry = chinese.get(message.id)
        if entry is not None and entry.string and placeholders(entry.string) != placeholders(message.id):
            problems.append(f"{where(message)}: {sorted(placeholders(message.id))} vs {entry.string!r}")
    assert not problems, "\n".join(problems)


# --- the glossary -------------------------------------------------------------------------------------------


def glossary_rows(path: Path = GLOSSARY) -> list[tuple[list[list[str]], list[list[str]], list[str]]]:
    """Each table row as (English term groups, Chinese term groups, forbidden Chinese terms).

    A row's comma-separated parts are distinct terms (paired in order when both sides have as many), its
    " / " parts are synonyms; a parenthesis is optional text in Chinese ("损失（函数）" needs 损失) and an
    aside in English ("step (of GD)" is the term "step"; "(SGD)" adds the abbreviation as a synonym).
    """
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "") or set(cells[0]) <= set("-"):
            continue
        english, chinese, note = cells
        english_groups = [
            [_english_core(alt) for alt in part.split(" / ")] + _abbreviations(part) for part in english.split(", ")
        ]
        chinese_groups = [[_chinese_core(alt) for alt in part.split(" / ")] for part in re.split(r"，", chinese)]
        forbidden = re.findall(r"not ([^\s)]+)", note)
        rows.append((english_groups, chinese_groups, forbidden))
    return rows


def _english_core(term: str) -> str:
    return re.sub(r"\s*\(.*?\)|‖.*?‖", "", term).strip()


def _abbreviations(term: str) -> list[str]:
    return [abbr for abbr in re.findall(r"\(([A-Z]{2,})\)", term)]


def _chinese_core(term: str) -> str:
    return re.sub(r"（.*?）", "", term).strip()


def _english_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in term.split()]
    return re.compile(r"\b" + r"[\s-]+".join(words) + r"(s|es)?\b", re.IGNORECASE)


def required_terms(english: str, rows) -> list[tuple[str, list[str]]]:
    """(English term found, Chinese terms of which one must appear), longest English terms first, so that
    "batch norm" is not also read as "norm"."""
    pairs = []
    for english_groups, chinese_groups, _forbidden in rows:
        paired = len(english_groups) == len(chinese_groups)
        for i, group in enumerate(english_groups):
            allowed = chinese_groups[i] if paired else [alt for g in chinese_groups for alt in g]
            pairs += [(term, allowed) for term in group if term]
    pairs.sort(key=lambda pair: -len(pair[0]))
    found, text = [], english
    for term, allowed in pairs:
        pattern = _english_pattern(term)
        if pattern.search(text):
            found.append((term, allowed))
            text = pattern.sub(" ", text)
    return found


def test_the_glossary_copy_matches_the_reference():
    if not SHARED_GLOSSARY.is_file():
        pytest.skip("the team's reference glossary is not beside this checkout")
    assert GLOSSARY.read_text(encoding="utf-8") == SHARED_GLOSSARY.read_text(encoding="utf-8")


def test_the_glossary_is_read_as_written():
    rows = glossary_rows()
    assert len(rows) >= 30
    assert required_terms("Gradient descent with weight decay", rows) == [
        ("gradient descent", ["梯度下降"]),
        ("weight decay", ["权重衰减"]),
    ]
    assert [t for t, _ in required_terms("a batch-norm network's norm", rows)] == ["batch norm", "norm"]
    assert ("loss", ["损失"]) in required_terms("the losses", rows)
    assert any("权重下降" in forbidden for _, _, forbidden in rows)


def test_glossary_terms_are_translated_the_same_way_everywhere(template, chinese):
    rows = glossary_rows()
    forbidden = {term for _, _, terms in rows for term in terms}
    problems = []
    for message in template:
        entry = chinese.get(message.id)
        if entry is None or not entry.string:
            continue
        exempt = {m.group("term").strip().lower() for c in entry.user_comments for m in [EXEMPTION.search(c)] if m}
        for term, allowed in required_terms(message.id, rows):
            if term.lower() not in exempt and not any(alt in entry.string for alt in allowed):
                problems.append(f"{where(message)}: {term!r} needs {' or '.join(allowed)}: {entry.string!r}")
        wrong = [bad for bad in forbidden if bad in entry.string]
        problems += [f"{where(message)}: {bad!r} is not the glossary's term" for bad in wrong]
    assert not problems, "\n".join(problems)


# --- nothing viewer-facing outside the catalogue ------------------------------------------------------------

#: Calls whose string arguments a viewer reads or hears, and their keyword arguments that are text.
TEXT_CALLS = {"text", "caption", "Said", "title_card", "formula_card", "labelled_row", "legend", "Text"}
TEXT_KEYWORDS = {"say", "name", "caption", "subtitle", "title", "label"}
#: Words that stay in Latin script (the glossary's names; number types).
NAMES = {"sympy", "numpy", "mpmath", "pytorch", "zhiyuan", "sanjeev", "arora", "lyu", "huszár", "inference", "cifar",
         "preresnet", "arxiv", "iclr", "relu"}


def english_words(value: str) -> list[str]:
    """Lower-case English words (3+ letters) in a literal that is not LaTeX, minus names."""
    if "\\" in value:
        return []
    return [w for w in re.findall(r"\b[a-z]{3,}\b", value.lower()) if w not in NAMES and not value.isupper()]


def bare_literals(path: Path, root: Path = ROOT) -> list[str]:
    """String literals with English words passed to a text-making call outside ``_()``/``N_()``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, inside_text: bool) -> None:
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("_", "N_", "math", "MathTex", "Tex", "readout_label"):
                return
            for arg in node.args:
                visit(arg, name in TEXT_CALLS)
            for keyword in node.keywords:
                visit(keyword.value, name in TEXT_CALLS or keyword.arg in TEXT_KEYWORDS)
            visit(node.func, False)
            return
        if inside_text and isinstance(node, ast.Constant) and isinstance(node.value, str):
            if english_words(node.value):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
            return
        if inside_text and isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if english_words(literal):
                found.append(f"{path.relative_to(root)}:{node.lineno}: f-string {literal!r}")
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inside_text)

    visit(tree, False)
    return found


def test_no_viewer_facing_english_bypasses_the_catalogue():
    files = sorted((ROOT / "scenes").rglob("*.py"))
    problems = [problem for path in files for problem in bare_literals(path)]
    assert not problems, "wrap these in _() (see scenes/i18n.py):\n" + "\n".join(problems)


def test_the_bypass_check_catches_a_bare_caption(tmp_path):
    scene = tmp_path / "scene.py"
    scene.write_text(
        'self.caption("The runs part here", say=_("fine"))\n'
        'text(f"step {t} of the run")\nmath(r"\\text{zoom}")\ntext("float32")\n',
        encoding="utf-8",
    )
    found = bare_literals(scene, tmp_path)
    assert [line.split(":")[1] for line in found] == ["1", "2"], found
