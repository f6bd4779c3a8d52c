# The two commands: `make video` renders the video, `make test` runs the tests.
# Every target installs whatever is missing first (tools/setup.sh).
QUALITY ?= h
SLIDES_QUALITY ?= m
JOBS ?= $(shell nproc)
CHAPTERS ?=
# on: the narrated edition (voice, loudness-normalised AAC, English subtitle track) in build/<res>/;
# off: the silent one (captions on screen) in build/<res>-silent/. Slides are always silent.
NARRATION ?= on
# The language of the captions and labels: en, or zh-Hans (silent edition only: NARRATION=off), into
# build/<res>-silent-zh-Hans/. Not LANG, which would change the process locale of every command.
LOCALE ?= en
# DRY_RUN=1: print the plan (the chapters in the order they would start, expected costs, reuse) and render nothing.
DRY_RUN ?=
# A Dask scheduler to render the chapters on (e.g. tcp://host:8786; README: "Rendering on a cluster"); empty: local.
SCHEDULER ?=
export SCHEDULER
PY := .venv/bin/python

.PHONY: setup lint test test-math test-explore video clips chapters chapter script translations slides stills site bench clean

setup:
	@bash tools/setup.sh

lint: setup  ## ruff, with the pinned version and pyproject.toml's rules
	$(PY) -m ruff check .

# pytest's worker processes (pytest-xdist): one per core; TEST_JOBS=0 runs every test in one process.
TEST_JOBS ?= auto
# The derivations and trajectories alone: what a researcher checking the mathematics runs.
MATH_TESTS := tests/mathcore

test:  ## ruff first, then the test suite (derandomized: the same examples on every run)
	@bash tools/setup.sh test
	$(PY) -m ruff check .
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadgroup

test-math: setup  ## the derivation and trajectory tests alone (tests/mathcore), in under a minute
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadgroup $(MATH_TESTS)

test-explore:  ## the suite with fresh random examples and hypothesis' example database (.hypothesis/)
	@bash tools/setup.sh test
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest -n $(TEST_JOBS) --dist loadgroup

video: setup  ## the full video: build/<quality>/video.mp4 (+ video.en.srt/.vtt; silent: + video.srt), chapter markers
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION) --locale $(LOCALE) \
		$(if $(DRY_RUN),--dry-run)

clips: setup  ## one MP4 (+ .srt, .en.srt, .en.vtt) per chapter and index.json / index.md, no join
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION) --locale $(LOCALE) --no-join

chapters: setup  ## list the chapters
	@$(PY) tools/render.py --list

chapter: setup  ## render chosen chapters: make chapter CHAPTERS="vanilla_gd weight_decay" QUALITY=l
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS) --narration $(NARRATION) --locale $(LOCALE) --only $(CHAPTERS)

script: setup  ## the spoken script: build/script.json and build/script.md (line ids, captions, spoken lines)
	$(PY) tools/script.py

translations: setup  ## re-extract assets/locale/video.pot from scenes/; merge it into the Chinese catalogue (a changed string turns fuzzy: stale)
	$(PY) tools/translations.py

slides:  ## build/slides/<quality>[-<locale>]/slides.html (offline, one file), slides.pdf, slides.pptx
	@bash tools/setup.sh slides
	$(PY) tools/slides.py --quality $(SLIDES_QUALITY) --jobs $(JOBS) --locale $(LOCALE)

stills: clips  ## poster, key-frame PNGs per chapter, GIFs of the original post's five animations
	$(PY) tools/stills.py --quality $(QUALITY) --narration $(NARRATION) --locale $(LOCALE)

site:  ## the lesson page: build/site/ (index.html, index.zh-Hans.html) from the narrated build of QUALITY
	@bash tools/setup.sh site
	$(PY) tools/site.py --quality $(QUALITY)

bench: setup  ## writes BENCHMARKS.md
	$(PY) tools/bench.py

clean:
	rm -rf build media slides
