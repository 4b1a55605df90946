#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Install every Debian package jitsim needs to build, test and benchmark.
# Idempotent: runs `apt-get update` and `apt-get install` only when a package
# is missing, so `make test` can call it on every run at no cost.
set -euo pipefail

PKGS=(
	build-essential pkg-config meson ninja-build python3
	dpdk dpdk-dev libdpdk-dev
	liburcu-dev librocksdb-dev libsctp-dev libhyperscan-dev libssl-dev
	libinih-dev libcmocka-dev libpcap-dev libjansson-dev
	osmo-hlr libosmocore-utils libcurl4-openssl-dev
	clang llvm libclang-rt-14-dev clang-format time
	tshark
	osmo-stp
	# A real Diameter peer for the S6a endpoint's interop tests.
	freediameterd freediameter-extensions
	# The SCTP VM (scripts/sctp-vm.sh) where the kernel has no SCTP;
	# installed like everything here without recommends (no GUI, no
	# firmware of other machines).
	qemu-system-x86 busybox-static cpio
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo $0) to install them" >&2
	exit 1
fi

echo "deps.sh: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, non-interactively.
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
