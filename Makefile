# Every routine task has a target. The first run of any target creates .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbgrader shells out to alembic: keep the venv's bin/ first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
# JupyterLab refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: venv system-deps check test explore lint format bench release lab demo clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# chromium, bubblewrap and postgresql: installed when root, else the apt command is printed.
system-deps:
	tools/system-deps

# At least 4 pytest workers even on 2 cores: the slow tests mostly wait (kernel start-up,
# per-cell timeouts, a browser). --dist loadscope, as tests/conftest.py schedules it: the tests
# of a module that shares a build (a graded class, a JupyterLab, a PostgreSQL server) run on
# one worker, which builds it once, the biggest groups first; every other test on its own.
# (--dist load let every worker that drew one of those tests build its own copy.)
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 4 ] && echo 4 || echo $$n)

# The fast lane, for every change to mlelib or course/: ruff, then every test that runs no
# nbgrader, kernel, server, browser, PostgreSQL or sandbox (those carry one of these markers,
# and tests/conftest.py fails a test that starts one of them without its marker).
FAST_LANE := not slow and not browser and not postgres and not sandbox

check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check mlelib course tests bench
	$(BIN)/python -m pytest -n auto -m "$(FAST_LANE)"

test: venv system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope

# The property tests with fresh random examples, 25 times as many (tests/properties.py); make
# check and make test try the same examples every run. Failures are kept in .hypothesis/.
explore: venv
	MLE_HYPOTHESIS=explore $(BIN)/python -m pytest -n auto -m hypothesis

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check mlelib course tests bench

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format mlelib course tests bench

bench: venv
	$(BIN)/python -m bench

release: venv
	$(BIN)/python -m course.release

lab: venv
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) release

demo: venv
	$(BIN)/python -m course.demo

clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback reports demo build .pytest_cache .hypothesis
