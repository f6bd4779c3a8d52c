#!/usr/bin/env bash
# Install whatever is missing: Debian packages, the .venv, the pinned Python packages.
# Quick (well under 5 s) when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    libcairo2-dev libpango1.0-dev pkg-config                      # pycairo, ManimPango
    texlive-latex-base texlive-latex-extra texlive-latex-recommended  # MathTex
    texlive-fonts-recommended preview-latex-style dvisvgm
    fonts-dejavu-core fonts-noto-cjk                              # Latin; Chinese (the zh-Hans edition)
)
# The narrator's voice needs no system package: piper-tts links espeak-ng statically and ships its data.
command -v cc >/dev/null 2>&1 || APT_PACKAGES+=(gcc)
# `tools/setup.sh slides|site|test`: the slide deck and the lesson page need npm once, to fetch reveal.js and KaTeX
# from the npm registry (no CDN); the tests also drive Debian's Chromium (never a browser downloaded at run time).
case "${1:-}" in
    slides|site|test) command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm) ;;
esac
if [ "${1:-}" = "test" ]; then APT_PACKAGES+=(chromium); fi
python3 -c 'import ensurepip, venv' 2>/dev/null || APT_PACKAGES+=(python3-venv)
python3 -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || APT_PACKAGES+=(python3-dev)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing system packages and no apt-get to install them." >&2
        echo "Install these (Debian/Ubuntu names) with your package manager, then rerun:" >&2
        echo "    ${missing[*]}" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "setup: installing pinned Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.lock
    # Make mathcore/ and scenes/ importable from anywhere (manim imports scene files by path).
    site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    pwd > "$site/scale_invariance_video.pth"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
