/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <jitsim/proto/digits.h>

#include "inv_parse.h"
#include "record.h"

/* The banner rule of docs/formats.md is 79 '*'; any line of at least this
 * many stars and nothing else is taken as one. */
#define RULE_MIN 10

struct fields {
	unsigned int n;
	bool too_many;
	const char *p[JITSIM_INV_COLS_MAX];
	size_t len[JITSIM_INV_COLS_MAX];
};

/* Column names each format knows, and the field they fill. */
struct colname {
	const char *name;
	enum jitsim_inv_field field;
};

static const struct colname csv_cols[] = {
	{"iccid", JITSIM_INV_F_ICCID},	 {"imsi", JITSIM_INV_F_IMSI},	{"ki", JITSIM_INV_F_KI},
	{"opc", JITSIM_INV_F_OPC},	 {"kic", JITSIM_INV_F_KIC},	{"kid", JITSIM_INV_F_KID},
	{"msisdn", JITSIM_INV_F_MSISDN}, {"batch", JITSIM_INV_F_BATCH},
};

/* Var_Out names (docs/formats.md); KIC1/KID1 are the first OTA key set. */
static const struct colname vendor_cols[] = {
	{"ICCID", JITSIM_INV_F_ICCID}, {"IMSI", JITSIM_INV_F_IMSI}, {"KI", JITSIM_INV_F_KI},
	{"OPC", JITSIM_INV_F_OPC},     {"KIC1", JITSIM_INV_F_KIC},  {"KIC", JITSIM_INV_F_KIC},
	{"KID1", JITSIM_INV_F_KID},    {"KID", JITSIM_INV_F_KID},   {"MSISDN", JITSIM_INV_F_MSISDN},
};

static const enum jitsim_inv_field required[] = {
	JITSIM_INV_F_ICCID,
	JITSIM_INV_F_IMSI,
	JITSIM_INV_F_KI,
	JITSIM_INV_F_OPC,
};

__attribute__((format(printf, 5, 6))) static int
fail(char *err, size_t errlen, const struct jitsim_inv_file *f, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%" PRIu64 ": ", f->path, line);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* --- reading lines --- */

static int
fill(struct jitsim_inv_file *f, char *err, size_t errlen)
{
	ssize_t n;

	if (f->off > 0) {
		memmove(f->buf, f->buf + f->off, f->len - f->off);
		f->base += (off_t)f->off;
		f->len -= f->off;
		f->off = 0;
	}
	do
		n = read(f->fd, f->buf + f->len, JITSIM_INV_BUF_SIZE - f->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: read: %s", f->path, strerror(e));
		return -EIO;
	}
	if (n == 0)
		f->eof = true;
	f->len += (size_t)n;
	return 0;
}

/* Any next line, the '\n' (and a '\r' before it) removed: 1, 0 at the end. */
static int
raw_next(struct jitsim_inv_file *f, struct jitsim_inv_line *l, char *err, size_t errlen)
{
	for (;;) {
		char *p = f->buf + f->off;
		size_t avail = f->len - f->off;
		char *nl = memchr(p, '\n', avail);
		size_t len;

		if (nl == NULL && !f->eof && avail < JITSIM_INV_LINE_MAX + 1) {
			int rc = fill(f, err, errlen);

			if (rc != 0)
				return rc;
			continue;
		}
		if (nl == NULL && avail == 0)
			return 0;
		len = nl != NULL ? (size_t)(nl - p) : avail;
		f->lineno++;
		if (len > JITSIM_INV_LINE_MAX)
			return fail(err, errlen, f, f->lineno, "line longer than %u characters",
				    JITSIM_INV_LINE_MAX);
		f->off += len + (nl != NULL);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		/* The UTF-8 byte order mark spreadsheets put before a CSV. */
		if (f->lineno == 1 && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			len -= 3;
		}
		if (memchr(p, '\0', len) != NULL)
			return fail(err, errlen, f, f->lineno, "NUL byte in the line");
		l->no = f->lineno;
		l->text = p;
		l->len = len;
		return 1;
	}
}

static bool
blank(const struct jitsim_inv_line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->text[i] != ' ' && l->text[i] != '\t')
			return false;
	return true;
}

int
jitsim_inv_file_next(struct jitsim_inv_file *f, struct jitsim_inv_line *l, char *err, size_t errlen)
{
	int rc;

	do
		rc = raw_next(f, l, err, errlen);
	while (rc == 1 && (blank(l) || (f->format == JITSIM_INV_CSV && l->text[0] == '#')));
	return rc;
}

/* --- splitting --- */

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
		(*len)--;
}

/* CSV: comma separated, blanks around a field and one pair of double
 * quotes (spreadsheet exports) dropped; no quoted commas (no field needs
 * them). Vendor: runs of blanks. */
static void
split(char sep, const char *s, size_t len, struct fields *fl)
{
	size_t i = 0;

	fl->n = 0;
	fl->too_many = false;
	if (sep == ',') {
		for (;;) {
			const char *e = memchr(s + i, ',', len - i);
			size_t seg = e != NULL ? (size_t)(e - (s + i)) : len - i, flen = seg;
			const char *p = s + i;

			if (fl->n == JITSIM_INV_COLS_MAX) {
				fl->too_many = true;
				return;
			}
			trim(&p, &flen);
			if (flen >= 2 && p[0] == '"' && p[flen - 1] == '"') {
				p++;
				flen -= 2;
			}
			fl->p[fl->n] = p;
			fl->len[fl->n++] = flen;
			if (e == NULL)
				return;
			i += seg + 1;
		}
	}
	/* Vendor card lines: most bytes are in 32-digit key fields; with no
	 * tab in the line, memchr (vectorised) finds each field's end. */
	if (memchr(s, '\t', len) == NULL) {
		while (i < len) {
			const char *e;
			size_t end;

			while (i < len && s[i] == ' ')
				i++;
			if (i == len)
				break;
			if (fl->n == JITSIM_INV_COLS_MAX) {
				fl->too_many = true;
				return;
			}
			e = memchr(s + i, ' ', len - i);
			end = e != NULL ? (size_t)(e - s) : len;
			fl->p[fl->n] = s + i;
			fl->len[fl->n++] = end - i;
			i = end;
		}
		return;
	}
	while (i < len) {
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		if (fl->n == JITSIM_INV_COLS_MAX) {
			fl->too_many = true;
			return;
		}
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		fl->p[fl->n] = s + start;
		fl->len[fl->n++] = i - start;
	}
}

/* --- header --- */

static bool
is_rule(const struct jitsim_inv_line *l)
{
	size_t n = l->len;

	while (n > 0 && l->text[n - 1] == ' ')
		n--;
	if (n < RULE_MIN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (l->text[i] != '*')
			return false;
	return true;
}

/* "* TITLE" */
static bool
is_title(const struct jitsim_inv_line *l, const char *title)
{
	const char *p = l->text;
	size_t len = l->len;

	if (len < 1 || p[0] != '*')
		return false;
	p++;
	len--;
	trim(&p, &len);
	return len == strlen(title) && strncasecmp(p, title, len) == 0;
}

/* A name from the file, for messages: printable, bounded. */
static void
safe_copy(char *out, size_t cap, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = isprint((unsigned char)p[i]) ? p[i] : '?';
	out[i] = '\0';
}

static bool
printable(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Hex digit value + 1, 0 for any other byte: one load per character on
 * the 64 hex digits of every card line. */
static const uint8_t hex_tab[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int
hexval(int c)
{
	return (int)hex_tab[(unsigned char)c] - 1;
}

/* @n hex digits into @n/2 bytes; false on a non-hex digit (then @out
 * holds garbage). Without a branch per digit: every card line has 128. */
static bool
unhex(const char *p, size_t n, uint8_t *out)
{
	unsigned int ok = 1;

	for (size_t i = 0; i < n / 2; i++) {
		unsigned int hi = hex_tab[(unsigned char)p[2 * i]],
			     lo = hex_tab[(unsigned char)p[2 * i + 1]];

		ok &= (hi != 0) & (lo != 0);
		out[i] = (uint8_t)((hi - 1) << 4 | ((lo - 1) & 0x0f));
	}
	return ok != 0;
}

static int
set_columns(struct jitsim_inv_file *f, const struct fields *fl, const struct colname *names,
	    size_t nnames, uint64_t line, char *err, size_t errlen)
{
	char unknown[256] = "";
	size_t ulen = 0;

	for (int i = 0; i < JITSIM_INV_F_COUNT; i++)
		f->pos[i] = -1;
	if (fl->too_many)
		return fail(err, errlen, f, line, "header: more than %u columns",
			    JITSIM_INV_COLS_MAX);
	f->ncols = fl->n;
	for (unsigned int c = 0; c < fl->n; c++) {
		const struct colname *cn = NULL;
		char nm[JITSIM_INV_NAME_MAX];

		safe_copy(nm, sizeof(nm), fl->p[c], fl->len[c]);
		for (size_t k = 0; k < nnames; k++)
			if (strlen(names[k].name) == fl->len[c] &&
			    strncasecmp(names[k].name, fl->p[c], fl->len[c]) == 0)
				cn = &names[k];
		f->col_field[c] = -1;
		if (fl->len[c] == 0)
			return fail(err, errlen, f, line, "header: column %u has no name", c + 1);
		if (cn == NULL) {
			/* CSV: every column must be known; vendor files carry
			 * PINs, PUKs, ADM keys... that are read past. */
			if (f->format == JITSIM_INV_CSV && ulen + 1 < sizeof(unknown)) {
				char one[40];

				safe_copy(one, sizeof(one), fl->p[c], fl->len[c]);
				ulen += (size_t)snprintf(unknown + ulen, sizeof(unknown) - ulen,
							 "%s%s", ulen ? ", " : "", one);
				if (ulen >= sizeof(unknown))
					ulen = sizeof(unknown) - 1;
			}
			continue;
		}
		if (f->pos[cn->field] >= 0)
			return fail(err, errlen, f, line, "header: column %s given twice", nm);
		f->pos[cn->field] = (int)c;
		f->col_field[c] = (int)cn->field;
		snprintf(f->name[cn->field], JITSIM_INV_NAME_MAX, "%s", nm);
	}
	if (ulen > 0)
		return fail(err, errlen, f, line,
			    "header: unknown column(s) %s (known: iccid, imsi, ki, opc, kic, kid, "
			    "msisdn, batch)",
			    unknown);
	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (f->pos[required[k]] < 0)
			return fail(err, errlen, f, line, "header: no %s column",
				    f->format == JITSIM_INV_CSV ? csv_cols[required[k]].name
								: vendor_cols[required[k]].name);
	return 0;
}

static int
parse_csv_header(struct jitsim_inv_file *f, char *err, size_t errlen)
{
	struct jitsim_inv_line l;
	struct fields fl;
	int rc = jitsim_inv_file_next(f, &l, err, errlen);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(err, errlen, f, f->lineno,
			    "header: no header line (want e.g. "
			    "iccid,imsi,ki,opc)");
	split(',', l.text, l.len, &fl);
	return set_columns(f, &fl, csv_cols, sizeof(csv_cols) / sizeof(csv_cols[0]), l.no, err,
			   errlen);
}

static int
need_line(struct jitsim_inv_file *f, struct jitsim_inv_line *l, const char *what, char *err,
	  size_t errlen)
{
	int rc;

	do
		rc = raw_next(f, l, err, errlen);
	while (rc == 1 && blank(l));
	if (rc == 0)
		return fail(err, errlen, f, f->lineno, "header: file ends before %s", what);
	return rc < 0 ? rc : 0;
}

static int
parse_u64(const char *p, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

/* "Name<spaces>: value" lines of the HEADER DESCRIPTION block. */
static int
vendor_header_line(struct jitsim_inv_file *f, const struct jitsim_inv_line *l, char *err,
		   size_t errlen)
{
	const char *colon = memchr(l->text, ':', l->len);
	const char *name = l->text, *val;
	size_t nlen, vlen;

	if (colon == NULL)
		return fail(err, errlen, f, l->no, "header: no ':' (want Name : value)");
	nlen = (size_t)(colon - l->text);
	val = colon + 1;
	vlen = l->len - nlen - 1;
	trim(&name, &nlen);
	trim(&val, &vlen);
	if (nlen == 8 && strncasecmp(name, "Quantity", 8) == 0) {
		if (f->quantity_line != 0)
			return fail(err, errlen, f, l->no, "field Quantity: given twice");
		/* Far beyond any batch, and line numbers fit 32 bits. */
		if (parse_u64(val, vlen, 4000000000ull, &f->quantity) != 0)
			return fail(err, errlen, f, l->no,
				    "field Quantity: not a number of cards (0..4000000000)");
		f->quantity_line = l->no;
	} else if (nlen == 3 && strncasecmp(name, "KCV", 3) == 0) {
		if (f->has_kcv)
			return fail(err, errlen, f, l->no, "field KCV: given twice");
		if (vlen != 6 || !unhex(val, 6, f->kcv))
			return fail(err, errlen, f, l->no, "field KCV: not 6 hex digits");
		f->has_kcv = true;
		f->kcv_line = l->no;
	} else if (nlen == 13 && strncasecmp(name, "Key_algorithm", 13) == 0) {
		if (vlen != 11 || strncasecmp(val, "AES-128-ECB", 11) != 0)
			return fail(err, errlen, f, l->no,
				    "field Key_algorithm: only AES-128-ECB is supported");
	} else if (nlen == 5 && strncasecmp(name, "Batch", 5) == 0) {
		if (vlen > JITSIM_REC_BATCH_MAX || !printable(val, vlen))
			return fail(err, errlen, f, l->no,
				    "field Batch: more than %u characters or not printable",
				    JITSIM_REC_BATCH_MAX);
		memcpy(f->batch, val, vlen);
		f->batch[vlen] = '\0';
	}
	/* Customer, Type, Profile, Transport_key and vendor additions: not
	 * needed by the store. */
	return 0;
}

static int
parse_vendor_header(struct jitsim_inv_file *f, char *err, size_t errlen)
{
	struct jitsim_inv_line l;
	struct fields fl;
	const char *p;
	size_t len;
	int rc;

	/* The banner: rule, "* HEADER DESCRIPTION", rule. */
	rc = need_line(f, &l, "the banner", err, errlen);
	if (rc != 0)
		return rc;
	if (!is_rule(&l))
		return fail(err, errlen, f, l.no, "header: not a vendor file banner");
	rc = need_line(f, &l, "the banner", err, errlen);
	if (rc != 0)
		return rc;
	if (!is_title(&l, "HEADER DESCRIPTION"))
		return fail(err, errlen, f, l.no, "header: want '* HEADER DESCRIPTION'");
	rc = need_line(f, &l, "the banner", err, errlen);
	if (rc != 0)
		return rc;
	if (!is_rule(&l))
		return fail(err, errlen, f, l.no, "header: want a line of '*'");
	for (;;) {
		rc = need_line(f, &l, "the OUTPUT VARIABLES block", err, errlen);
		if (rc != 0)
			return rc;
		if (is_rule(&l))
			break;
		rc = vendor_header_line(f, &l, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (f->quantity_line == 0)
		return fail(err, errlen, f, l.no, "header: no Quantity");
	if (!f->has_kcv)
		return fail(err, errlen, f, l.no,
			    "header: no KCV, the transport key cannot be checked");
	/* Blocks up to OUTPUT VARIABLES (INPUT VARIABLES: informative, read
	 * past). Here the rule opening a block has just been read. */
	for (;;) {
		bool output;

		rc = need_line(f, &l, "the OUTPUT VARIABLES block", err, errlen);
		if (rc != 0)
			return rc;
		output = is_title(&l, "OUTPUT VARIABLES");
		if (!output && !is_title(&l, "INPUT VARIABLES"))
			return fail(err, errlen, f, l.no,
				    "header: want '* INPUT VARIABLES' or '* OUTPUT VARIABLES'");
		rc = need_line(f, &l, "the OUTPUT VARIABLES block", err, errlen);
		if (rc != 0)
			return rc;
		if (!is_rule(&l))
			return fail(err, errlen, f, l.no, "header: want a line of '*'");
		if (output)
			break;
		do {
			rc = need_line(f, &l, "the OUTPUT VARIABLES block", err, errlen);
			if (rc != 0)
				return rc;
		} while (!is_rule(&l));
	}
	rc = need_line(f, &l, "Var_Out", err, errlen);
	if (rc != 0)
		return rc;
	if (l.len < 8 || strncasecmp(l.text, "Var_Out", 7) != 0)
		return fail(err, errlen, f, l.no, "header: want 'Var_Out: ICCID/IMSI/...'");
	p = l.text + 7;
	len = l.len - 7;
	trim(&p, &len);
	if (len == 0 || p[0] != ':')
		return fail(err, errlen, f, l.no, "header: want 'Var_Out: ICCID/IMSI/...'");
	p++;
	len--;
	trim(&p, &len);
	/* Var_Out is '/'-separated: split it as a CSV line on '/'. */
	{
		char tmp[JITSIM_INV_LINE_MAX];

		memcpy(tmp, p, len);
		for (size_t i = 0; i < len; i++)
			if (tmp[i] == '/')
				tmp[i] = ',';
		split(',', tmp, len, &fl);
		for (unsigned int c = 0; c < fl.n; c++)
			fl.p[c] = p + (fl.p[c] - tmp);
	}
	return set_columns(f, &fl, vendor_cols, sizeof(vendor_cols) / sizeof(vendor_cols[0]), l.no,
			   err, errlen);
}

int
jitsim_inv_file_open(struct jitsim_inv_file *f, const char *path, enum jitsim_inv_format fmt,
		     char *err, size_t errlen)
{
	struct jitsim_inv_line l;
	struct stat st;
	int rc;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : e == EACCES || e == EPERM ? -EACCES : -e;
	}
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(f->fd);
		f->fd = -1;
		return -EINVAL;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->buf = malloc(JITSIM_INV_BUF_SIZE);
	if (f->buf == NULL) {
		close(f->fd);
		f->fd = -1;
		return -ENOMEM;
	}
	if (fmt == JITSIM_INV_AUTO) {
		rc = raw_next(f, &l, err, errlen);
		if (rc < 0)
			goto close_file;
		fmt = rc == 1 && is_rule(&l) ? JITSIM_INV_VENDOR : JITSIM_INV_CSV;
		f->off = 0;
		f->lineno = 0;
	}
	f->format = fmt;
	f->sep = fmt == JITSIM_INV_CSV ? ',' : ' ';
	rc = fmt == JITSIM_INV_CSV ? parse_csv_header(f, err, errlen)
				   : parse_vendor_header(f, err, errlen);
	if (rc != 0)
		goto close_file;
	f->data_line = f->lineno;
	f->data_off = f->base + (off_t)f->off;
	return 0;

close_file:
	jitsim_inv_file_close(f);
	return rc;
}

int
jitsim_inv_file_rewind(struct jitsim_inv_file *f, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(f->fd, &st) != 0 || st.st_size != f->size ||
	    st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec) {
		snprintf(err, errlen, "%s: changed during the import", f->path);
		return -ESTALE;
	}
	if (lseek(f->fd, f->data_off, SEEK_SET) != f->data_off) {
		int e = errno;

		snprintf(err, errlen, "%s: seek: %s", f->path, strerror(e));
		return -EIO;
	}
	f->base = f->data_off;
	f->off = f->len = 0;
	f->eof = false;
	f->lineno = f->data_line;
	return 0;
}

void
jitsim_inv_file_close(struct jitsim_inv_file *f)
{
	if (f->buf != NULL) {
		/* A clear-key CSV put keys in it. */
		OPENSSL_cleanse(f->buf, JITSIM_INV_BUF_SIZE);
		free(f->buf);
		f->buf = NULL;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* --- fields --- */

bool
jitsim_inv_luhn_ok(const char *d, size_t n)
{
	unsigned int sum = 0;

	/* ISO/IEC 7812-1 (ITU-T E.118): from the check digit leftwards, every
	 * second digit doubled, digits of the products summed. */
	for (size_t i = 0; i < n; i++) {
		unsigned int v = (unsigned int)(d[n - 1 - i] - '0');

		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

uint64_t
jitsim_inv_iccid_key(const char *d, size_t n)
{
	uint64_t v = 0;

	/* At most 19 digits before the check digit: < 10^19 < 2^64 - 10^19. */
	for (size_t i = 0; i + 1 < n; i++)
		v = v * 10 + (uint64_t)(d[i] - '0');
	return n == 19 ? v + 10000000000000000000ull : v;
}

static bool
all_digits(const char *p, size_t len, size_t *bad)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9') {
			*bad = i + 1;
			return false;
		}
	return true;
}

static int
field_fail(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
	   enum jitsim_inv_field fld, const char *why, char *err, size_t errlen)
{
	return fail(err, errlen, f, l->no, "field %s: %s", f->name[fld], why);
}

static int
digits_field(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
	     enum jitsim_inv_field fld, const char *p, size_t len, size_t min, size_t max,
	     const char *what, char *err, size_t errlen)
{
	char why[128];
	size_t bad;

	if (len < min || len > max) {
		if (min == max - 1)
			snprintf(why, sizeof(why), "%zu characters, %s has %zu or %zu digits", len,
				 what, min, max);
		else
			snprintf(why, sizeof(why), "%zu characters, %s has %zu to %zu digits", len,
				 what, min, max);
		return field_fail(f, l, fld, why, err, errlen);
	}
	if (!all_digits(p, len, &bad)) {
		snprintf(why, sizeof(why), "character %zu is not a digit", bad);
		return field_fail(f, l, fld, why, err, errlen);
	}
	return 0;
}

static int
key_field(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
	  enum jitsim_inv_field fld, const char *p, size_t len, uint8_t out[16], char *err,
	  size_t errlen)
{
	char why[96];

	/* Never the value: only its length and where it goes wrong. */
	if (len != 32) {
		snprintf(why, sizeof(why), "%zu characters, a key has 32 hex digits", len);
		return field_fail(f, l, fld, why, err, errlen);
	}
	if (unhex(p, 32, out))
		return 0;
	OPENSSL_cleanse(out, 16);
	snprintf(why, sizeof(why), "not hex digits");
	for (size_t i = 0; i < len; i++)
		if (hexval((unsigned char)p[i]) < 0) {
			snprintf(why, sizeof(why), "character %zu is not a hex digit", i + 1);
			break;
		}
	return field_fail(f, l, fld, why, err, errlen);
}

int
jitsim_inv_parse_line(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l,
		      struct jitsim_inv_sim *sim, char *err, size_t errlen)
{
	static const uint8_t key_bit[JITSIM_INV_KEYS] = {JITSIM_REC_S_KI, JITSIM_REC_S_OPC,
							 JITSIM_REC_S_KIC, JITSIM_REC_S_KID};
	struct fields fl;
	const char *p;
	size_t len;
	int rc;

	split(f->sep, l->text, l->len, &fl);
	if (fl.too_many || fl.n != f->ncols)
		return fail(err, errlen, f, l->no, "%s%u fields, %s has %u",
			    fl.too_many ? "more than " : "", fl.n,
			    f->format == JITSIM_INV_CSV ? "the header" : "Var_Out", f->ncols);
	memset(sim, 0, sizeof(*sim));

	p = fl.p[f->pos[JITSIM_INV_F_ICCID]];
	len = fl.len[f->pos[JITSIM_INV_F_ICCID]];
	rc = digits_field(f, l, JITSIM_INV_F_ICCID, p, len, 19, 20, "an ICCID", err, errlen);
	if (rc != 0)
		return rc;
	if (!jitsim_inv_luhn_ok(p, len))
		return field_fail(f, l, JITSIM_INV_F_ICCID, "bad check digit (Luhn, ITU-T E.118)",
				  err, errlen);
	memcpy(sim->iccid, p, len);
	sim->iccid_key = jitsim_inv_iccid_key(p, len);

	p = fl.p[f->pos[JITSIM_INV_F_IMSI]];
	len = fl.len[f->pos[JITSIM_INV_F_IMSI]];
	/* TS 23.003 2.2: MCC (3) + MNC (2-3) + MSIN, at most 15 digits; 6 is
	 * the shortest that still has a digit of MSIN. */
	rc = digits_field(f, l, JITSIM_INV_F_IMSI, p, len, 6, 15, "an IMSI (TS 23.003)", err,
			  errlen);
	if (rc != 0)
		return rc;
	memcpy(sim->imsi_digits, p, len);
	sim->imsi = jitsim_digits_key_str(sim->imsi_digits);

	for (int k = 0; k < JITSIM_INV_KEYS; k++) {
		enum jitsim_inv_field fld = (enum jitsim_inv_field)(JITSIM_INV_F_KI + k);

		if (f->pos[fld] < 0)
			continue;
		p = fl.p[f->pos[fld]];
		len = fl.len[f->pos[fld]];
		/* KIc/KID are optional per line; Ki/OPc are not. */
		if (len == 0 && fld >= JITSIM_INV_F_KIC)
			continue;
		rc = key_field(f, l, fld, p, len, sim->key[k], err, errlen);
		if (rc != 0)
			return rc;
		sim->mask |= key_bit[k];
	}

	if (f->pos[JITSIM_INV_F_MSISDN] >= 0) {
		p = fl.p[f->pos[JITSIM_INV_F_MSISDN]];
		len = fl.len[f->pos[JITSIM_INV_F_MSISDN]];
		if (len > 0) {
			char d[16];

			rc = digits_field(f, l, JITSIM_INV_F_MSISDN, p, len, 1, 15,
					  "an MSISDN (E.164)", err, errlen);
			if (rc != 0)
				return rc;
			memcpy(d, p, len);
			d[len] = '\0';
			sim->msisdn = jitsim_digits_key_str(d);
		}
	}

	memcpy(sim->batch, f->batch, sizeof(sim->batch));
	if (f->pos[JITSIM_INV_F_BATCH] >= 0) {
		p = fl.p[f->pos[JITSIM_INV_F_BATCH]];
		len = fl.len[f->pos[JITSIM_INV_F_BATCH]];
		if (len > JITSIM_REC_BATCH_MAX)
			return field_fail(f, l, JITSIM_INV_F_BATCH, "more than 32 characters", err,
					  errlen);
		if (!printable(p, len))
			return field_fail(f, l, JITSIM_INV_F_BATCH, "not printable ASCII", err,
					  errlen);
		memcpy(sim->batch, p, len);
		sim->batch[len] = '\0';
	}
	return 0;
}

size_t
jitsim_inv_mask_line(const struct jitsim_inv_file *f, const struct jitsim_inv_line *l, char *out,
		     size_t cap)
{
	struct fields fl;
	bool shape_ok;
	size_t n = 0;

	if (cap == 0)
		return 0;
	split(f->sep, l->text, l->len, &fl);
	shape_ok = !fl.too_many && fl.n == f->ncols;
	for (unsigned int c = 0; c < fl.n; c++) {
		int fld = c < f->ncols ? f->col_field[c] : -1;
		bool keep = fld == JITSIM_INV_F_ICCID || fld == JITSIM_INV_F_IMSI ||
			    fld == JITSIM_INV_F_MSISDN || fld == JITSIM_INV_F_BATCH;
		size_t bad;

		/* With the wrong field count a key may sit in any column:
		 * keep only what is digits where an identity is expected. */
		if (keep && !shape_ok)
			keep = fld != JITSIM_INV_F_BATCH && fl.len[c] <= 20 &&
			       all_digits(fl.p[c], fl.len[c], &bad);
		if (keep && !printable(fl.p[c], fl.len[c]))
			keep = false;
		if (c > 0 && n + 1 < cap)
			out[n++] = f->sep;
		if (keep) {
			size_t k = fl.len[c] < cap - 1 - n ? fl.len[c] : cap - 1 - n;

			memcpy(out + n, fl.p[c], k);
			n += k;
		} else if (n + 1 < cap) {
			out[n++] = '*';
		}
	}
	out[n] = '\0';
	return n;
}

/* --- transport key --- */

int
jitsim_inv_kcv(const uint8_t key[16], uint8_t kcv[3])
{
	static const uint8_t zero[16];
	uint8_t out[32];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, rc = -EIO;

	if (c == NULL)
		return -EIO;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(c, 0) == 1 && EVP_EncryptUpdate(c, out, &n, zero, 16) == 1 &&
	    n == 16) {
		memcpy(kcv, out, 3);
		rc = 0;
	}
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

int
jitsim_inv_tkey_load(const char *path, struct jitsim_inv_tkey *tk, char *err, size_t errlen)
{
	char line[256];
	bool have_key = false, have_kcv = false;
	uint8_t kcv_file[3] = {0};
	unsigned int no = 0;
	struct stat st;
	int rc = 0;
	FILE *fp;
	int fd;

	memset(tk, 0, sizeof(*tk));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -EACCES;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* Like the KEK: a key others can read is no longer a secret. */
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen,
			 "%s: mode %04o lets group or others read the transport key (chmod 600)",
			 path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EACCES;
	}
	fp = fdopen(fd, "r");
	if (fp == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		const char *name = line, *val, *colon;
		size_t len = strcspn(line, "\r\n"), nlen, vlen;

		no++;
		if (line[len] == '\0' && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line too long", path, no);
			rc = -EINVAL;
			break;
		}
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL) {
			snprintf(err, errlen, "%s:%u: want 'Name: value'", path, no);
			rc = -EINVAL;
			break;
		}
		nlen = (size_t)(colon - line);
		val = colon + 1;
		vlen = strlen(val);
		trim(&name, &nlen);
		trim(&val, &vlen);
		if (nlen == 3 && strncasecmp(name, "Key", 3) == 0) {
			if (vlen != 32 || !unhex(val, 32, tk->key)) {
				snprintf(err, errlen, "%s:%u: field Key: not 32 hex digits", path,
					 no);
				rc = -EINVAL;
			}
			have_key = true;
		} else if (nlen == 3 && strncasecmp(name, "KCV", 3) == 0) {
			if (vlen != 6 || !unhex(val, 6, kcv_file)) {
				snprintf(err, errlen, "%s:%u: field KCV: not 6 hex digits", path,
					 no);
				rc = -EINVAL;
			}
			have_kcv = true;
		} else if (nlen == 9 && strncasecmp(name, "Algorithm", 9) == 0) {
			if (vlen != 11 || strncasecmp(val, "AES-128-ECB", 11) != 0) {
				snprintf(err, errlen,
					 "%s:%u: field Algorithm: only AES-128-ECB is supported",
					 path, no);
				rc = -EINVAL;
			}
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
	if (rc == 0 && !have_key) {
		snprintf(err, errlen, "%s: no 'Key:' line", path);
		rc = -EINVAL;
	}
	if (rc == 0 && jitsim_inv_kcv(tk->key, tk->kcv) != 0) {
		snprintf(err, errlen, "%s: AES failed", path);
		rc = -EIO;
	}
	if (rc == 0 && have_kcv && memcmp(kcv_file, tk->kcv, 3) != 0) {
		snprintf(err, errlen, "%s: KCV %02X%02X%02X does not match the key (file damaged?)",
			 path, kcv_file[0], kcv_file[1], kcv_file[2]);
		rc = -EINVAL;
	}
	if (rc != 0)
		OPENSSL_cleanse(tk, sizeof(*tk));
	return rc;
}
