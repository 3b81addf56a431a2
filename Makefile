# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	# Byte-compile the checkout as pip does an installed package: where PYTHONDONTWRITEBYTECODE
	# is set, every command would otherwise compile storywatch's modules again (0.05 s a run).
	$(BIN)/python -m compileall -q alerts extractors flows storylines storywatch warehouse
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/storywatch demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/scale_feeds.py
	$(BIN)/python bench/scale_store.py
	$(BIN)/python bench/storylines_eval.py
	$(BIN)/python bench/train_join_model.py
	$(BIN)/python bench/timeline17_eval.py --pipeline
	$(BIN)/python bench/storylines_pipeline.py
	$(BIN)/python bench/storylines_pipeline.py --corpus storyline-extra
	$(BIN)/python bench/storylines_pipeline.py --corpus storyline-blind
	$(BIN)/python bench/analyst_copy.py
	$(BIN)/python -m bench.hostile

clean:
	rm -rf $(VENV) .pytest_cache data/demo
