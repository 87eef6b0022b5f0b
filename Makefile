# NeuroBus — `make run` (install system packages, release build, main job) and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/neurobus
# Debian packages the build needs, as "pkg-config-name:debian-package".
SYSTEM_DEPS := zlib:zlib1g-dev libzmq:libzmq3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build bench bench-brunel bench-wire bench-bus fuzz clean

run: deps build
	$(RELEASE_BIN) up

# The suite runs optimized, as users run `neurobus` (its multi-process tests start the binary
# built beside them), with testing and debug assertions on; in a build folder of its own, so
# `make build` and `make test` do not rebuild each other's objects.
TEST_FLAGS := -c release -Xswiftc -enable-testing -Xswiftc -DDEBUG -Xswiftc -assert-config -Xswiftc Debug --scratch-path .build/test
test: deps
	$(SWIFT) test $(TEST_FLAGS)

build:
	$(SWIFT) build -c release

# Installs any missing system package (apt-get; sudo when not root).
deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	for dep in $(SYSTEM_DEPS); do \
	  pc=$${dep%%:*}; pkg=$${dep#*:}; \
	  if ! pkg-config --exists $$pc 2>/dev/null && ! dpkg -s $$pkg >/dev/null 2>&1; then missing="$$missing $$pkg"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Pool benchmarks and the Brunel network side by side with NEST (see BENCHMARKS.md).
bench: deps build
	bash Tests/Benchmarks/pool-vs-nest.sh
	bash Tests/Benchmarks/brunel-vs-nest.sh

# Brunel (2000) network side by side with NEST: rate, ISI CV, synchrony (SEEDS, REGIMES, MS).
bench-brunel: deps build
	bash Tests/Benchmarks/brunel-vs-nest.sh

# Wire codec: encode + decode speed and bytes per spike (see BENCHMARKS.md).
bench-wire: deps build
	$(RELEASE_BIN) bench wire

# Bus throughput side by side with raw libzmq (REPS alternating pairs, default 7).
bench-bus: deps build
	bash Tests/Benchmarks/bus-vs-raw.sh $(or $(REPS),7) fast compact

# Long libFuzzer run of the wire decoder (RUNS inputs, default 10 million).
fuzz: deps
	bash Tests/Fuzz/run-wire-fuzz.sh $(or $(RUNS),10000000)

clean:
	rm -rf .build
