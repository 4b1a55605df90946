/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Reading inventory files (docs/inventory.md): the SIM vendor output file
 * (docs/formats.md) and plain CSV, their headers, the transport key, and
 * the validation of one card line.
 *
 * Every error message has the form "FILE:LINE: field NAME: reason" (or
 * "FILE:LINE: header: reason" for the header) and never contains key
 * bytes, clear or encrypted: key fields are described by their length and
 * the position of a bad character only.
 *
 * The file is read with read(2) through one buffer of
 * JITSIM_INV_BUF_SIZE bytes (not mmap: a file truncated under a mapping
 * would kill the process with SIGBUS); the buffer is wiped at close since
 * a clear-key CSV puts keys in it.
 *
 * Thread-safety: a struct jitsim_inv_file belongs to one thread; the
 * validation functions are pure.
 */

#ifndef JITSIM_INV_PARSE_H
#define JITSIM_INV_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inventory.h"

#define JITSIM_INV_LINE_MAX 4096 /* longest line accepted */
#define JITSIM_INV_BUF_SIZE (1u << 20)
#define JITSIM_INV_COLS_MAX 64
#define JITSIM_INV_NAME_MAX 16 /* column name as spelled in the file, for messages */
#define JITSIM_INV_KEYS 4      /* Ki, OPc, KIc, KID: JITSIM_REC_S_* order */
#define JITSIM_INV_KEY_LEN 16

/* What the import takes from a line; the other columns (PIN, PUK, ADM1,
 * ...) are read past and masked in the reject file. */
enum jitsim_inv_field {
	JITSIM_INV_F_ICCID,
	JITSIM_INV_F_IMSI,
	JITSIM_INV_F_KI,
	JITSIM_INV_F_OPC,
	JITSIM_INV_F_KIC,
	JITSIM_INV_F_KID,
	JITSIM_INV_F_MSISDN,
	JITSIM_INV_F_BATCH,
	JITSIM_INV_F_COUNT
};

struct jitsim_inv_file {
	const char *path;
	int fd;
	dev_t dev; /* identity and version checked between the passes */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *buf;
	off_t base;	 /* file offset of buf[0] */
	size_t off, len; /* unread bytes: buf[off .. len) */
	bool eof;
	uint64_t lineno;    /* last line returned */
	uint64_t data_line; /* lines of the header, before the first card line */
	off_t data_off;	    /* file offset of the first card line */

	enum jitsim_inv_format format; /* VENDOR or CSV once open */
	char sep;		       /* ',' (CSV) or ' ' (vendor: runs of blanks) */
	unsigned int ncols;
	int pos[JITSIM_INV_F_COUNT];	    /* column of each field, -1 when absent */
	int col_field[JITSIM_INV_COLS_MAX]; /* field of each column, -1 for others */
	char name[JITSIM_INV_F_COUNT][JITSIM_INV_NAME_MAX];

	/* Vendor header (0 / false for CSV). */
	uint64_t quantity, quantity_line;
	bool has_kcv;
	uint8_t kcv[3];
	uint64_t kcv_line;
	char batch[33]; /* header Batch, "" if none */
};

/* One card line, valid until the next call on its file. */
struct jitsim_inv_line {
	uint64_t no;
	const char *text;
	size_t len;
};

/* A validated card line. */
struct jitsim_inv_sim {
	uint64_t imsi;	    /* compact key (jitsim_digits_key_str) */
	uint64_t iccid_key; /* jitsim_inv_iccid_key() */
	uint64_t msisdn;    /* compact key, 0 when the line has none */
	char iccid[21];
	char imsi_digits[16];
	char batch[33];					  /* "" when none */
	uint8_t mask;					  /* JITSIM_REC_S_* of the keys present */
	uint8_t key[JITSIM_INV_KEYS][JITSIM_INV_KEY_LEN]; /* as in the file */
};

struct jitsim_inv_tkey {
	uint8_t key[16];
	uint8_t kcv[3];
};

/* Open @path and read its header (@fmt AUTO: a vendor file when the first
 * line is the banner), leaving it at the first card line.
 * 0, -ENOENT/-EACCES (open), -EINVAL (header, message in @err), -ENOMEM. */
int jitsim_inv_file_open(struct jitsim_inv_file *f, const char *path, enum jitsim_inv_format fmt,
			 char *err, size_t errlen);
/* Back to the first card line; -ESTALE when the file changed since open. */
int jitsim_inv_file_rewind(struct jitsim_inv_file *f, char *err, size_t errlen);
/* Next card line (comments and blank lines skipped): 1, 0 at the end,
 * -EINVAL for a line too long, -EIO. */
int jitsim_inv_file_next(struct jitsim_inv_file *f, struct jitsim_inv_line *l, char *err,
			 size_t errlen);
void jitsim_inv_file_close(struct jitsim_inv_file *f);

/* Split and validate @l into @sim: 0 or -EINVAL with the first problem in
 * @err ("FILE:LINE: field NAME: reason"). */
int jitsim_inv_parse_line(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
			  struct jitsim_inv_sim *sim, char *err, size_t errlen);

/* @l for the reject file: columns other than ICCID, IMSI, MSISDN and batch
 * replaced by '*' (all of them, but all-digit ICCID/IMSI/MSISDN positions,
 * when the field count is wrong). Returns the length written (NUL
 * terminated, truncated to @cap). */
size_t jitsim_inv_mask_line(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
			    char *out, size_t cap);

/* Field checks. */
bool jitsim_inv_luhn_ok(const char *d, size_t n);
/* Exact 64-bit key of a valid ICCID of 19 or 20 digits: the digits but
 * the check digit (which they determine) as a number, 10^19 added for
 * 19-digit ICCIDs so that a leading zero is not lost. */
uint64_t jitsim_inv_iccid_key(const char *d, size_t n);

/* Read a transport.key file (docs/formats.md). It must not be readable by
 * group or others (-EACCES); its KCV line, when present, must match the
 * key (-EINVAL). The key never appears in @err. */
int jitsim_inv_tkey_load(const char *path, struct jitsim_inv_tkey *tk, char *err, size_t errlen);
/* Key check value: first 3 bytes of AES-128(key, zero block). 0 or -EIO. */
int jitsim_inv_kcv(const uint8_t key[16], uint8_t kcv[3]);

#endif /* JITSIM_INV_PARSE_H */
