/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsimctl's output of a command result (docs/jitsimctl.md, "Output").
 * Text from the server is printed with control characters replaced by
 * '?', so that a value stored by someone else cannot drive the terminal.
 * No state; any thread.
 */

#ifndef JITSIM_CTL_PRINT_H
#define JITSIM_CTL_PRINT_H

#include <stdio.h>

#include <jansson.h>

/* --json: the result, indented, on one or more lines. 0 or -EIO. */
int jitsim_ctl_print_json(FILE *f, const json_t *result);

/* Human form: a table for an array of flat objects (columns from the first
 * object's keys), "key: value" lines for an object, the value itself for a
 * scalar, nothing for null. 0, -ENOMEM or -EIO. */
int jitsim_ctl_print_human(FILE *f, const json_t *result);

#endif /* JITSIM_CTL_PRINT_H */
