/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_MAP_TPL_H
#define JITSIM_PKTGEN_MAP_TPL_H

/**
 * @file
 * MAP Invoke arguments (TS 29.002) from templates: the argument of each
 * kind (operation, version, number of vectors, which identities and how
 * many digits each) is encoded once by the codec library
 * (jitsim_map_encode_invoke()), and later arguments of the kind copy its
 * bytes and write their identities' TBCD octets where the library put
 * them. Those places are found by encoding the kind again with each
 * identity changed and comparing; a template is kept only if it then
 * reproduces the library's own encoding of two arguments of the kind (the
 * first one, and one with every identity changed), otherwise the kind is
 * encoded by the library every time.
 *
 * Thread-safety: a cache belongs to one thread.
 */

#include <stdint.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/** Identities of struct jitsim_map_ids a template places. */
#define JITSIM_PKTGEN_MAP_IDS 7
#define JITSIM_PKTGEN_MAP_TPL_MAX 112
#define JITSIM_PKTGEN_MAP_TPLS 128

/**
 * What makes two arguments the same kind, in one word compared at once:
 * opcode (bits 56-63), version (48-55), n_vectors (40-47) and, five bits
 * per identity in id order from bit 0, its digits plus one (0: absent).
 */
#define JITSIM_PKTGEN_MAP_KEY_LEN_BITS 5

/** Where an identity goes in a template, 0xff: not in this kind. */
#define JITSIM_PKTGEN_MAP_NONE 0xff

struct jitsim_pktgen_map_tpl {
	uint8_t state; /**< 0: free, 1: template, 2: encode every time */
	uint64_t key;
	uint8_t len;
	uint8_t at[JITSIM_PKTGEN_MAP_IDS];
	uint8_t n[JITSIM_PKTGEN_MAP_IDS]; /**< the digits of each identity it carries */
	/* The identities the kind carries, in at[] order: what a fill walks. */
	uint8_t n_fields;
	uint8_t field[JITSIM_PKTGEN_MAP_IDS];
	uint8_t b[JITSIM_PKTGEN_MAP_TPL_MAX];
};

/** The MAP argument templates of a run, built on first use (zero-initialise). */
/** Entries of the memo of caller-named kinds (a power of two). */
#define JITSIM_PKTGEN_MAP_MEMO 1024

struct jitsim_pktgen_map_tpls {
	struct jitsim_pktgen_map_tpl t[JITSIM_PKTGEN_MAP_TPLS];
	/** Kinds the caller names by a number (jitsim_pktgen_enc_invoke_kind()). */
	struct {
		uint64_t kind;			       /**< 0: empty */
		const struct jitsim_pktgen_map_tpl *t; /**< NULL: the library encodes it */
	} memo[JITSIM_PKTGEN_MAP_MEMO];
};

/**
 * jitsim_map_encode_invoke() (same bytes, same returns) from the template
 * of the kind of @p ids in @p c when there is one. @p c may be NULL.
 */
enum jitsim_reason jitsim_pktgen_enc_invoke(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
					    const struct jitsim_map_ids *ids,
					    struct jitsim_pktgen_map_tpls *c);

/**
 * jitsim_pktgen_enc_invoke() for a caller that knows the kind of argument:
 * @p kind (not 0) is the caller's number for it, and two arguments with the
 * same number must be of the same kind (operation, version, vectors, which
 * identities and their lengths). Saves building and hashing the key.
 */
enum jitsim_reason jitsim_pktgen_enc_invoke_kind(struct jitsim_wbuf *w, uint8_t opcode,
						 uint8_t version, const struct jitsim_map_ids *ids,
						 struct jitsim_pktgen_map_tpls *c, uint64_t kind);

#endif /* JITSIM_PKTGEN_MAP_TPL_H */
