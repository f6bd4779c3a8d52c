"""Rendering on a Dask cluster (a LocalCluster of two worker processes): the same files, chapter markers and
subtitles as a local render; a worker with other inputs or other packages is refused, by name."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from scenes.video import Chapter
from tools import cluster, editions, join, schedule

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = [Chapter("tiny_a", "TinyA", "Tiny A", folder=FIXTURES), Chapter("tiny_b", "TinyB", "Tiny B", folder=FIXTURES)]


def frames(video: Path) -> list[bytes]:
    """Every decoded frame's pixels."""
    with av.open(str(video)) as container:
        return [frame.to_ndarray(format="rgb24").tobytes() for frame in container.decode(video=0)]


def chapter_titles_and_starts(video: Path) -> list[tuple[str, float]]:
    with av.open(str(video)) as container:
        return [(c["metadata"].get("title", ""), float(c["start"] * c["time_base"])) for c in container.chapters()]


#: One pytest-xdist worker runs this whole module, first and in one go, so its LocalCluster and renders
#: (``renders``) are made once.
pytestmark = [pytest.mark.xdist_group("cluster"), pytest.mark.slow]


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """The two tiny chapters rendered locally, and on a LocalCluster whose workers build elsewhere."""
    from distributed import LocalCluster

    base = tmp_path_factory.mktemp("cluster")
    patch = pytest.MonkeyPatch()
    try:
        patch.setenv(editions.BUILD_VARIABLE, str(base / "local"))
        local = schedule.render_all(TINY, "l", 2, lambda message: None, narrated=False)
        patch.setenv(editions.BUILD_VARIABLE, str(base / "worker"))  # the workers inherit this
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as tiny:
            patch.setenv(editions.BUILD_VARIABLE, str(base / "client"))
            remote = cluster.render_on_cluster(TINY, "l", tiny.scheduler_address, lambda m: None, narrated=False)
            refused = tiny.scheduler_address
            yield local, remote, base, refused, tiny
    finally:
        patch.undo()


def test_the_cluster_render_gives_the_same_files_as_the_local_one(renders):
    local, remote, base, _, _ = renders
    assert [p.chapter.module for p in remote] == ["tiny_a", "tiny_b"]
    for here, there in zip(local, remote):
        assert there.video.is_relative_to(base / "client"), "the files come back to the client's build folder"
        assert sorted(p.name for p in here.video.parent.glob(f"{here.chapter.module}.*")) == sorted(
            p.name for p in there.video.parent.glob(f"{there.chapter.module}.*")
        )
        for suffix in (".srt", ".sections.json", ".hash"):
            assert here.video.with_suffix(suffix).read_bytes() == there.video.with_suffix(suffix).read_bytes(), suffix
        assert frames(here.video) == frames(there.video)
        assert abs(here.duration - there.duration) < 1e-9
    assert (base / "worker" / "480p15-silent" / "chapters" / "tiny_a.mp4").is_file(), "rendered by a worker"


def test_the_joined_videos_have_the_same_chapter_markers_and_subtitles(renders):
    local, remote, base, _, _ = renders
    here = join.join_edition(local, base / "local" / "video.mp4", narrated=False)
    there = join.join_edition(remote, base / "client" / "video.mp4", narrated=False)
    marks = chapter_titles_and_starts(here.video)
    assert [title for title, _ in marks] == ["Tiny A", "Tiny B"]
    assert chapter_titles_and_starts(there.video) == marks
    assert here.subtitles[0].read_text() == there.subtitles[0].read_text()
    assert "Second cue of B" in there.subtitles[0].read_text()


def test_a_worker_with_other_inputs_is_refused_by_name(renders):
    from distributed import Client

    *_, address, _ = renders
    with Client(address) as client:
        future = client.submit(cluster.render_remote, TINY[0], "l", False, "en", "0" * 64, pure=False)
        with pytest.raises(cluster.WorkerMismatchError, match=r"worker .* refuses tiny_a: its input hash"):
            future.result()


def test_a_worker_whose_packages_differ_from_the_lock_is_named(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==0.0.1\nno-such-package-here==1.0\n# a comment\n", encoding="utf-8")
    problems = cluster.installed_mismatches(lock)
    assert problems[0].startswith("numpy: requirements.lock pins 0.0.1, installed ")
    assert problems[1] == "no-such-package-here: requirements.lock pins 1.0, installed not installed"
    assert cluster.installed_mismatches() == [], "this environment is the lock's"
