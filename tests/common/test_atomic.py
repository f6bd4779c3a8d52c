"""Atomic outputs: published in one step, world-readable, and nothing left behind when the body fails."""

from __future__ import annotations

import stat

import pytest

from common.atomic import atomic_output, copy_atomically, write_text_atomically


def test_atomic_output_publishes_a_world_readable_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "deep" / "frame.png"
    with atomic_output(target) as tmp:
        # Same folder (so os.replace is one step) and same suffix (PyAV and Pillow choose the format from it).
        assert tmp.parent == target.parent and tmp.suffix == ".png" and tmp != target
        tmp.write_bytes(b"complete")
        assert not target.exists(), "published before the body finished"
    assert target.read_bytes() == b"complete"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert list(target.parent.iterdir()) == [target]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_atomic_output_failing_body_removes_the_temporary_file_and_keeps_no_target(tmp_path, error):
    target = tmp_path / "video.mp4"
    with pytest.raises(type(error)), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise error
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_failing_body_keeps_the_old_target(tmp_path):
    target = write_text_atomically(tmp_path / "index.json", "old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("new, half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_copy_atomically_replaces_the_target(tmp_path):
    source = write_text_atomically(tmp_path / "a.srt", "new")
    target = write_text_atomically(tmp_path / "out" / "b.srt", "old")
    copy_atomically(source, target)
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.srt"]
