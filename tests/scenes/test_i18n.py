"""scenes.i18n: messages, placeholders, the catalogue lookup, the render's language; Chinese line breaks; the
Chinese font (fontconfig resolves it, and distinct characters get distinct outlines, not empty boxes)."""

from __future__ import annotations

import shutil
import string
import subprocess

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scenes import i18n
from scenes.i18n import CHINESE, CJK_FAMILY, SOURCE, Msg, _, current_locale, placeholders, translate, untranslated
from scenes.style.geometry import BREAK_AFTER, break_line

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Plain gradient descent"
msgstr "梯度下降"

msgid "At step {step}, the runs part by {gap:.1e}"
msgstr "两次运行在第 {step} 步分开，相差 {gap:.1e}"

#, fuzzy
msgid "The old English"
msgstr "旧的译文"

msgid "Chapter {number}. {title}."
msgstr "第 {number} 章：{title}。"
"""


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    """A small Chinese catalogue in place of the real one."""
    path = tmp_path / CHINESE.babel / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    path.write_text(PO, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_missing", {})
    i18n._translations.cache_clear()
    yield path
    i18n._translations.cache_clear()


def test_a_message_is_translated_then_filled_and_reorders_its_values(catalogue):
    message = _("At step {step}, the runs part by {gap:.1e}").format(step=215, gap=3.14159e-7)
    assert message.english == "At step 215, the runs part by 3.1e-07"
    assert message.in_(CHINESE.tag) == "两次运行在第 215 步分开，相差 3.1e-07"


def test_nested_messages_are_rendered_in_the_same_language(catalogue):
    title = Msg("Plain gradient descent")
    said = _("Chapter {number}. {title}.").format(number=4, title=title)
    assert said.english == "Chapter 4. Plain gradient descent."
    assert said.in_(CHINESE.tag) == "第 4 章：梯度下降。"


def test_a_stale_or_missing_translation_falls_back_to_english_and_is_reported(catalogue):
    assert translate("The old English", CHINESE.tag) == "The old English", "a fuzzy entry is stale: not used"
    assert translate("Never translated", CHINESE.tag) == "Never translated"
    assert untranslated(CHINESE.tag) == ["Never translated", "The old English"]
    assert untranslated(SOURCE.tag) == []


def test_str_follows_the_locale_variable(catalogue, monkeypatch):
    message = Msg("Plain gradient descent")
    monkeypatch.setenv("LOCALE", "zh-Hans")
    assert current_locale() == "zh-Hans" and str(message) == "梯度下降"
    monkeypatch.setenv("LOCALE", "en")
    assert str(message) == "Plain gradient descent"
    monkeypatch.setenv("LOCALE", "fr")
    with pytest.raises(ValueError, match="unknown locale 'fr'"):
        current_locale()


def test_bad_messages_are_refused_with_the_offending_part():
    with pytest.raises(ValueError, match="positional placeholder"):
        _("at step {}")
    with pytest.raises(ValueError, match="positional placeholder"):
        _("at step {0}")
    with pytest.raises(ValueError, match="non-empty"):
        _("")
    with pytest.raises(ValueError, match=r"missing \['gap'\], unexpected \['gpa'\]"):
        _("{step} and {gap}").format(step=1, gpa=2)
    with pytest.raises(ValueError, match=r"needs values for \['step'\]"):
        str(_("at step {step}"))


def test_a_missing_catalogue_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._translations.cache_clear()
    try:
        with pytest.raises(ValueError, match="no catalogue for locale 'zh-Hans'"):
            translate("anything", CHINESE.tag)
    finally:
        i18n._translations.cache_clear()


names = st.text(string.ascii_lowercase, min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(values=st.dictionaries(names, st.integers() | st.floats(allow_nan=False) | st.text(max_size=5), max_size=4),
       words=st.lists(st.text(string.ascii_letters + " ,.", max_size=6), min_size=5, max_size=5))  # fmt: skip
@example(values={"self": 0}, words=["a", "b", "c", "d", "e"])  # a placeholder may have any name, even format's own
def test_a_message_says_what_str_format_says_and_keeps_its_placeholders(values, words):
    template = "".join(f"{word}{{{name}}}" for word, name in zip(words, values)) + words[-1] or "x"
    assert {name for name, _ in placeholders(template)} == set(values)
    assert _(template).format(**values).english == template.format(**values)


latin_runs = st.sampled_from(["float32", "215", "SGD", "1e-07"])
chinese_runs = st.text(alphabet="梯度下降学习率权重衰减，。；", min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(st.lists(latin_runs | chinese_runs, min_size=1, max_size=8))
def test_break_line_splits_once_keeps_every_character_and_never_splits_a_latin_word(runs):
    line = " ".join(runs) if len(runs) == 1 else "".join(runs)
    if len(line) < 2:
        return
    broken = break_line(line)
    if broken == line:  # only allowed when the line is one Latin word
        assert line.isascii() and " " not in line
        return
    first, second = broken.split("\n")
    assert first and second
    assert (first + second).replace(" ", "") == line.replace(" ", "")
    joined = "".join(runs)
    for run in runs:
        if run.isascii() and joined.count(run) == 1:
            assert run in first or run in second, (line, broken)


def test_break_line_prefers_the_punctuation_nearest_the_middle():
    line = "在第 215 步两次运行分开，而它们的差别来自舍入误差"
    first, _second = break_line(line).split("\n")
    assert first.endswith("，")
    assert BREAK_AFTER.index("，") >= 0
    with pytest.raises(ValueError, match="cannot break"):
        break_line("梯")


def test_fontconfig_resolves_the_chinese_font_to_noto_cjk():
    if shutil.which("fc-match") is None:
        pytest.skip("no fontconfig tools")
    assert CJK_FAMILY in CHINESE.font.split(", ")
    resolved = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}", f"{CJK_FAMILY}:lang=zh-cn"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    family, file = resolved.split("|", 1)
    assert CJK_FAMILY in family and "NotoSansCJK" in file, resolved


def test_distinct_chinese_characters_get_distinct_real_outlines():
    from manim import Text

    characters = "权重衰减学习率尺度不变批量归化"  # (not 一: one stroke has few points by nature)
    glyphs = Text(characters, font=CHINESE.font, font_size=48)
    assert len(glyphs) == len(characters), "one outline per character"
    outlines = []
    for glyph in glyphs:
        points = glyph.points - glyph.get_center()
        assert len(points) > 40, f"{len(points)} points: an empty box, not a glyph"
        outlines.append(np.round(points, 3).tobytes())
    assert len(set(outlines)) == len(characters), "two characters share an outline (a fallback box?)"
    # The same characters in the English font would be boxes or missing; Noto draws them all.
    assert all(glyph.width > 0.1 and glyph.height > 0.1 for glyph in glyphs)


def test_latin_marks_keep_their_accent_in_chinese_text():
    """θ̃ (θ + a combining tilde) in a Chinese caption: DejaVu draws it with its tilde, above the θ."""
    from manim import Text

    tilde = Text("范数 θ̃", font=CHINESE.font, font_size=48)
    plain = Text("范数 θ", font=CHINESE.font, font_size=48)
    assert len(tilde) == len(plain) + 1 or tilde[-1].height > 1.15 * plain[-1].height, "the tilde is drawn"
    assert tilde.height > plain.height * 1.05


def test_a_missing_font_is_an_error_naming_it():
    from scenes.style.widgets import installed_fonts

    assert installed_fonts(CHINESE.font) == CHINESE.font
    with pytest.raises(ValueError, match="font 'No Such Font' is not installed"):
        installed_fonts("DejaVu Sans, No Such Font")


def test_a_recorded_message_translates_later_as_the_original_would(catalogue):
    import json

    import numpy as np

    title = Msg("Plain gradient descent")
    said = _("Chapter {number}. {title}.").format(number=np.int64(4), title=title)
    record = json.loads(json.dumps(said.to_record()))  # through JSON, as the cue record is written
    again = Msg.from_record(record)
    assert again.english == said.english == "Chapter 4. Plain gradient descent."
    assert again.in_(CHINESE.tag) == said.in_(CHINESE.tag) == "第 4 章：梯度下降。"
    with pytest.raises(ValueError, match="cannot be recorded"):
        _("at {when}").format(when=object()).to_record()
    with pytest.raises(ValueError, match="not a recorded message"):
        Msg.from_record({"values": {}})


def test_a_plain_string_is_the_same_in_every_language_and_never_looked_up(catalogue):
    from scenes.i18n import as_message

    name = as_message("CIFAR-10")
    assert name.in_(CHINESE.tag) == name.english == "CIFAR-10"
    assert untranslated(CHINESE.tag) == [], "nothing to translate: no lookup, no warning"
    assert as_message(title := Msg("Plain gradient descent")) is title


def test_a_scripts_line_is_json_in_every_language_as_make_script_writes_it(catalogue):
    import json

    from scenes.style.narration import Script

    script = Script("vanilla_gd")
    line = script.add(Msg("Plain gradient descent"), say=_("Chapter {number}. {title}.").format(
        number=4, title=Msg("Plain gradient descent")), key="title")
    record = json.loads(json.dumps(line.record(), ensure_ascii=False))
    assert record == {
        "id": "vanilla_gd/title", "caption": "Plain gradient descent", "spoken": "Chapter 4. Plain gradient descent.",
        "captions": {"en": "Plain gradient descent", "zh-Hans": "梯度下降"},
        "sayings": {"en": "Chapter 4. Plain gradient descent.", "zh-Hans": "第 4 章：梯度下降。"},
    }  # fmt: skip
