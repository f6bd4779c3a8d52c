"""What a chapter's render depends on, as one hash: a chapter is rendered again exactly when it changes.

- ``input_hash(chapter, quality, narrated, locale=...)``: the chapter's file, the shared code, the quality, the
  edition, the language, a translated edition's catalogue and, narrated, the voice's code and recordings.
- ``publish_hash(digest)``: a narrated clip's subtitle tracks also depend on the catalogues.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from scenes.i18n import LANGUAGES, SOURCE, catalogue_file
from scenes.video import SCENES_DIR, Chapter
from tools import editions

#: Files every chapter depends on besides its own scene file, relative to the root (see ``shared_inputs``).
REQUIRED_SHARED_INPUTS = ("scenes/video.py", "scenes/i18n.py", "manim.cfg", "requirements.lock")
#: Packages whose every ``*.py`` (at any depth) every chapter imports; either may be a module or a package.
SHARED_PACKAGES = ("mathcore", "scenes/style")
#: Files the narrated edition's chapters depend on besides the shared ones (the voice, the loudness, the muxing).
VOICE_INPUTS = ("common/voice.py", "common/lexicon.py", "common/loudness.py", "tools/tracks.py")
#: Recorded lines (any file under it counts: a changed recording renders its chapter again).
VOICE_ASSETS = "assets/voice"


def shared_inputs(root: Path | None = None) -> list[str]:
    """Files (relative to ``root``, sorted) every chapter's render depends on besides its own scene file.

    Robust to either layout of the shared code: ``mathcore/derivations.py`` or a package
    ``mathcore/derivations/``, ``scenes/style.py`` or a package ``scenes/style/``.
    """
    root = editions.ROOT if root is None else root
    missing = [name for name in REQUIRED_SHARED_INPUTS if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"shared render inputs missing under {root}: {missing}")
    found = {root / name for name in REQUIRED_SHARED_INPUTS}
    for package in SHARED_PACKAGES:
        module, folder = root / f"{package}.py", root / package
        if module.is_file():
            found.add(module)
        if folder.is_dir():
            found.update(folder.rglob("*.py"))
    init = root / "scenes" / "__init__.py"  # runs on every `import scenes.*`
    if init.is_file():
        found.add(init)
    return sorted(path.relative_to(root).as_posix() for path in found)


def voice_inputs(root: Path | None = None, module: str | None = None) -> list[str]:
    """Files (relative to ``root``, sorted) the narrated edition depends on besides ``shared_inputs``: the voice's
    code, and the recorded lines of chapter ``module`` (assets/voice/<module>/; all chapters' when None)."""
    root = editions.ROOT if root is None else root
    missing = [name for name in VOICE_INPUTS if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"narration inputs missing under {root}: {missing}")
    folder = root / VOICE_ASSETS / (module or "")
    recordings = [path for path in folder.rglob("*.wav") if path.is_file()]
    return sorted([*VOICE_INPUTS, *(path.relative_to(root).as_posix() for path in recordings)])


def translation_inputs(root: Path | None = None) -> list[str]:
    """The translated catalogues (relative to ``root``): a translated edition's frames, and the narrated
    edition's subtitles (made when a chapter is published, see ``publish_hash``), depend on them."""
    root = editions.ROOT if root is None else root
    names = [catalogue_file(tag).as_posix() for tag in LANGUAGES if tag != SOURCE.tag]
    return sorted(name for name in names if (root / name).is_file())


def input_hash(
    chapter: Chapter, quality: str, narrated: bool = True, root: Path | None = None, locale: str = SOURCE.tag
) -> str:
    """Hash of everything the chapter's frames and sound depend on: its file, the shared code, the quality, the
    edition, the language, a translated edition's catalogue and, narrated, the voice's code and recordings.

    The English editions' frames do not depend on the translations: the narrated edition's other-language
    subtitles are made when it is published (``publish_hash``), so a translator's edit re-renders nothing.
    """
    root = editions.ROOT if root is None else root
    edition = f"{quality}\0NARRATION={editions.narration_value(narrated)}\0LOCALE={locale}"
    digest = hashlib.sha256(edition.encode())
    own = chapter.path.relative_to(SCENES_DIR.parent).as_posix()
    voice = voice_inputs(root, chapter.module) if narrated else ()
    translations = translation_inputs(root) if locale != SOURCE.tag else ()
    for name in (own, *shared_inputs(root), *translations, *voice):
        digest.update(name.encode() + b"\0")
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def publish_hash(digest: str, root: Path | None = None) -> str:
    """What a narrated chapter's published clip depends on beyond its render (``digest``): the catalogues its
    other-language subtitle tracks are translated with."""
    root = editions.ROOT if root is None else root
    combined = hashlib.sha256(digest.encode())
    for name in translation_inputs(root):
        combined.update(name.encode() + b"\0" + (root / name).read_bytes())
    return combined.hexdigest()
