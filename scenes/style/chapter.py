"""What every chapter does: title card, captions that are spoken (narrated edition) or burned in (silent
edition) and mirrored into subtitles, slide beats, the highlight section, and derivation screens."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from manim import (
    DOWN,
    UP,
    Animation,
    AnimationGroup,
    Camera,
    FadeIn,
    FadeOut,
    ManimColor,
    Mobject,
    Scene,
    ThreeDScene,
    VGroup,
    Write,
    config,
)
from manim.renderer.cairo_renderer import CairoRenderer
from manim.utils.exceptions import EndSceneEarlyException

from common.voice import Speech, VoiceEngine
from scenes import video
from scenes.i18n import CUES_SUFFIX, LANGUAGES, SOURCE, Msg, _, current_locale, english, untranslated
from scenes.style.camera import ChapterCamera, ChapterThreeDCamera
from scenes.style.encoding import ChapterFileWriter
from scenes.style.geometry import break_line
from scenes.style.narration import PAUSE_AFTER_LINE, Line, Said, Script, narrated
from scenes.style.palette import (
    BACKGROUND,
    CAPTION_SIZE,
    CAPTION_SWAP_SECONDS,
    LABEL_SIZE,
    MATH_SIZE,
    MIN_CAPTION_SECONDS,
    MUTED,
    READING_SECONDS_PER_WORD,
    ROW_WRITE_SECONDS,
    SCREEN_FADE_SECONDS,
    TITLE_SIZE,
)
from scenes.style.widgets import derivation_rows, fit_within, text

if TYPE_CHECKING:
    from mathcore.derivations import Derivation

# Every scene that uses the style (chapters, and test scenes built from its mobjects) gets the background.
config.background_color = ManimColor(BACKGROUND)

#: Name of the manim section that holds a chapter's main animation (see ChapterMixin.highlight).
HIGHLIGHT_SECTION = "highlight"

#: A screen of derivation beats: (caption at the bottom, ((step of the derivation, label beside it), ...)), ...
Screen = Sequence[tuple["str | Msg | Said", Sequence[tuple[str, "str | Msg"]]]]

log = logging.getLogger(__name__)


def reading_time(content: str | Msg) -> float:
    """How long a caption stays up: enough to read its English at a relaxed pace (every language's edition
    has the same timing; the catalogue's tests keep translations short enough to read in it)."""
    return max(MIN_CAPTION_SECONDS, READING_SECONDS_PER_WORD * len(english(content).split()))


def screen_entries(screen: Screen) -> list[tuple[str, str]]:
    """Every (step, label) of a screen, in the order they are written."""
    return [entry for _, beat in screen for entry in beat]


def screen_beats(screen: Screen) -> list[tuple[str | Msg | Said, int]]:
    """(caption, how many rows it writes) per beat of a screen."""
    return [(caption, len(beat)) for caption, beat in screen]


def row_for(rows: VGroup, screen: Screen, step: str) -> VGroup:
    """The row of ``rows`` (laid out from ``screen``, one row per entry) that shows ``step``."""
    steps = [entry_step for entry_step, _ in screen_entries(screen)]
    if step not in steps:
        raise ValueError(f"step {step!r} is not on this screen: {steps}")
    return rows[steps.index(step)]


def chapter_of(scene_class: type) -> video.Chapter:
    """The chapter a scene class (or a subclass of it, such as its slide version) renders."""
    for klass in scene_class.__mro__:
        try:
            return video.by_scene(klass.__name__)
        except ValueError:
            continue
    raise ValueError(f"{scene_class.__name__} is not a chapter listed in scenes/video.py")


class StepwiseUpdater:
    """An updater that changes its mobject only now and then (at a run's snapshot steps, say), not every frame.

    ``update(mob)`` returns whether it changed the mobject. A chapter keeps a mobject whose updaters are all
    stepwise in its static frame, and draws that frame again on the frames where one of them changed it.
    Copies of a mobject share the updater, as they would share a plain function.
    """

    def __init__(self, update: Callable[[Mobject], bool]) -> None:
        self.update = update
        self.changed = False

    def __call__(self, mob: Mobject) -> None:
        if self.update(mob):
            self.changed = True

    def __deepcopy__(self, memo: dict) -> StepwiseUpdater:
        return self


def moves_itself(mob: Mobject) -> bool:
    """Whether a mobject's own updaters may change it on any frame: some run (not suspended) and are not stepwise."""
    return not mob.updating_suspended and any(not isinstance(u, StepwiseUpdater) for u in mob.updaters)


def animated_mobjects(animations: Sequence[Animation]) -> list[Mobject]:
    """Every mobject the animations change: each animation's mobject and its family, through nested groups."""
    members: list[Mobject] = []
    for animation in animations:
        members.extend(animation.mobject.get_family())
        if isinstance(animation, AnimationGroup):
            members.extend(animated_mobjects(animation.animations))
    return members


class ChapterMixin:
    """What every chapter does: title card, captions spoken or shown, mirrored into subtitles.

    The chapter's number and title come from the ordered list in scenes/video.py.
    Use it through ChapterScene (2-D) or ChapterThreeDScene. The edition comes from
    scenes.style.narration.narrated(): narrated (spoken lines, no caption bar) or silent.
    """

    #: The camera the chapter draws with (scenes.style.camera); ChapterThreeDScene's is the 3-D one.
    chapter_camera: type[Camera] = ChapterCamera

    def __init__(self, renderer: CairoRenderer | None = None, **kwargs) -> None:
        # manim's Cairo renderer, with the chapters' camera and file writer (scenes.style.encoding).
        if renderer is None:
            renderer = CairoRenderer(file_writer_class=ChapterFileWriter, camera_class=self.chapter_camera,
                                     skip_animations=kwargs.get("skip_animations", False))  # fmt: skip
        super().__init__(renderer=renderer, **kwargs)

    def setup(self) -> None:
        self.camera.background_color = ManimColor(BACKGROUND)
        self._caption: Mobject | None = None
        self.chapter = chapter_of(type(self))
        self.narrated = narrated()
        self.script = Script(self.chapter.module)
        self._voice: VoiceEngine | None = None
        self._speech_end = 0.0  # scene time at which the last spoken line ends
        self._static_stepwise: list[StepwiseUpdater] = []  # see begin_animations
        self.locale = current_locale()
        if self.narrated and self.locale != SOURCE.tag:
            raise ValueError(
                f"the narrated edition is spoken in English (LOCALE={self.locale!r}); it carries the "
                f"{self.locale} subtitles itself. For a {self.locale} video use the silent edition, NARRATION=off"
            )
        self._cues: list[dict[str, object]] = []  # every subcaption and its message (see CUES_SUFFIX)

    def tear_down(self) -> None:
        # The last line is heard to its end inside the chapter, never cut by the next one.
        if self.narrated:
            try:
                self._wait_for_speech()
            except EndSceneEarlyException:  # a partial render (-n / upto_animation_number) ended before the line
                pass
        self._write_cues()
        super().tear_down()

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """manim's moving mobjects (redrawn every frame; the rest is drawn once into a static frame), refined.

        manim redraws everything from the first mobject whose *family* has an updater, so a panel group holding
        one updating trace redraws all its axes, labels and heat-map every frame. Here the redrawing starts at
        the first mobject that itself moves: animated, in the foreground, or with *its own* updater that runs
        and is not a StepwiseUpdater (those are handled by update_to_time). Everything drawn after it is still
        redrawn, so the order on screen is kept. This assumes that an updater changes only its own mobject and
        ones drawn after it (true of every updater in scenes/: tests compare the frames).
        """
        moving = super().get_moving_mobjects(*animations)
        if moving is self.mobjects:  # a 3-D scene whose camera moves: everything, as manim says
            return moving
        animated = {id(member) for member in animated_mobjects(animations)}
        foreground = {id(member) for member in self.foreground_mobjects}
        for start, mob in enumerate(moving):
            if id(mob) in animated or id(mob) in foreground or moves_itself(mob):
                return moving[start:]
        return []

    def begin_animations(self) -> None:
        """manim's, then note the stepwise updaters of what stays in the static frame (drawn right after this)."""
        super().begin_animations()
        moving = {id(mob) for mob in self.moving_mobjects}
        self._static_stepwise = [
            updater
            for mob in self.get_mobject_family_members()
            if id(mob) not in moving
            for updater in mob.updaters
            if isinstance(updater, StepwiseUpdater)
        ]
        for updater in self._static_stepwise:
            updater.changed = False

    def update_to_time(self, t: float) -> None:
        """manim's, then draw the static frame again if a stepwise updater changed a mobject in it."""
        super().update_to_time(t)
        changed = [updater for updater in self._static_stepwise if updater.changed]
        for updater in changed:
            updater.changed = False
        if changed and not self.renderer.skip_animations:
            self.renderer.save_static_frame_data(self, self.static_mobjects)

    def subtitle(self, message: Msg, duration: float) -> None:
        """A subtitle cue from now for ``duration`` s: manim's subcaption in the render's language, and the cue's
        message in the chapter's cue record, from which tools/render.py makes the other languages' cues."""
        shown = message.in_(self.locale)
        self.add_subcaption(shown, duration=duration)
        self._cues.append({"start": self.time, "end": self.time + duration, "text": shown,
                           "message": message.to_record()})  # fmt: skip

    def _write_cues(self) -> None:
        """Write the cue record beside manim's .srt (not for stills or a preview)."""
        for tag in LANGUAGES:
            missing = untranslated(tag)
            if missing:
                log.warning("%s: %d strings have no current %s translation (English shown; `make translations`),"
                            " e.g. %r", self.chapter.module, len(missing), tag, missing[0])  # fmt: skip
        movie = getattr(self.renderer.file_writer, "movie_file_path", None)
        if not config.write_to_movie or not movie:
            return
        target = Path(movie).with_suffix(CUES_SUFFIX)
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps({"locale": self.locale, "cues": self._cues}, ensure_ascii=False, indent=1))
        partial.replace(target)

    def _wait_for_speech(self) -> None:
        """Wait until the previous line has been spoken, plus a short pause."""
        remaining = self._speech_end + PAUSE_AFTER_LINE - self.time
        if remaining > 1e-6:
            self.wait(remaining)

    def speak(self, line: Line) -> Speech:
        """Start ``line`` now: its speech as a sound, its words as the subtitle cue."""
        self._wait_for_speech()
        if self._voice is None:
            self._voice = VoiceEngine()
        speech = self._voice.speak(line.id, line.spoken)
        self.add_sound(str(speech.path))
        self.subtitle(line.said_message, speech.duration)
        self._speech_end = self.time + speech.duration
        return speech

    def title_card(self, subtitle: str | Msg | None = None) -> None:
        """Open the chapter with its number and title."""
        title = Msg(self.chapter.title)
        number = video.chapter_number(self.chapter)
        heading = text(_("{number}. {title}").format(number=number, title=title), TITLE_SIZE)
        fit_within(heading, config.frame_width - 1.0, config.frame_height)
        group = VGroup(heading)
        if subtitle:
            group.add(text(subtitle, LABEL_SIZE, MUTED).next_to(heading, DOWN, buff=0.35))
        self.next_section(self.chapter.title)  # section names stay English: files, not viewers, read them
        say = _("Chapter {number}. {title}.").format(number=number, title=title)
        line = self.script.add(title, say=say, key="title")
        if self.narrated:
            self.speak(line)
        else:
            self.subtitle(line.caption_message, duration=2.0)
        self.pin(group)
        self.play(FadeIn(group, shift=0.2 * UP), run_time=0.8)
        self.wait(1.2)
        if self.narrated:
            self._wait_for_speech()  # the card stays while its title is spoken
        self.play(FadeOut(group), run_time=0.5)

    def caption(
        self,
        content: str | Msg,
        *animations,
        say: str | Msg | None = None,
        run_time: float | None = None,
        hold: float | None = None,
    ) -> None:
        """A beat: ``content`` is spoken (narrated edition) or shown at the bottom (silent), while ``animations`` play.

        ``say`` is the sentence the narrator speaks when the caption is terse or full of symbols.
        Narrated: the animations start with the line, and the next line waits until this one has been
        spoken. Silent: the caption stays up at least its reading time; ``hold`` overrides the wait after.
        Each caption starts a new beat: in the slide deck, a pause before it, with the spoken line as notes.
        """
        line = self.script.add(content, say)
        self.beat(line.said(self.locale))
        needed = reading_time(content)
        if self.narrated:
            self.speak(line)
            if animations:
                duration = run_time if run_time is not None else max(1.0, needed * 0.6)
                self.play(*animations, run_time=duration)
                rest = needed - duration if hold is None else hold
            else:
                rest = needed if hold is None else hold
            if rest > 0:
                self.wait(rest)
            if hold != 0:  # the beat lasts as long as its line; hold=0 marks a beat the next animation continues
                self._wait_for_speech()
            return
        new = self._caption_mobject(line.shown(self.locale))
        self.pin(new)
        if animations:
            duration = run_time if run_time is not None else max(1.0, needed * 0.6)
            self.subtitle(line.caption_message, duration=max(needed, duration))
            self._swap_caption(new)
            self.play(*animations, run_time=duration)
            rest = needed - duration if hold is None else hold
        else:
            self.subtitle(line.caption_message, duration=needed)
            self._swap_caption(new)
            rest = needed if hold is None else hold
        if rest > 0:
            self.wait(rest)

    def _caption_mobject(self, shown: str) -> Mobject:
        """The caption bar's text: one line, or (a language without spaces, such as Chinese, that would not
        fit) two lines broken at the punctuation nearest the middle; scaled down only if still too wide."""
        width = config.frame_width - 0.8
        new = text(shown, CAPTION_SIZE)
        if new.width > width and " " not in shown.strip():
            new = text(break_line(shown), CAPTION_SIZE)
        new.to_edge(DOWN, buff=0.3)
        if new.width > width:
            new.scale_to_fit_width(width)
        return new

    def _swap_caption(self, new: Mobject) -> None:
        """Bring in caption ``new`` in CAPTION_SWAP_SECONDS: the old one (if any) fades out first, then the new
        one fades in, so the two never show on top of each other in the same place."""
        if self._caption is not None:
            self.play(FadeOut(self._caption), run_time=CAPTION_SWAP_SECONDS / 2)
            self.play(FadeIn(new), run_time=CAPTION_SWAP_SECONDS / 2)
        else:
            self.play(FadeIn(new), run_time=CAPTION_SWAP_SECONDS)
        self._caption = new

    def write_rows(
        self,
        rows: VGroup,
        beats: Sequence[tuple[str | Msg | Said, int]],
        hold: float,
        run_time: float = ROW_WRITE_SECONDS,
        clear: bool = True,
        keep: Mobject | None = None,
    ) -> None:
        """Write ``rows`` beat by beat: each (caption, count) writes the next ``count`` rows under its caption
        (a ``Said(caption, say)`` gives the sentence the narrator says instead of the caption).

        Then hold ``hold`` seconds so the last formulas can be read, and (``clear``) fade the rows out,
        all but ``keep`` (a part of a row that stays for what comes next).
        """
        if sum(count for _, count in beats) != len(rows):
            raise ValueError(f"beats {beats!r} write {sum(c for _, c in beats)} rows, but there are {len(rows)}")
        written = 0
        for caption, count in beats:
            content, say = caption if isinstance(caption, Said) else (caption, None)
            self.caption(content, *(Write(row) for row in rows[written : written + count]), say=say, run_time=run_time)
            written += count
        self.wait(hold)
        if not clear:
            return
        leaving = rows if keep is None else VGroup(*(part for row in rows for part in row if part is not keep))
        self.play(FadeOut(leaving), run_time=SCREEN_FADE_SECONDS)

    def write_derivation(
        self,
        derivation: Derivation,
        screen: Screen,
        hold: float,
        size: int = MATH_SIZE,
        buff: float = 0.45,
        clear: bool = True,
        keep_step: str | None = None,
    ) -> VGroup:
        """Lay out ``screen``'s steps of ``derivation`` as rows (derivation_rows) and write them (write_rows).

        ``keep_step`` names a step whose formula stays on screen when the rest fades; returns the rows.
        """
        rows = derivation_rows(derivation, screen_entries(screen), size=size, buff=buff)
        keep = None if keep_step is None else row_for(rows, screen, keep_step).formula
        self.write_rows(rows, screen_beats(screen), hold, clear=clear, keep=keep)
        return rows

    def pin(self, *mobjects: Mobject) -> None:
        """Keep mobjects fixed in the frame (a no-op in 2-D; see ChapterThreeDScene)."""

    @contextmanager
    def highlight(self) -> Iterator[None]:
        """Mark the chapter's main animation: `make stills` cuts the chapter's GIF from it."""
        self.next_section(HIGHLIGHT_SECTION)
        yield
        self.next_section(f"{self.chapter.title} (end)")

    def beat(self, notes: str = "") -> None:
        """A natural pause: a new slide when rendered as slides (scenes/slides.py), else nothing."""
        next_slide = getattr(self, "next_slide", None)
        if next_slide is not None:
            next_slide(notes=notes)

    def clear_caption(self) -> None:
        """Fade the current caption out (narrated: let the line finish first)."""
        if self.narrated:
            self._wait_for_speech()
        if self._caption is not None:
            self.play(FadeOut(self._caption), run_time=0.3)
            self._caption = None


class ChapterScene(ChapterMixin, Scene):
    """A 2-D chapter."""


class ChapterThreeDScene(ChapterMixin, ThreeDScene):
    """A chapter with a 3-D camera; captions and titles are fixed in the frame."""

    chapter_camera = ChapterThreeDCamera

    def pin(self, *mobjects: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(*mobjects)
