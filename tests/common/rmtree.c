/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "rmtree.h"

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
jitsim_test_rmtree(const char *path)
{
	/* Depth first (files before their directory), without following
	 * links out of the tree. */
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
