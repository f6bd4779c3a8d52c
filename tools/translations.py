"""Keep the catalogue in step with the English: extract the template, merge it into each translation.

    python tools/translations.py            # what `make translations` runs
    python tools/translations.py --check    # only report: untranslated, stale (fuzzy) and obsolete strings

Extraction is Babel's (``pybabel extract`` with babel.cfg: every ``_("...")`` and ``N_("...")`` under scenes/
and tools/lesson/, with ``# i18n:`` comments for translators) into assets/locale/video.pot; the merge is
``pybabel update`` with fuzzy matching, so an English string that changed keeps its old translation marked fuzzy
(stale) until a translator checks it, and a new one arrives empty. The tests (tests/scenes/test_catalogue.py) fail
on both.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.atomic import write_text_atomically
from scenes.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE, TEMPLATE, catalogue_path
from tools.plumbing import run_cli

MAPPING = ROOT / "babel.cfg"
#: Comments starting with this tag, on the line before a marked string, reach the translator.
COMMENT_TAG = "i18n:"
PROJECT = "scale-invariance-video"


def extract() -> Catalog:
    """A fresh template of every marked string (scenes/, tools/lesson/), with its source locations (babel.cfg)."""
    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project=PROJECT, fuzzy=False)
    found = extract_from_dir(ROOT, method_map, options_map, comment_tags=(COMMENT_TAG,), strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def load(tag: str) -> Catalog:
    """The catalogue of a translated language, as Babel reads it."""
    with catalogue_path(tag).open("rb") as handle:
        return read_po(handle)


def write_template(catalog: Catalog, target: Path = TEMPLATE) -> Path:
    """Write ``catalog`` as the .pot template, atomically."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False)
    return write_text_atomically(target, buffer.getvalue().decode("utf-8"))


def merge(tag: str) -> Path:
    """``pybabel update`` (or ``init`` the first time) of the catalogue of ``tag`` from the template."""
    path = catalogue_path(tag)
    babel_locale = LANGUAGES[tag].babel
    common = ["-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", babel_locale, "--width", "100"]
    if path.is_file():
        command = ["pybabel", "update", *common, "--previous", "--ignore-obsolete"]
    else:
        command = ["pybabel", "init", *common]
    CommandLineInterface().run(command)
    return path


def report(tag: str) -> dict[str, list[str]]:
    """The template's strings that the catalogue of ``tag`` lacks, has empty, or marks fuzzy (stale)."""
    template = extract()
    catalogue = load(tag)
    problems: dict[str, list[str]] = {"untranslated": [], "stale": []}
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id, context=message.context)
        if entry is None or not entry.string:
            problems["untranslated"].append(message.id)
        elif entry.fuzzy:
            problems["stale"].append(message.id)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report the state of each catalogue")
    args = parser.parse_args(argv)
    if not args.check:
        template = extract()
        write_template(template)
        print(f"{TEMPLATE.relative_to(ROOT)}: {sum(1 for m in template if m.id)} strings")
    status = 0
    for tag in LANGUAGES:
        if tag == SOURCE.tag:
            continue
        if not args.check:
            merge(tag)
        problems = report(tag)
        counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in problems.items())
        print(f"{catalogue_path(tag).relative_to(ROOT)}: {counts}")
        status |= any(problems.values())
    return status


if __name__ == "__main__":
    run_cli(main)
