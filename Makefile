# Stepwise build. Every target is a thin wrapper: the real steps live in
# scripts/ so CI (.ci/run) and people run the same commands.

GO      ?= go
BIN     := bin/stepwise
EXAMPLE ?= cmd/stepwise/examples/hello.asl.json
INPUT   ?= cmd/stepwise/examples/hello.input.json
# Per-target time for `make fuzz` (make test uses a short bound).
FUZZTIME ?= 60s
# Reproducible: no paths, VCS stamps, symbols or build ids in the binary.
GOFLAGS_BUILD := -trimpath -buildvcs=false -ldflags='-s -w -buildid='

.PHONY: build wasm web worker run test bench bench-server fuzz golden size clean

# build: compile the CLI to bin/stepwise with reproducible flags.
build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/stepwise

# wasm: build web/dist/stepwise.wasm (the engine for browsers and Node) and copy wasm_exec.js beside it.
wasm:
	bash scripts/wasm.sh

# web: install the playground's pinned npm packages and bundle it into web/dist.
web:
	bash scripts/web.sh

# worker: build the Cloudflare Worker into wasm/worker/build (then: cd wasm/worker && npx wrangler dev).
worker:
	bash scripts/worker.sh

# run: build everything and serve the playground on http://127.0.0.1:8080.
run: build wasm web
	$(BIN) serve

# test: everything CI checks (format, vet, tests, design guards, fuzz, wasm, conformance).
test:
	bash scripts/test.sh

# bench: run the benchmarks (scripts/bench.sh).
bench:
	bash scripts/bench.sh

# bench-server: StartExecution + DescribeExecution under concurrent load
# from another process, stepwise serve against moto (scripts/bench-server.sh).
bench-server:
	bash scripts/bench-server.sh

# fuzz: run every engine fuzz target for FUZZTIME each.
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# golden: rewrite golden files of every package with a TestGolden (review the diff).
golden:
	bash scripts/golden.sh

# size: print the raw and gzip size of bin/stepwise.
size: build
	@raw=$$(wc -c < $(BIN)); gz=$$(gzip -9c $(BIN) | wc -c); \
	printf '%-14s %10s raw %10s gzip\n' $(BIN) "$$raw" "$$gz"

# clean: remove build output.
clean:
	rm -rf bin web/dist wasm/worker/build
