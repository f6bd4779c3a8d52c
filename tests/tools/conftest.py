"""Tiny real renders (480p15, a second or two) shared by the tools' tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from manim import BLUE, RED, Circle, FadeIn, Scene, Square, tempconfig

from common.voice import write_wav
from scenes import i18n
from scenes.i18n import CHINESE, CUES_SUFFIX, Msg
from scenes.video import Chapter
from tools import chapter_render, editions, inputs
from tools.chapter_render import RenderedChapter
from tools.clip_index import write_index
from tools.join import join_edition
from tools.plumbing import probe

#: The narrated tiny chapters' sound: (seconds into the chapter, length, frequency); beta's runs past its end.
TONES = {"alpha": (0.1, 0.8, 330.0), "beta": (0.4, 1.8, 660.0)}
TONE_RATE = 22050  # as piper's voice: the published audio is resampled to 48 kHz
TONE_AMPLITUDE = 0.05  # about -29 LUFS: far from -16, so the publishing has to normalise


def tone_wav(target: Path, seconds: float, frequency: float, click: bool = False) -> Path:
    """A quiet sine (with a loud click in its middle if ``click``: normalising it needs the limiter) as a WAV."""
    t = np.arange(round(seconds * TONE_RATE)) / TONE_RATE
    samples = TONE_AMPLITUDE * np.sin(2 * np.pi * frequency * t)
    if click:
        samples[samples.size // 2 : samples.size // 2 + 3] = 0.9
    return write_wav(target, samples, TONE_RATE)


def tiny_chapter(
    tmp_path: Path, name: str, seconds: float, shape: type, color: str, sound: tuple[Path, float] | None = None
) -> RenderedChapter:
    """Render a short 480p15 scene with two subcaptions (and ``sound``: a WAV at an offset); return it as a chapter."""

    class Tiny(Scene):
        def construct(self) -> None:
            if sound is not None:
                self.add_sound(str(sound[0]), time_offset=sound[1])
            self.add_subcaption(f"{name} first", duration=0.5)
            self.play(FadeIn(shape(color=color)), run_time=0.5)
            self.add_subcaption(f"{name} second", duration=seconds - 0.5)
            self.wait(seconds - 0.5)

    config = {
        "quality": "low_quality", "media_dir": str(tmp_path / name), "disable_caching": True,
        "verbosity": "WARNING", "output_file": name,
    }  # fmt: skip
    with tempconfig(config):
        scene = Tiny()
        scene.render()
        video = Path(scene.renderer.file_writer.movie_file_path)
    chapter = Chapter(module=name, scene="Tiny", title=f"Title of {name}")
    return RenderedChapter(chapter, video, video.with_suffix(".srt"), probe(video).duration)


#: The Chinese of the tiny chapters' two cues, as the test catalogue (``tiny_translations``) translates them.
CHINESE_CUES = ("{name}：第一句", "{name}：第二句")
#: The Chinese of the tiny chapters' titles ("Title of alpha").
CHINESE_TITLE = "{name} 章"


@pytest.fixture(scope="session")
def tiny_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's Chinese catalogue plus the tiny chapters' cues, in place of the real one for the session."""
    folder = tmp_path_factory.mktemp("locale")
    target = folder / i18n.catalogue_file(CHINESE.tag).relative_to(i18n.LOCALE_FOLDER)
    target.parent.mkdir(parents=True)
    extra = "".join(
        f'\nmsgid "{name} {which}"\nmsgstr "{zh.format(name=name)}"\n'
        for name in ("alpha", "beta") for which, zh in zip(("first", "second"), CHINESE_CUES)
    )  # fmt: skip
    extra += "".join(f'\nmsgid "Title of {name}"\nmsgstr "{CHINESE_TITLE.format(name=name)}"\n' for name in TONES)
    target.write_text(i18n.catalogue_path(CHINESE.tag).read_text(encoding="utf-8") + extra, encoding="utf-8")
    patch = pytest.MonkeyPatch()
    patch.setattr(i18n, "LOCALE_DIR", folder)
    i18n._translations.cache_clear()
    yield target
    patch.undo()
    i18n._translations.cache_clear()


def write_cue_record(video: Path, name: str, seconds: float) -> Path:
    """What ChapterMixin writes beside manim's .srt: each cue of ``tiny_chapter``, its text and its message."""
    spans = ((0.0, 0.5), (0.5, seconds))
    cues = [
        {"start": start, "end": end, "text": f"{name} {which}", "message": Msg(f"{name} {which}").to_record()}
        for (start, end), which in zip(spans, ("first", "second"))
    ]
    target = video.with_suffix(CUES_SUFFIX)
    target.write_text(json.dumps({"locale": "en", "cues": cues}, ensure_ascii=False), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedChapter]:
    """Two rendered chapters: 'alpha' (1 s, 15 frames) and 'beta' (2 s, 30 frames)."""
    tmp = tmp_path_factory.mktemp("tiny")
    return [tiny_chapter(tmp, "alpha", 1.0, Circle, BLUE), tiny_chapter(tmp, "beta", 2.0, Square, RED)]


@pytest.fixture(scope="session")
def narrated_parts(tmp_path_factory: pytest.TempPathFactory, tiny_translations: Path) -> list[RenderedChapter]:
    """'alpha' (1 s) and 'beta' (2 s) with a tone each (``TONES``), published as narrated clips by render.py."""
    tmp = tmp_path_factory.mktemp("narrated")
    parts = []
    for name, seconds, shape, color in (("alpha", 1.0, Circle, BLUE), ("beta", 2.0, Square, RED)):
        offset, length, frequency = TONES[name]
        wav = tone_wav(tmp / f"{name}.wav", length, frequency, click=name == "alpha")
        raw = tiny_chapter(tmp / "manim", name, seconds, shape, color, sound=(wav, offset))
        record = write_cue_record(raw.video, name, seconds)
        clip = tmp / "chapters" / f"{name}.mp4"
        levels = chapter_render.publish_chapter(raw.video, clip, raw.subtitles, record)
        parts.append(RenderedChapter(raw.chapter, clip, raw.subtitles, probe(clip).duration, levels=levels,
                                     cue_texts=record))  # fmt: skip
    return parts


def copy_of_the_tree(tmp_path: Path, style_package: bool = False) -> Path:
    """The files a render reads, copied under tmp_path (optionally with scenes/style.py as a package)."""
    root = tmp_path / "root"
    for folder in ("scenes", "mathcore", "assets/locale"):
        shutil.copytree(editions.ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("manim.cfg", "requirements.lock", "README.md", *inputs.VOICE_INPUTS):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(editions.ROOT / name, root / name)
    if style_package and (root / "scenes" / "style.py").exists():
        (root / "scenes" / "style").mkdir()
        (root / "scenes" / "style.py").rename(root / "scenes" / "style" / "__init__.py")
    return root


def edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the render's inputs, which editions.ROOT points at."""
    root = copy_of_the_tree(tmp_path)
    monkeypatch.setattr(editions, "ROOT", root)
    return root


def fake_render(seconds: dict[str, float], reused: set[str]):
    """A stand-in for render_chapter: no manim, just the timing it would report."""

    def render_chapter(chapter, quality, log, children, narrated=True, locale="en"):
        video = editions.build_dir(quality, narrated, locale) / "chapters" / f"{chapter.module}.mp4"
        return chapter_render.RenderedChapter(
            chapter, video, None, 30.0, seconds[chapter.module], chapter.module in reused, locale=locale
        )

    return render_chapter


@pytest.fixture
def quiet_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """build/ under tmp_path, and no check for LaTeX (nothing is rendered)."""
    monkeypatch.setenv(editions.BUILD_VARIABLE, str(tmp_path / "build"))
    monkeypatch.setattr(chapter_render, "check_system", lambda: None)
    return tmp_path / "build" / "480p15"


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory, narrated_parts: list[RenderedChapter]) -> Path:
    """A narrated build folder as `make video` leaves it, from the tiny chapters: chapters/ (the clips and
    index.json), video.mp4 with its subtitle tracks and chapter markers, its .srt/.vtt and chapter lists."""
    folder = narrated_parts[0].video.parent.parent
    write_index(narrated_parts, folder / "chapters")
    join_edition(narrated_parts, folder / "video.mp4", narrated=True)
    return folder


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory: pytest.TempPathFactory, tiny_build: Path) -> Path:
    """The lesson page of the tiny build (no slides, no derivation clips: the page says how to make them)."""
    from tools.lesson.page import build_site

    folder = tmp_path_factory.mktemp("lesson")
    return build_site(tiny_build, folder / "site", folder / "no-slides")
