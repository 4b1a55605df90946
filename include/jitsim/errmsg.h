/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The error-message convention of every setup function of jitsim: return a
 * negative errno and, when the caller gave a buffer, a message for
 * operators in it (naming the file, key or field; never a secret).
 */

#ifndef JITSIM_ERRMSG_H
#define JITSIM_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* snprintf into @err (if not NULL and @errlen > 0), truncating. */
static inline void __attribute__((format(printf, 3, 4)))
jitsim_errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif /* JITSIM_ERRMSG_H */
