"""Debian's Chromium, headless, driven by Playwright: for the lesson page's tests and its screenshots.

The browser is the system's (/usr/bin/chromium, Debian's package, installed by tools/setup.sh): Playwright never
downloads one. It starts with the network kept quiet (no background requests, no component updates), so that every
request the page makes is one the page asked for.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where Debian puts its Chromium.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, as root in a container, and with Chromium's own background traffic off.
ARGUMENTS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
)  # fmt: skip
#: Window sizes the page is looked at in: a laptop, and a phone held upright.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> Path:
    """The system Chromium; RuntimeError saying what to install when it is missing."""
    found = CHROMIUM if CHROMIUM.is_file() else (shutil.which("chromium") and Path(shutil.which("chromium")))
    if not found:
        raise RuntimeError("Chromium is missing: install Debian's package chromium (tools/setup.sh test does)")
    return Path(found)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (Playwright's Browser) for the duration of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=list(ARGUMENTS))
        try:
            yield browser
        finally:
            browser.close()


def screenshots(site: Path, out: Path) -> list[Path]:
    """Full-page PNGs of both pages on a desktop, and of the English and Chinese pages at a phone's width."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium() as browser:
        for tag, page_file in (("en", "index.html"), ("zh-Hans", "index.zh-Hans.html")):
            for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page = browser.new_page(viewport=size, device_scale_factor=1)
                page.goto((site / page_file).resolve().as_uri())
                page.wait_for_function("window.Explorable && window.Explorable.state.updates > 0")
                page.wait_for_timeout(300)  # the heat map image, drawn when it has loaded
                target = out / f"lesson-{tag}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
                page.close()
    return written
