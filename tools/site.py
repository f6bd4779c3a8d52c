"""Write the lesson page: an offline folder with the video, its transcript, the derivations and an explorable.

    python tools/site.py                # from build/1080p60 (make video) into build/site
    python tools/site.py --quality l    # from build/480p15 (make video QUALITY=l)

    python tools/site.py --serve        # serve build/site on http://localhost:8000/ (seeking in the video works)

Open build/site/index.html (English) or index.zh-Hans.html (Chinese) in a browser, or serve the folder. The folder
needs nothing outside itself, so any static host will do. ``python -m http.server -d build/site`` serves it too,
but answers no range request, so Chromium cannot seek in the video there; ``--serve`` does (tools/lesson/serve.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import editions
from tools.editions import QUALITIES, build_dir
from tools.lesson.content import MissingBuildError
from tools.lesson.page import build_site, page_name
from tools.lesson.serve import server
from tools.plumbing import UsageError, run_cli, shown


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="h", help="the narrated build to use")
    parser.add_argument("--out", type=Path, default=None, help="the site folder (default: build/site)")
    parser.add_argument("--serve", action="store_true", help="serve the folder on localhost instead of building it")
    parser.add_argument("--port", type=int, default=8000, help="the port for --serve (default 8000)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    source = build_dir(args.quality)
    target = args.out if args.out is not None else editions.build_root() / "site"
    if args.serve:
        try:
            running = server(target, args.port)
        except FileNotFoundError as error:
            raise UsageError(str(error)) from error
        print(f"serving {shown(target, editions.ROOT)} on http://localhost:{running.server_address[1]}/ (Ctrl-C stops)")
        with running:
            running.serve_forever()
        return 0
    make = "make video" + ("" if args.quality == "h" else f" QUALITY={args.quality}")
    try:
        build_site(source, target, editions.build_root() / "slides", make)
    except MissingBuildError as error:
        raise UsageError(str(error)) from error
    root = editions.ROOT
    pages = ", ".join(page_name(tag) for tag in ("en", "zh-Hans"))
    print(f"wrote {shown(target, root)}/ ({pages}) from {shown(source, root)} in {time.monotonic() - started:.0f} s")
    print(f"open {shown(target / 'index.html', root)}, or serve it: python -m http.server -d {shown(target, root)}")
    return 0


if __name__ == "__main__":
    run_cli(main)
