/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_DUMP_H
#define JITSIM_PROTO_DUMP_H

/*
 * Private to the codec library: the building block of the _dump()
 * functions, which must keep snprintf semantics (the length they wanted is
 * returned even when @p size is too small, and the output stays
 * NUL-terminated).
 */

#include <stddef.h>

/** Append printf-formatted text at *@p off, advancing it by the length wanted. */
void jitsim_dump_add(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* JITSIM_PROTO_DUMP_H */
