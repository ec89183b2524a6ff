# Lastmile: `make run` starts the product on the bundled samples; `make test` runs the tests.
# Both create .venv and install on first use; later runs reuse it (the stamp only changes with pyproject.toml or constraints.txt).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test test-llm test-browser browser-deps lint eval eval-check eval-baseline bench clean-home

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch is pinned in both files: a looser requirement makes pip pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# The Streamlit staff app on $(PORT) and the buyer API (widget.js, /demo) on $(API_PORT), default 8000.
run: $(STAMP)
	@echo "Lastmile: staff app http://127.0.0.1:$(PORT)  ·  buyer API, widget and demo page http://127.0.0.1:$(or $(API_PORT),8000)/demo"
	$(VENV)/bin/lastmile serve --port $(PORT) --api-port $(or $(API_PORT),8000)

test: $(STAMP) browser-deps
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# The real-browser test (tests/test_browser.py) drives Debian's chromium with its chromium-driver. Installed
# once, as root (CI); a no-op when both are present. Not root and missing: the test skips and says why.
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver (apt-get) for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	else echo "browser-deps: chromium/chromedriver missing and not root: tests/test_browser.py will skip" >&2; fi

# Only the browser test; screenshots go to $(LASTMILE_SCREENSHOTS) or tests/artifacts/screenshots/.
test-browser: $(STAMP) browser-deps
	$(PY) -m pytest -q -s tests/test_browser.py

# The opt-in real-model tier. llama-cpp-python has no wheel here and compiles in ~6 minutes: the built
# wheel is kept in a cache outside the repo so later runs install it in seconds. The multimodal library
# (LLAVA_BUILD) is left out: the server imports it only for image models, and it is a third of the compile.
WHEELS ?= $(HOME)/.cache/lastmile/wheels
LLAMA_CPP_VERSION := 0.3.36
LLM_STAMP := $(VENV)/.installed-llm

$(LLM_STAMP): $(STAMP)
	mkdir -p $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip wheel --quiet --no-deps llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(WHEELS)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt --find-links $(WHEELS) -e ".[llm-tier]"
	touch $(LLM_STAMP)

test-llm: $(LLM_STAMP)
	$(PY) -m pytest -q -s -m llm tests/llm_tier

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean-home:
	rm -rf .lastmile

# Evals (docs/evals.md). Reports go to reports/ (gitignored); the samsung-s10 set is read in place.
EVALDATA ?= ../shared/evaldata
SAMPLE_QUESTIONS := evals/data/sample_questions.jsonl
CONFIRMATIONS := --confirmations evals/data/confirmations --confirmations-split test

eval: $(STAMP)
	$(VENV)/bin/lastmile eval --kb knowledge/samples --dataset $(SAMPLE_QUESTIONS) $(CONFIRMATIONS) --out reports/sample
	$(VENV)/bin/lastmile eval --kb $(EVALDATA)/samsung-s10/kb --dataset $(EVALDATA)/samsung-s10/questions.jsonl \
		--probes $(SAMPLE_QUESTIONS) $(CONFIRMATIONS) --out reports/samsung-s10

# The CI check: fails when a headline metric of the sample set drops more than 0.02 below the baseline.
eval-check: $(STAMP)
	$(PY) -m pytest -q -s tests/test_eval_baseline.py

# Refresh the committed baseline deliberately (offline defaults), then review and commit the diff.
eval-baseline: $(STAMP)
	env -u OPENAI_BASE_URL -u OPENAI_API_KEY -u LASTMILE_OPENAI_BASE_URL -u LASTMILE_OPENAI_API_KEY \
		$(VENV)/bin/lastmile eval --kb knowledge/samples --dataset $(SAMPLE_QUESTIONS) $(CONFIRMATIONS) --out reports/sample
	mkdir -p evals/baseline/sample
	cp reports/sample/summary.json evals/baseline/sample/summary.json

# Benchmarks (docs/retrieval.md): ingestion against the model's forward pass, query latency at 1k/10k/100k.
bench: $(STAMP)
	$(PY) bench/ingest.py && $(PY) bench/query.py
