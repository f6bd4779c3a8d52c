# The two commands: `make video` renders the video, `make test` runs the tests.
# Both install whatever is missing first (tools/setup.sh).
QUALITY ?= h
JOBS ?= $(shell nproc)
PY := .venv/bin/python

.PHONY: setup test video clean

setup:
	@bash tools/setup.sh

test: setup
	$(PY) -m pytest

video: setup
	$(PY) tools/render.py --quality $(QUALITY) --jobs $(JOBS)

clean:
	rm -rf media build
