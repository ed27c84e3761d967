# The two commands of the README:
#   make demo    install what is missing, build, and run khabar on the sample data
#   make check   install what is missing, build, and run every test
#                (normal build, a Release compile, then AddressSanitizer + UBSan build,
#                then the fuzzers briefly)
# Other targets: build, release, asan, fuzz, bench, clean.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 30

.PHONY: all deps build release demo check test asan test-asan fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

demo: build
	@scripts/demo.sh

test: build
	cd build && ctest --output-on-failure -j $(JOBS)

asan: deps
	CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKH_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)

# The crash test's 20 kill -9 rounds run in the normal build; under the
# sanitizers (several times slower) 5 rounds check the same code for memory
# errors without tripling CI's time.
test-asan: asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  KH_CRASH_ROUNDS=$${KH_CRASH_ROUNDS:-5} ctest --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKH_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	@scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

# Release (-O3 -DNDEBUG), compiled only: gcc's optimizer at -O3 finds
# warnings that -O2 does not (truncated formats, values it cannot prove
# set), and with -Werror a user's Release build would stop on them.
release: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-release -j $(JOBS)

check: test release test-asan fuzz
	@echo "make check: all tests passed (normal, Release compile, sanitizers, fuzzers)"

bench: build
	@bench/run.sh

clean:
	rm -rf build build-asan build-fuzz build-release
