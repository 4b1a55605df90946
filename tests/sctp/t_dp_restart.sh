#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# jitsim-dp's M3UA ASP against osmo-stp going away and coming back:
#  - jitsim-dp starts before osmo-stp exists: it keeps retrying (backoff)
#    and becomes ACTIVE once osmo-stp is up (osmo-stp's VTY and its log);
#  - osmo-stp killed: jitsim-dp logs the ASP DOWN, stays up; osmo-stp
#    started again: the ASP is ACTIVE again by itself (logged twice);
#  - SIGTERM: ASPIA/ASPDN acknowledged within jitsim-dp's 1.5 s (else it
#    logs so), exit 0, the ss7 final line with nothing dropped; osmo-stp
#    no longer has the ASP active. (The messages themselves are checked
#    by tshark in t_dp_relay.sh.)
source "$(dirname "$0")/lib.sh"

need_prog JITSIM_DP "jitsim-dp"
INST=sctprestart$$
sctp_clean_on_exit "/dev/shm/jitsim.$INST" "/var/run/dpdk/jitsim-$INST"

step "jitsim-dp with [ss7], before osmo-stp exists"
cat >"$OUT/dp.conf" <<EOF
[instance]
name = $INST
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 128
lcores = 0-1
[ss7]
own_pc = $PC_JITSIM
asp = stp $SCTP_IP:$PORT_JITSIM $SCTP_IP:$STP_PORT rc=2
EOF
sctp_bg dp "$JITSIM_DP" -c "$OUT/dp.conf" --no-store
DP_PID=$BG_PID
wait_log 120 "$OUT/dp.log" 'ready: 1 workers'
wait_log 60 "$OUT/dp.log" "ss7 asp stp: cannot connect to $SCTP_IP:$STP_PORT"

step "osmo-stp up: the ASP becomes ACTIVE"
stp_start
wait_log 60 "$OUT/dp.log" 'ss7 asp stp .*: ACTIVE'
wait_for 20 "osmo-stp sees ASP jitsim ASP_ACTIVE" stp_asp_is jitsim ASP_ACTIVE

step "osmo-stp killed: ASP DOWN, jitsim-dp stays"
sctp_stop "$STP_PID" 10 || true
wait_log 60 "$OUT/dp.log" 'ss7 asp stp .*: DOWN'
alive "$DP_PID" dp
mv "$OUT/stp.log" "$OUT/stp-1.log"

step "osmo-stp again: ACTIVE again without help"
stp_start
wait_for 60 "osmo-stp sees ASP jitsim ASP_ACTIVE again" stp_asp_is jitsim ASP_ACTIVE
[ "$(grep -c 'ss7 asp stp .*: ACTIVE' "$OUT/dp.log")" = 2 ] ||
	fail "jitsim-dp did not log its ASP ACTIVE exactly twice"

step "SIGTERM: orderly stop"
sctp_stop "$DP_PID" 20 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
grep -q 'ss7: some associations did not finish ASPIA/ASPDN' "$OUT/dp.log" &&
	fail "ASPIA/ASPDN not acknowledged by osmo-stp in time"
grep -E 'ss7 final:' "$OUT/dp.log" || fail "no ss7 final summary"
grep -Eq 'ss7 final: assoc_up=0/1 .* sigio_drops=0' "$OUT/dp.log" ||
	fail "ss7 final counters not as expected"
# osmo-stp logs the ASP's ASPIA/ASPDN before the association goes.
wait_for 20 "osmo-stp sees ASP jitsim down" stp_asp_not jitsim ASP_ACTIVE
step "ok"
