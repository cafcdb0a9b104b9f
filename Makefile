# 联盟看板 — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements
PORT   ?= 8501
# Which sample registry `make run` builds and opens (data/sample/<SAMPLE>/), and the profile it is written under.
SAMPLE ?= tianjin
PROFILE_tianjin      := tianjin-2018
PROFILE_zhejiang     := zhejiang-2010
PROFILE_weinan       := weinan-2015
PROFILE_heilongjiang := heilongjiang-2009
PROFILE_most         := most-2009
PROFILE := $(PROFILE_$(SAMPLE))
ifeq ($(PROFILE),)
$(error SAMPLE=$(SAMPLE) 不是示例名称，可用：tianjin zhejiang weinan heilongjiang most)
endif
# Each sample gets its own database, so switching samples never touches another registry.
ifeq ($(SAMPLE),tianjin)
DB     ?= data/registry.duckdb
else
DB     ?= data/registry-$(SAMPLE).duckdb
endif

.PHONY: run test install db bench sample docs clean

# Reinstall only when requirements.txt changes (the stamp is newer otherwise).
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Build the registry from data/sample/$(SAMPLE)/ when it is missing; never overwrite an existing one.
db: install
	@$(PY) -m loaders init --db $(DB) --sample $(SAMPLE)

# REGISTRY_PROFILE preselects the sample's policy profile in the sidebar.
run: db
	@echo "联盟看板：http://localhost:$(PORT)  （$(SAMPLE)，政策配置 $(PROFILE)；Ctrl+C 退出）"
	REGISTRY_DB=$(DB) REGISTRY_PROFILE=$(PROFILE) $(PY) -m streamlit run server.py --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: db
	$(PY) -m pytest -q

# Issue 13's figures at three sizes against floors measured in the same run (about an hour on 2 cores).
BENCH_SIZES ?= 120k,450k,1.7m
bench: install
	$(PY) bench/run.py --sizes $(BENCH_SIZES)

sample: install
	$(PY) data/generate_sample.py --all

docs: install
	$(PY) -m loaders docs

clean:
	rm -rf $(VENV) data/registry.duckdb data/registry.duckdb.history data/.registry.duckdb.*.tmp \
		data/registry-*.duckdb data/registry-*.duckdb.* data/.registry-*.duckdb.*
