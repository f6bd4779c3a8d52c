"""The command line: an unknown chapter, a closed pipe and Ctrl-C each end in one line, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scenes.video import CHAPTERS
from tools import chapter_render, editions, inputs, plumbing, render, schedule

ROOT = Path(__file__).resolve().parents[2]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=60, check=False,  # the status is what is tested
    )  # fmt: skip


@pytest.mark.parametrize("tool", ["tools/render.py", "tools/slides.py"])
def test_unknown_chapter_is_one_line_and_status_2(tool):
    result = run_tool(tool, "-q", "l", "--only", "vanilla_gd", "nonexistent")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: unknown chapter 'nonexistent'; chapters: {', '.join(c.module for c in CHAPTERS)}"
    ]
    assert result.stdout == ""


def test_list_into_a_closed_pipe_is_quiet():
    """`render.py --list | head -2`, with the reader gone before anything is written."""
    proc = subprocess.Popen(
        [sys.executable, "tools/render.py", "--list"], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr, stderr


@pytest.fixture
def ctrl_c_raises():
    """Python's KeyboardInterrupt handler for SIGINT, whatever the shell left: a background job (`make test &`,
    nohup) starts with SIGINT ignored, and Python then installs no handler, so no SIGINT would reach the tool."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_ends_the_manim_children_starts_no_more_and_leaves_no_partial_file(
    tmp_path, monkeypatch, capsys, ctrl_c_raises
):
    """SIGINT while two chapters render (two jobs) and a third waits: one line, status 130, children gone."""
    pids = tmp_path / "pids"
    pids.mkdir()

    def sleeping_manim(chapter, quality, media):  # stands in for manim: records its pid, then renders "forever"
        code = f"import os, time; open({str(pids / chapter.module)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
        return [sys.executable, "-c", code]

    monkeypatch.setattr(chapter_render, "manim_command", sleeping_manim)
    monkeypatch.setenv(editions.BUILD_VARIABLE, str(tmp_path / "build"))
    monkeypatch.setattr(chapter_render, "check_system", lambda: None)
    monkeypatch.setattr(inputs, "input_hash", lambda chapter, quality, narrated=True, **_: "digest")

    def interrupt_when_both_run() -> None:
        deadline = time.monotonic() + 30
        while len([p for p in pids.iterdir() if p.read_text()]) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)  # Linux hands a process-wide signal to the main thread first

    threading.Thread(target=interrupt_when_both_run, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(SystemExit) as exited:
        three = ["opening", "radial_surface", "lemma_one"]
        plumbing.run_cli(lambda: render.main(["-q", "l", "-j", "2", "--only", *three]))
    assert exited.value.code == 130
    assert time.monotonic() - started < 45, "waited for the children (60 s) instead of ending them"
    assert capsys.readouterr().err == plumbing.INTERRUPTED + "\n"
    first_two = [p.chapter.module for p in schedule.plan(editions.select(three), "l", 2)][:2]
    assert sorted(p.name for p in pids.iterdir()) == sorted(first_two), "a queued chapter was started"
    for pid_file in pids.iterdir():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid_file.read_text()), 0)  # terminated and reaped
    build = tmp_path / "build"
    left = [p for p in build.rglob("*") if p.is_file()] if build.exists() else []
    assert left == [], f"files left behind: {left}"
