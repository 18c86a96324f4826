# Everything goes through a project-local virtual environment, made from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup fast demo test lint docs bench bench-fast bench-instructions bench-floor bench-gc bench-sweep bench-adaptation mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

setup: $(STAMP)

# The model, its metrics and SimPy's kernel compiled with mypyc into their own environment
# (benchmarks/README.md): the same results 2 to 2.5 times as fast. A snapshot of this
# checkout: rerun after changing sim/.
FAST := .venv-fast
FAST_STAMP := $(FAST)/.installed
$(FAST_STAMP): pyproject.toml setup.py fast/simpy_kernel.py $(shell find sim -name '*.py')
	test -d $(FAST) || $(PYTHON) -m venv $(FAST)
	$(FAST)/bin/pip install --quiet --upgrade pip 'setuptools>=77' wheel 'mypy>=1.10' pandas-stubs
	$(FAST)/bin/pip install --quiet '.[cluster]'
	# SimPy's own release compiled, checked against SimPy's own tests (fast/simpy_kernel.py);
	# if that fails, it says why and the model is compiled against the published SimPy
	-$(FAST)/bin/python fast/simpy_kernel.py
	# mypyc type-checks sim against the installed dependencies, so they come first; a
	# previous build's extension modules go, so none outlives a change in what is compiled
	rm -rf build/lib build/lib.* build/temp.* build/bdist.*
	COALSIM_COMPILE=1 $(FAST)/bin/pip install --quiet --no-build-isolation --no-deps --force-reinstall .
	touch $(FAST_STAMP)

fast: $(FAST_STAMP)

demo: $(STAMP)
	$(BIN)/coalsim run scenarios/baseline.toml

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks fast
	$(BIN)/ruff format --check sim tests benchmarks fast
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

# The compiled model against the pure-Python one: identical results, and the speed-up.
bench-fast: $(STAMP) $(FAST_STAMP)
	$(BIN)/python benchmarks/bench_compiled.py

# What SimPy alone costs for a replication's processes and resumptions: the kernel's floor.
bench-floor: $(STAMP)
	$(BIN)/python benchmarks/bench_floor.py

# A long sequence of replications, everything included, and the garbage collector's share.
bench-gc: $(STAMP)
	$(BIN)/python benchmarks/bench_gc.py

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
	rm -rf $(VENV) $(FAST) build *.egg-info mutants
