# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Thin wrapper over meson/ninja. Every target installs what it needs first
# (scripts/deps.sh is a no-op when everything is there).
#
#   make test        deps, ASan+UBSan build, every test (unit, tshark
#                    cross-check, fuzz replay, short libFuzzer runs), and the
#                    table concurrency tests again under ThreadSanitizer
#   make test-quick  unit tests only (edit-test loop)
#   make bench       optimised build (jitsim-pktgen profile-guided),
#                    benchmarks with their baselines
#   make fuzz        long libFuzzer runs (FUZZ_SECONDS per target, default 600)
#   make demo        jitsim on a generated network with real osmo-hlr (release build)
#   make format      clang-format every C file in place

BUILD       ?= build
BUILD_REL   ?= build-release
BUILD_FUZZ  ?= build-fuzz
BUILD_TSAN  ?= build-tsan
FUZZ_SECONDS ?= 600
MESON_TEST  = bash scripts/test.sh $(BUILD)

.PHONY: all deps build tsan test test-quick bench fuzz fuzz-short demo format clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# ThreadSanitizer build of the concurrency tests (RCU tables).
$(BUILD_TSAN)/build.ninja:
	meson setup $(BUILD_TSAN) -Db_sanitize=thread -Db_lundef=false

tsan: deps $(BUILD_TSAN)/build.ninja
	ninja -C $(BUILD_TSAN) tests/unit/table/test_table

test: build tsan fuzz-short
	TSAN_BUILD=$(BUILD_TSAN) $(MESON_TEST)

test-quick: build
	$(MESON_TEST) --suite unit

$(BUILD_REL)/build.ninja:
	meson setup $(BUILD_REL) --buildtype=release -Dtests=disabled

# jitsim-pktgen is built profile-guided first (scripts/pktgen-pgo.sh: a
# training run of its own, then the same bytes checked). After
# scripts/bench.sh: the Diameter S6a benchmark (issue 9), proxied AIRs/s
# over SCTP next to an echo, first attaches/s; in the SCTP VM on hosts
# without SCTP; its logs are kept (and named) only when it fails.
bench: deps $(BUILD_REL)/build.ninja
	ninja -C $(BUILD_REL)
	bash scripts/pktgen-pgo.sh $(BUILD_REL)
	bash scripts/bench.sh $(BUILD_REL)
	JITSIM_SCTP_VM_TIMEOUT=$${JITSIM_SCTP_VM_TIMEOUT:-1800} bash scripts/sctp-run.sh \
		tests/bench/bench_diam.sh $(BUILD_REL)

$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link

fuzz-short: deps $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ)
	bash scripts/fuzz.sh $(BUILD_FUZZ) 15

fuzz: deps $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ)
	bash scripts/fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# jitsim on a generated network, with real osmo-hlr (scripts/demo.sh). The
# optimised build: the demo reports latencies and the dataplane's speed,
# which a sanitizer build would distort.
demo: deps $(BUILD_REL)/build.ninja
	ninja -C $(BUILD_REL)
	bash scripts/demo.sh $(BUILD_REL)

format:
	find dataplane control include pktgen tests tools -name '*.[ch]' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_REL) $(BUILD_FUZZ) $(BUILD_TSAN)
