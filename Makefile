# Everything goes through a project-local virtual environment, made from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint docs bench bench-instructions bench-sweep bench-adaptation mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/coalsim run scenarios/baseline.toml

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/mypy

# docs/metrics.md and docs/scenario.md are written from the metric definitions and the schema.
docs: $(STAMP)
	$(BIN)/python -m sim.metrics.docs > docs/metrics.md
	$(BIN)/python -m sim.scenario.reference > docs/scenario.md

# CPU ms per replication-year, sweep and run paths, baseline and foundation scopes.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

# Instructions per replication under valgrind's cachegrind: for A/B comparisons.
bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/bench_instructions.py

bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

bench-adaptation: $(STAMP)
	$(BIN)/python benchmarks/bench_adaptation.py -n 20

# Mutation testing of sim/model and sim/world against the fast model tests (docs/testing.md).
# Not part of .ci/run: it takes tens of minutes. mutmut resumes where it stopped and
# re-tests only functions changed since; MUTATION_CHILDREN bounds its processes.
# MUTANTS narrows (or re-tests) a run: make mutation MUTANTS='sim.model.timing.*'
MUTATION_CHILDREN ?= 2
MUTANTS ?=
mutation: $(STAMP)
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANTS)
	$(BIN)/python tests/mutation_score.py

clean:
	rm -rf $(VENV) build *.egg-info mutants
