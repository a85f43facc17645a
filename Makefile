# Build, run and test the dht command-line node.
#   make build                       release build, binary copied to ./dht
#   make run PORT=8002 ARGS=localhost:8001
#   make test                        every test, built optimised (the simulated days need it; also builds
#                                    the dht binary the end-to-end tests launch)
#   make test-debug                  the same tests in a debug build

SWIFT ?= swift
PORT ?= 8001
ARGS ?=

.PHONY: all build release run test test-debug clean bench-compare

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

test-debug:
	$(SWIFT) test

clean:
	$(SWIFT) package clean
	rm -rf .build ./dht

bench-compare: ; bash bench/compare/run.sh
