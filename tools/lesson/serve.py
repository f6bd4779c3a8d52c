"""Serve the lesson page's folder on localhost, answering range requests as every static host does.

``python -m http.server`` serves the page too, but answers a request for bytes 1000-1999 of the video with the
whole file: Chromium then cannot seek in the video (a chapter or a transcript line would play from 0:00). This is
the standard library's handler with single byte ranges (RFC 9110, 206 Partial Content) added, nothing more.
"""

from __future__ import annotations

import functools
import os
import re
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that also answers ``Range: bytes=a-b`` (one range) with 206 Partial Content."""

    def send_head(self):
        wanted = _RANGE.fullmatch(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if wanted is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = wanted.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        else:
            start, end = int(first), min(size - 1, int(last)) if last else size - 1
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(1 << 16, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        return None

    def end_headers(self) -> None:
        if "Range" not in self.headers:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def server(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server of ``folder`` on ``host:port`` (port 0: any free one); call ``serve_forever`` on it."""
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"no lesson page in {folder}: run `make site` first")
    handler = functools.partial(RangeRequestHandler, directory=os.fspath(folder))
    return ThreadingHTTPServer((host, port), handler)

