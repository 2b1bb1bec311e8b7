# Thin wrapper over CMake. `make demo` and `make test` are the two commands
# the README promises; both install missing Debian packages first.
JOBS ?= $(shell nproc)
BUILD := build
ASAN := build-asan
FUZZ_SECONDS ?= 20
DEMO_DIR ?= demo-data
DEMO_LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build asan test test-normal test-asan fuzz demo bench format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# ASan+UBSan build with clang; it also builds the libFuzzer targets.
asan: deps
	@CC=clang cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DPKO_SANITIZE=ON -DPKO_FUZZ=ON \
		-DPKO_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

test-normal: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Unit + API suites in the normal build, then unit + API + brief fuzzing
# under ASan+UBSan.
test: test-normal test-asan

# Longer fuzzing: FUZZ_SECONDS per target (default here 300).
fuzz: FUZZ_SECONDS = 300
fuzz: asan
	@cd $(ASAN) && ctest -L fuzz --output-on-failure

demo: build
	@scripts/demo.sh $(BUILD)/pko $(DEMO_DIR) $(DEMO_LISTEN)

# Benchmarks against their peers, side by side (docs/benchmarks.md):
# the write path vs bare SQLite; map queries vs SQLite R*Tree and PostGIS;
# then every module's scripts/bench.d/<name>.sh (each writes its own section).
# BENCH_EVENTS="1000000" for a quicker run.
bench:
	@scripts/bench_deps.sh
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@$(BUILD)/bench_store 5000 $(BUILD)
	@scripts/bench.sh $(BUILD) $(BENCH_EVENTS)
	@for s in scripts/bench.d/*.sh; do [ -e "$$s" ] || continue; echo "bench: $$s" >&2; bash "$$s" $(BUILD) || exit 1; done

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN)
