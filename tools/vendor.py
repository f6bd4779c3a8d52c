"""Front-end files from the npm registry, fetched once with ``npm pack`` and kept under build/cache/npm/, so that
what the project ships (the slides' HTML, the lesson page) makes no request outside its folder: no CDN.

    package_files("katex", "0.19.1")   # -> build/cache/npm/katex-0.19.1/ (the package's files, as published)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from tools import editions

#: Where the unpacked packages are kept, one folder per name and version.
NPM_CACHE = Path("build") / "cache" / "npm"
#: A package name as npm spells it (optionally @scope/name) and an exact version: nothing a shell could misread.
_NAME = re.compile(r"(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*")
_VERSION = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")


def package_files(name: str, version: str, cache: Path | None = None) -> Path:
    """The folder of the npm package ``name@version``'s files (its ``package/`` contents), fetched on first use.

    Raises ValueError for a malformed name or version and SystemExit, saying what to install, without npm.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an npm package name: {name!r}")
    if not _VERSION.fullmatch(version):
        raise ValueError(f"not an exact npm version: {version!r} (pin one, e.g. 0.19.1)")
    cache = editions.ROOT / NPM_CACHE if cache is None else cache
    folder = cache / f"{name.replace('/', '__').lstrip('@')}-{version}"
    if (folder / "package.json").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm is needed once, to fetch {name}@{version} from the npm registry (Debian: npm)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        command = [npm, "pack", f"{name}@{version}", "--silent"]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
        archives = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(archives) != 1:
            raise RuntimeError(f"npm pack {name}@{version} failed: {done.stderr.strip()[-1000:]}")
        with tarfile.open(archives[0]) as archive:
            archive.extractall(tmp, filter="data")
        unpacked = Path(tmp) / "package"
        if not (unpacked / "package.json").is_file():
            raise RuntimeError(f"npm pack {name}@{version} gave no package/package.json")
        shutil.rmtree(folder, ignore_errors=True)
        unpacked.rename(folder)  # same file system: one step, so a half-unpacked package is never used
    return folder
