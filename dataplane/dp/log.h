/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp log lines: "jitsim-dp: <message>\n" on stderr, one write per
 * line (scripts and tests parse them). Never called on the fast path.
 * Thread-safety: any thread; a line is one fputs of a formatted buffer
 * on unbuffered stderr, so lines from two threads do not interleave.
 */

#ifndef JITSIM_DP_LOG_H
#define JITSIM_DP_LOG_H

void jitsim_dp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* JITSIM_DP_LOG_H */
