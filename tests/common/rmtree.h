/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/* Removing the temporary directories that tests and benchmarks make. */

#ifndef JITSIM_TEST_RMTREE_H
#define JITSIM_TEST_RMTREE_H

/* Remove @path and everything below it (symbolic links are removed, not
 * followed). 0, or -1 with errno set. */
int jitsim_test_rmtree(const char *path);

#endif /* JITSIM_TEST_RMTREE_H */
