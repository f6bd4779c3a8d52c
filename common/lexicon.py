"""The pronunciation lexicon: whole-word respellings that make the piper voice say names and jargon right.

The one place to fix a mispronounced word. Keys are matched case-sensitively as whole words (so the blog name
``inFERENCe`` is respelled while the ordinary word "inference" is not); values are spellings that the voice's
phonemizer (espeak-ng, en-us) turns into the intended sounds. The phonemes noted beside the less obvious entries
are what espeak-ng printed for the written word, i.e. why the entry exists.
"""

from __future__ import annotations

import re

LEXICON: dict[str, str] = {
    # People.
    "Huszár": "Hoosar",  # written: hʌszˈɑːɚ
    "Huszar": "Hoosar",
    "Ferenc": "Ferents",  # Hungarian c is ts; written: fˈɛɹɛŋk
    "Arora": "Uh-roara",  # stress on the second syllable; written: ˈæɹɔːɹə
    "Lyu": "Leeyoo",  # written: lˈaɪuː
    "Li": "Lee",  # written: lˈaɪ
    "Zhiyuan": "Jur-yoo-en",
    "Kaifeng": "Kye-fung",
    "Lyapunov": "Leeyapoonoff",  # written: lˈaɪɐpˌʌnɑːv
    # Software and data sets.
    "inFERENCe": "inference",
    "sympy": "sim pie",
    "SymPy": "sim pie",
    "numpy": "num pie",
    "NumPy": "num pie",
    "mpmath": "M P math",
    "PyTorch": "pie torch",
    "CIFAR": "sigh far",  # written: sˈɪfɑːɹ
    "ReLU": "ray loo",  # written: ɹˌiː lˈuː
    "LaTeX": "lah tek",  # written: lˌæ tˈiːʲ ˈɛks
    "Manim": "Man-im",
    "arXiv": "archive",
    # Greek letters named in the narration.
    "mu": "mew",  # written: mˈuː
    # Acronyms the voice reads as words.
    "ICLR": "I C L R",  # written: ˈaɪklɚ
    "NeurIPS": "Noor ips",
    # Abbreviations the voice spells out.
    "e.g.": "for example",
    "i.e.": "that is",
    "vs.": "versus",
    "et al.": "and colleagues",
}

# Longest keys first, so "et al." wins over any shorter key that might share its start.
_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(key) for key in sorted(LEXICON, key=len, reverse=True)) + r")(?!\w)"
)


def apply_lexicon(text: str) -> str:
    """Replace every whole-word occurrence of a lexicon key in ``text`` by its respelling."""
    return _PATTERN.sub(lambda match: LEXICON[match.group(1)], text)
