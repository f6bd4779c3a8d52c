# The two commands: `make video` renders the video, `make test` runs the tests.
# Every target installs whatever is missing first (tools/setup.sh).
QUALITY ?= h
SLIDES_QUALITY ?= m
JOBS ?= $(shell nproc)
CHAPTERS ?=
# on: the narrated edition (voice, loudness-normalised AAC, English subtitle track) in build/<res>/;
# off: the silent one (captions on screen) in build/<res>-silent/. Slides are always silent.
NARRATION ?= on
PY := .venv/bin/python

.PHONY: setup lint test video clips chapters chapter script translations slides stills bench clean

setup:
	@bash tools/setup.sh

lint: setup  ## ruff, with the pinned version and pyproject.toml's rules
	$(PY) -m ruff check .

test: lint  ## ruff first, then the test suite
	$(PY) -m pytest

video: setup  ## the full video: build/<quality>/video.mp4 (+ video.en.srt/.vtt; silent: + video.srt), chapter markers
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION)

clips: setup  ## one MP4 (+ .srt, .en.srt, .en.vtt) per chapter and index.json / index.md, no join
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION) --no-join

chapters: setup  ## list the chapters
	@$(PY) tools/render.py --list

chapter: setup  ## render chosen chapters: make chapter CHAPTERS="vanilla_gd weight_decay" QUALITY=l
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION) --only $(CHAPTERS)

script: setup  ## the spoken script: build/script.json and build/script.md (line ids, captions, spoken lines)
	$(PY) tools/script.py

translations: setup  ## re-extract assets/locale/video.pot from scenes/; merge it into the Chinese catalogue (a changed string turns fuzzy: stale)
	$(PY) tools/translations.py

slides:  ## build/slides/<quality>/slides.html (offline, one file) and slides.pdf
	@bash tools/setup.sh slides
	$(PY) tools/slides.py --quality $(SLIDES_QUALITY) --jobs $(JOBS)

stills: clips  ## poster, key-frame PNGs per chapter, GIFs of the original post's five animations
	$(PY) tools/stills.py --quality $(QUALITY) --narration $(NARRATION)

bench: setup  ## writes BENCHMARKS.md
	$(PY) tools/bench.py

clean:
	rm -rf build media slides
