# Two entry points (see README): `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test venv clean samples bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# Findings are not a failure of the demo: exit 1 (findings found) counts as success.
demo: $(STAMP)
	$(BIN)/audit-rules check sample_ledgers --out out/demo; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

samples: $(STAMP)
	$(BIN)/python sample_ledgers/generate.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_journal.py
	$(BIN)/python benchmarks/bench_read.py
	$(BIN)/python benchmarks/bench_quality.py
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) out build *.egg-info
