/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsimctl's table of known commands: how "sim show IMSI" becomes
 * {"cmd":"sim.show","imsi":"..."}, and the usage text of each command.
 * The table is data only; a command the table does not know is still sent
 * (jitsim-cp answers ENOSYS if it does not know it either). Read-only
 * constant data: any thread.
 */

#ifndef JITSIM_CTL_CMDS_H
#define JITSIM_CTL_CMDS_H

#include <stdbool.h>
#include <stdio.h>

#define JITSIM_CTL_MAX_POS 3 /* positional arguments of any command */

struct jitsim_ctl_cmd {
	const char *group;		     /* first word: "sim", "status" */
	const char *sub;		     /* second word ("show"), NULL for one-word commands */
	const char *name;		     /* command name on the socket: "sim.show" */
	const char *pos[JITSIM_CTL_MAX_POS]; /* keys of the positional arguments */
	unsigned int nreq;		     /* how many of them are required */
	bool path_arg;	  /* the first positional is a file: sent as an absolute path */
	const char *opts; /* usual --key value options, for the usage line */
	const char *help;
};

/* The entry for @group (and @sub, NULL for one-word commands), or NULL. */
const struct jitsim_ctl_cmd *jitsim_ctl_cmd_find(const char *group, const char *sub);

/* Whether @word is a known group of subcommands ("sim", "pool", ...). */
bool jitsim_ctl_cmd_is_group(const char *word);

/* One usage line ("jitsimctl sim show IMSI") and its help, for --help. */
void jitsim_ctl_cmd_usage(FILE *f, const struct jitsim_ctl_cmd *c);

/* Usage of every command, or of those of @group when not NULL. */
void jitsim_ctl_cmd_list(FILE *f, const char *group);

#endif /* JITSIM_CTL_CMDS_H */
