"""The tools' plumbing: probing videos, child processes, the one-line command-line failures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from tools import plumbing
from tools.plumbing import Children, UsageError, probe, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_probe_reads_frames_rate_duration_and_size_of_a_tiny_render(parts):
    alpha, beta = (probe(p.video) for p in parts)
    assert (alpha.frames, beta.frames) == (15, 30)  # 1 s and 2 s at 15 fps
    assert alpha.frame_rate == Fraction(15)
    assert (alpha.duration, beta.duration) == (1.0, 2.0)
    assert (alpha.width, alpha.height) == (854, 480)
    assert alpha.chapters == ()


def test_probe_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.mp4"):
        probe(tmp_path / "nowhere.mp4")


def sleeper(tmp_path: Path, name: str, ignore_term: bool = False) -> list[str]:
    """A child that writes its pid to tmp_path/<name>.pid, then sleeps (optionally deaf to SIGTERM)."""
    code = (
        "import os, signal, sys, time\n"
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_term else "")
        + f"open({str(tmp_path / (name + '.pid'))!r}, 'w').write(str(os.getpid()))\n"
        + "time.sleep(60)\n"
    )
    return [sys.executable, "-c", code]


def wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.02)


def test_terminate_all_ends_running_children_kills_deaf_ones_and_refuses_new_ones(tmp_path):
    children = Children()
    with children.popen(sleeper(tmp_path, "polite")) as polite, children.popen(sleeper(tmp_path, "deaf", True)) as deaf:
        wait_for(tmp_path / "polite.pid")
        wait_for(tmp_path / "deaf.pid")
        started = time.monotonic()
        children.terminate_all(grace=0.5)
        assert polite.returncode is not None and deaf.returncode is not None
        assert deaf.returncode == -9  # SIGKILL after the grace period
        assert time.monotonic() - started < 30, "waited for the sleepers (60 s) instead of ending them"
    with pytest.raises(KeyboardInterrupt), children.popen([sys.executable, "-c", "pass"]):
        pass


def test_children_run_captures_output_and_status():
    result = Children().run([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"])
    assert (result.returncode, result.stdout) == (3, "out\n")


def test_parallel_map_keeps_order_and_rejects_zero_jobs():
    assert plumbing.parallel_map(lambda x: x * x, [3, 1, 2], 2, Children()) == [9, 1, 4]
    with pytest.raises(ValueError, match="got 0"):
        plumbing.parallel_map(abs, [1], 0, Children())


@pytest.mark.parametrize(
    ("error", "status", "stderr"),
    [
        (UsageError("unknown chapter 'x'"), 2, "error: unknown chapter 'x'\n"),
        (KeyboardInterrupt(), 130, plumbing.INTERRUPTED + "\n"),
    ],
)
def test_run_cli_turns_failures_into_one_line_and_a_status(capsys, error, status, stderr):
    def main() -> int:
        raise error

    with pytest.raises(SystemExit) as exited:
        run_cli(main)
    assert exited.value.code == status
    assert capsys.readouterr().err == stderr


def test_run_cli_exits_with_mains_status():
    with pytest.raises(SystemExit) as exited:
        run_cli(lambda: 7)
    assert exited.value.code == 7


def test_run_cli_lets_other_errors_show_their_traceback():
    with pytest.raises(ZeroDivisionError):
        run_cli(lambda: 1 // 0)


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_closed_pipe_is_quiet(tmp_path, unbuffered):
    """`tool | head`: the reader is gone before the tool writes; no BrokenPipeError on stderr.

    Buffered, the write fails only at the final flush; unbuffered, in print itself.
    """
    script = tmp_path / "lister.py"
    script.write_text(
        "import time\nfrom tools.plumbing import run_cli\n"
        "def main():\n    time.sleep(0.3)\n    print('line\\n' * 10)\n    return 0\nrun_cli(main)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=ROOT, env={**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT),
                       **({"PYTHONUNBUFFERED": unbuffered} if unbuffered else {})},
    )  # fmt: skip
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=20) == 1
    assert stderr == ""


def test_shown_paths_are_relative_inside_the_root_and_absolute_outside(tmp_path):
    from tools.plumbing import shown

    assert shown(tmp_path / "build" / "video.mp4", tmp_path) == "build/video.mp4"
    assert shown("/elsewhere/video.mp4", tmp_path) == "/elsewhere/video.mp4"
