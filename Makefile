# 联盟看板 — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements
DB     ?= data/registry.duckdb
PORT   ?= 8501

.PHONY: run test install db bench sample docs clean

# Reinstall only when requirements.txt changes (the stamp is newer otherwise).
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Build the registry from data/sample/ when it is missing; never overwrite an existing one.
db: install
	@$(PY) -m loaders init --db $(DB)

run: db
	@echo "联盟看板：http://localhost:$(PORT)  （Ctrl+C 退出）"
	REGISTRY_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

test: db
	$(PY) -m pytest -q

bench: install
	$(PY) bench/bench_load.py
	$(PY) bench/bench_queries.py
	$(PY) bench/bench_briefing.py
	$(PY) bench/bench_pages.py

sample: install
	$(PY) data/generate_sample.py

docs: install
	$(PY) -m loaders docs

clean:
	rm -rf $(VENV) data/registry.duckdb data/registry.duckdb.history data/.registry.duckdb.*.tmp
