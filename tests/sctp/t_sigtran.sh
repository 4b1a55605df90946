#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# dataplane/sigtran over kernel SCTP (tests/unit/sigtran/sigtran_sctp.sh):
# the link over a real loopback association, two client ASPs of the
# library through a real osmo-stp (capture checked by tshark), and
# osmo-stp as a client ASP of our server side. Runs in the suite's one VM
# boot instead of a boot of its own.
set -euo pipefail
b=${JITSIM_BUILD:?}/tests/unit/sigtran
s=${JITSIM_SRC:?}/tests/unit/sigtran
for f in "$b/test_sig_link" "$b/stp_e2e"; do
	[ -x "$f" ] || { echo "t_sigtran: $f not built" >&2; exit 1; }
done
exec bash "$s/sigtran_sctp.sh" "$b/test_sig_link" "$b/stp_e2e" "$s/stp_e2e.cfg" "$s/stp_asp.cfg"
