# footnote: `make run` starts the bot (or the local console), `make test` runs every test.
# Both set up what they need first: `make db` installs pgvector when missing and starts
# footnote's own PostgreSQL 15 cluster on 127.0.0.1:55432 (data in .data/pg).

GO      ?= go
BIN     := bin/footnote
SHARED  ?= ../shared

.PHONY: all db db-stop build run test bench eval clean

all: build

db:
	@bash .ci/db

db-stop:
	@bash .ci/db stop

build:
	$(GO) build -o $(BIN) ./cmd/footnote

# The main job: the Discord bot when DISCORD_TOKEN is set, else the local console.
run: db build
	@if [ -n "$$DISCORD_TOKEN" ]; then exec ./$(BIN) serve; else exec ./$(BIN) console; fi

# Every test, against the real database (CI=1 makes a missing database a failure).
test: db
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

bench: db
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The README's quality and speed numbers: a fresh database, the dev data imported into one
# collection, then `footnote eval` and the shared scorers.
eval: db build
	@bash .ci/eval $(SHARED)

clean:
	rm -rf bin
