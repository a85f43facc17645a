# Build, run and test the dht command-line node.
#   make build                       release build, binary copied to ./dht
#   make run PORT=8002 ARGS=localhost:8001
#   make test                        every test, built optimised (the simulated days need it; also builds
#                                    the dht binary the end-to-end tests launch)
#   make test-debug                  the same tests in a debug build
#   make test-python                 the Python client's tests (clients/python) against the release dht
#   make test-browser                the live page's tests in headless chromium (Tests/browser; skipped without
#                                    Debian's chromium, chromium-driver and python3-selenium)
#   make demo                        20 nodes on loopback with some data and the page at http://127.0.0.1:8080/
#   make fuzz-build                  the libFuzzer target over the datagram handler (Fuzz/build.sh)
#   make fuzz FUZZ_SECONDS=600       fuzz it, 60 s by default; new inputs go to .build-fuzz/corpus
#   make fuzz-http FUZZ_SECONDS=600  fuzz the HTTP/1.1 request parser the same way (Fuzz/HTTPFuzzer)
#   make interop                     our nodes beside stock libtorrent 2.1.1 on loopback (interop/run.sh)

SWIFT ?= swift
PORT ?= 8001
ARGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all build release run test test-debug test-python test-browser demo clean bench-compare fuzz fuzz-http fuzz-build interop

all: build

build:
	$(SWIFT) build -c release --product dht
	cp "$$($(SWIFT) build -c release --show-bin-path)/dht" ./dht

release: build

run: build
	./dht $(PORT) $(ARGS)

# @testable imports need -enable-testing, which release builds leave out by default.
test:
	$(SWIFT) test -c release -Xswiftc -enable-testing
	$(MAKE) test-python
	$(MAKE) test-browser

# Starts real nodes from the release build that `swift test -c release` leaves behind.
test-python:
	DHT_BINARY="$$($(SWIFT) build -c release --show-bin-path)/dht" python3 -m unittest discover -s clients/python -p 'test_*.py' -v

# Debian's python3-selenium lives in the system python, not a pyenv one.
test-browser:
	DHT_BINARY="$$($(SWIFT) build -c release --show-bin-path)/dht" /usr/bin/python3 -m unittest discover -s Tests/browser -v

demo: build
	bash scripts/demo.sh

test-debug:
	$(SWIFT) test

clean:
	$(SWIFT) package clean
	rm -rf .build ./dht

bench-compare: ; bash bench/compare/run.sh

interop: ; bash interop/run.sh

# The fuzzer is built by swiftc, not SwiftPM, into .build-fuzz (see Fuzz/README.md).
FUZZER := .build-fuzz/datagram-fuzzer
HTTP_FUZZER := .build-fuzz/http-fuzzer
FUZZ_SOURCES := $(shell find Sources/Kademlia Sources/KademliaCore Sources/KademliaTestKit Fuzz/DatagramFuzzer Fuzz/HTTPFuzzer -name '*.swift') Sources/CLinux/CLinux.h Sources/CLinux/module.modulemap Fuzz/build.sh

fuzz-build:
	bash Fuzz/build.sh

$(FUZZER) $(HTTP_FUZZER): $(FUZZ_SOURCES)
	bash Fuzz/build.sh

# One core, -max_len 1500 as the node drops longer datagrams. New inputs go to the first
# corpus directory only, so Fuzz/corpus stays as committed; crashes go to .build-fuzz/.
# Leaks are checked once, at exit: checking after every input, as -detect_leaks=1 does,
# scans the long-lived node's whole heap each time and fuzzes a third as fast.
fuzz: $(FUZZER)
	mkdir -p .build-fuzz/corpus
	SWIFT_DETERMINISTIC_HASHING=1 $(FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=1500 -rss_limit_mb=2048 \
		-timeout=10 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=.build-fuzz/ .build-fuzz/corpus Fuzz/corpus

# The HTTP parser's fuzzer: inputs up to 64 KiB (past every limit), its own corpus directory.
fuzz-http: $(HTTP_FUZZER)
	mkdir -p .build-fuzz/http-corpus
	SWIFT_DETERMINISTIC_HASHING=1 $(HTTP_FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 -artifact_prefix=.build-fuzz/http- .build-fuzz/http-corpus Fuzz/http-corpus
