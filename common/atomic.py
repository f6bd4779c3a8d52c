"""Atomic outputs: a file is absent, old or complete, never half-written (an interrupted render leaves no corrupt file).

- ``atomic_output(target)``: write to a temporary file beside ``target``, publish it in one step.
- ``write_text_atomically``, ``copy_atomically``: the two common cases.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Mode of published files: mkstemp makes them private (0o600), outputs are for everyone to read.
PUBLISHED_MODE = 0o644


@contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success move it onto ``target`` in one step.

    The temporary name keeps ``target``'s suffix (PyAV and Pillow pick the format from it) and
    starts with a dot. If the body raises (KeyboardInterrupt included), the temporary file is
    removed and ``target`` is left as it was: absent, old, or complete, never half-written.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".partial{target.suffix}")
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to the temporary file {tmp} for {target}")
        os.chmod(tmp, PUBLISHED_MODE)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(target: str | os.PathLike[str], content: str) -> Path:
    """Write ``content`` (UTF-8) to ``target`` atomically; returns ``target`` as a Path."""
    with atomic_output(target) as tmp:
        tmp.write_text(content, encoding="utf-8")
    return Path(target)


def copy_atomically(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Copy ``source`` to ``target`` atomically; returns ``target`` as a Path."""
    with atomic_output(target) as tmp:
        shutil.copyfile(source, tmp)
    return Path(target)
