/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Private to dataplane/table: the array shared by the IMSI and MSISDN
 * tables, the hash, and the probe loop. Not for other modules; the unit
 * test includes it only for the rebuild hook.
 *
 * One array is one anonymous mapping:
 *   [struct jitsim_table_arr][tag lines: chunks x 64 B][entries: slots x esz]
 * so a reader gets the geometry, the seed and both arrays from the one
 * pointer it loads from the table.
 *
 * Chunked linear probing (the chunk and overflow-count idea of
 * folly's F14 tables): the slots are grouped in chunks of 31; a chunk's
 * 31 tags and one 16-bit overflow count fill one 64-byte line. A key is
 * stored in the first free lane of the first chunk, from its home chunk
 * on, that has one. The overflow count of a chunk is the number of live
 * keys stored beyond it whose probe passed through it (it was full), so a
 * lookup stops at the first chunk without its key and with a count of 0:
 * a miss reads ~1.2 tag lines at the maximum load, where slot-level
 * linear probing runs ~20 slots to the next empty one (measured 0.6-0.9x
 * rte_hash on a 50/50 hit/miss stream, see docs/tables.md).
 *
 * Slot life cycle within one array: tag 0 (empty) -> tag >= 2 (live,
 * published once by the updater) -> tag 1 (tombstone). A slot never goes
 * back, so a key read from a slot whose tag matched is that slot's only
 * key for the array's whole life; only a rebuild reclaims tombstones.
 * Lanes of a chunk fill in order, and a chunk once full stays full.
 *
 * Every access to a field that another thread may write is an __atomic
 * builtin (relaxed compiles to a plain load/store on x86 and arm64) so
 * that ThreadSanitizer checks the protocol instead of flagging it.
 */

#ifndef JITSIM_TABLE_PRIV_H
#define JITSIM_TABLE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#define JT_TAG_EMPTY 0
#define JT_TAG_TOMB 1
#define JT_NOT_FOUND UINT64_MAX

#define JT_CHUNK_SLOTS 31u
#define JT_CHUNK_LANES 32u /* 31 tags + the overflow count */
#define JT_OV_MAX 0xffffu  /* a saturated count is never decremented */

/* Smallest array, in slots (two chunks): small tables are not worth
 * shrinking further. */
#define JT_MIN_SLOTS (2 * JT_CHUNK_SLOTS)

struct jitsim_table_arr {
	uint64_t slots; /* chunks * JT_CHUNK_SLOTS */
	uint64_t chunks;
	uint64_t seed;	     /* hash seed, per array: chosen at each build */
	uint16_t *tags;	     /* chunks x 32 lanes, in the same mapping */
	unsigned char *ents; /* slots entries of esz bytes, 64-byte aligned */
	size_t map_len;	     /* whole mapping, this descriptor included */
	size_t esz;
};

/* murmur3's 64-bit finaliser (fmix64): every input bit flips each output
 * bit with probability ~1/2, and it is a bijection, so distinct keys keep
 * distinct hashes. The seed is xored in first so that a peer sending
 * chosen IMSIs cannot predict which keys share a probe run. */
static inline uint64_t
jt_hash(uint64_t seed, uint64_t key)
{
	uint64_t h = key ^ seed;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Lemire's fastrange: maps h uniformly onto [0, n) with a multiply
 * instead of a division, so the capacity need not be a power of two
 * (a power of two would cost up to 2x the memory at 10 M SIMs). Uses the
 * high bits of h; the tag uses the low ones. */
static inline uint64_t
jt_home(uint64_t h, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)h * n) >> 64);
}

static inline uint16_t
jt_tag(uint64_t h)
{
	uint16_t tag = (uint16_t)h;

	return tag < 2 ? (uint16_t)(tag + 2) : tag;
}

static inline uint64_t
jt_chunk_of(uint64_t slot)
{
	return slot / JT_CHUNK_SLOTS;
}

static inline uint16_t *
jt_tag_ptr(const struct jitsim_table_arr *a, uint64_t slot)
{
	return &a->tags[jt_chunk_of(slot) * JT_CHUNK_LANES + slot % JT_CHUNK_SLOTS];
}

static inline uint16_t *
jt_ov_ptr(const struct jitsim_table_arr *a, uint64_t chunk)
{
	return &a->tags[chunk * JT_CHUNK_LANES + JT_CHUNK_SLOTS];
}

static inline uint64_t
jt_next_chunk(const struct jitsim_table_arr *a, uint64_t c)
{
	return c + 1 == a->chunks ? 0 : c + 1;
}

static inline const uint64_t *
jt_key_ptr(const struct jitsim_table_arr *a, uint64_t i)
{
	/* The key is the first 8 bytes of every entry kind. */
	return (const uint64_t *)(const void *)(a->ents + i * a->esz);
}

/*
 * A chunk's line is read as eight 64-bit words (four lanes each), with
 * SWAR compares: every access stays an __atomic builtin, so
 * ThreadSanitizer checks the protocol, and the acquire load of a word
 * makes the key and entry written before any tag in it visible (x86
 * builds other than TSan's read the line with SSE2 instead, see
 * jt_chunk_match_sse2). The updater writes tags and counts as whole words too
 * (jt_lane_store): the only writer of the line, it can rebuild the word
 * from its own last value, and same-size atomics keep the code inside the
 * C11 model and let TSan pair each store with the loads that see it.
 *
 * jt_zero16(v) flags (bit 15 of a lane) every 16-bit lane of @v that is 0;
 * a lane above a zero lane can be flagged falsely (borrow), never the
 * lowest one. A false flag in a match mask only costs a key comparison.
 */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the tag scan assumes little-endian lanes"
#endif

#define JT_LANE1 0x0001000100010001ULL
#define JT_LANE_HI 0x8000800080008000ULL
#define JT_OV_SHIFT 48 /* the count is lane 3 of word 7 */

static inline uint64_t
jt_zero16(uint64_t v)
{
	return (v - JT_LANE1) & ~v & JT_LANE_HI;
}

static inline uint64_t
jt_chunk_word(const struct jitsim_table_arr *a, uint64_t c, unsigned int w, int mo)
{
	return __atomic_load_n((const uint64_t *)(const void *)(a->tags + c * JT_CHUNK_LANES) + w,
			       mo);
}

/* Updater only: set the 16-bit lane at @lane (a tag or a count) by a
 * store of the 64-bit word holding it. */
static inline void
jt_lane_store(uint16_t *lane, uint16_t val, int mo)
{
	uint64_t *w = (uint64_t *)(void *)((uintptr_t)lane & ~(uintptr_t)7);
	const unsigned int shift = (unsigned int)((uintptr_t)lane & 7) * 8;
	uint64_t v = __atomic_load_n(w, __ATOMIC_RELAXED);

	v = (v & ~(0xffffULL << shift)) | (uint64_t)val << shift;
	__atomic_store_n(w, v, mo);
}

/*
 * Lanes of chunk @c whose tag is @tag (bit l for lane l, lanes 0..30) and,
 * in *ov, the chunk's overflow count: the reference version, eight 64-bit
 * atomic loads and SWAR compares (lane flags gathered by a multiply:
 * bits 0, 16, 32, 48 land alone on bits 45..48). Used under TSan, on
 * targets without SSE2, and for the seq_cst probe of state propagation.
 */
static inline uint32_t
jt_chunk_match_atomic(const struct jitsim_table_arr *a, uint64_t c, uint16_t tag, uint64_t *ov,
		      int mo)
{
	const uint64_t pat = tag * JT_LANE1;
	uint32_t mask = 0;

	for (unsigned int w = 0; w < 8; w++) {
		uint64_t v = jt_chunk_word(a, c, w, mo);
		uint64_t m = jt_zero16(v ^ pat) >> 15;

		if (w == 7)
			*ov = v >> JT_OV_SHIFT;
		mask |= (uint32_t)(((m * 0x0000200040008001ULL) >> 45) & 0xf) << (4 * w);
	}
	return mask & 0x7fffffffu;
}

#if defined(__SANITIZE_THREAD__)
#define JT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define JT_TSAN 1
#endif
#endif

#if defined(__SSE2__) && !defined(JT_TSAN)
#include <emmintrin.h>
#define JT_SCAN_SSE2 1

/*
 * The same with four aligned 16-byte loads, measured 1.4-1.6x faster for
 * bulk lookups at 10 M SIMs (the scan is the bulk lookup's largest ALU
 * cost). These loads are not C11 atomics, so this is a data race in the
 * language's terms, deliberately, on x86 only: each aligned 16-bit lane
 * is read single-copy atomically (the same as the 64-bit loads of the
 * reference version give), x86 does not reorder loads with loads, and
 * the compiler-only acquire fence keeps the key loads after the tags.
 * ThreadSanitizer cannot check this path; TSan builds use the reference
 * one, which implements the same protocol, and the ASan tests (bulk ==
 * single lookups, concurrent readers) run this one.
 */
static inline uint32_t
jt_chunk_match_sse2(const struct jitsim_table_arr *a, uint64_t c, uint16_t tag, uint64_t *ov)
{
	const __m128i *p = (const __m128i *)(const void *)(a->tags + c * JT_CHUNK_LANES);
	const __m128i t = _mm_set1_epi16((short)tag);
	const __m128i w0 = _mm_load_si128(p), w1 = _mm_load_si128(p + 1);
	const __m128i w2 = _mm_load_si128(p + 2), w3 = _mm_load_si128(p + 3);
	uint32_t m = (uint32_t)_mm_movemask_epi8(
			     _mm_packs_epi16(_mm_cmpeq_epi16(w0, t), _mm_cmpeq_epi16(w1, t))) |
		     (uint32_t)_mm_movemask_epi8(
			     _mm_packs_epi16(_mm_cmpeq_epi16(w2, t), _mm_cmpeq_epi16(w3, t)))
			     << 16;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*ov = (uint64_t)_mm_extract_epi16(w3, 7);
	return m & 0x7fffffffu;
}
#endif

static inline uint32_t
jt_chunk_match(const struct jitsim_table_arr *a, uint64_t c, uint16_t tag, uint64_t *ov, int mo)
{
#ifdef JT_SCAN_SSE2
	if (mo != __ATOMIC_SEQ_CST)
		return jt_chunk_match_sse2(a, c, tag, ov);
#endif
	return jt_chunk_match_atomic(a, c, tag, ov, mo);
}

/*
 * Probe for @key with tag @tag from lane @lane0 of chunk @c on. Returns
 * the slot of the live entry or JT_NOT_FOUND. The loop over chunks ends
 * at a count of 0, which the load limit guarantees exists (the counter
 * only guards against a corrupted array). @mo is the memory order of the
 * tag loads (a constant after inlining).
 */
static inline uint64_t
jt_find_from(const struct jitsim_table_arr *a, uint64_t key, uint16_t tag, uint64_t c,
	     unsigned int lane0, int mo)
{
	for (uint64_t n = 0; n < a->chunks; n++) {
		uint64_t ov = 0;
		uint32_t m = jt_chunk_match(a, c, tag, &ov, mo) & (~0u << lane0);

		for (; m != 0; m &= m - 1) {
			uint64_t s = c * JT_CHUNK_SLOTS + (unsigned int)__builtin_ctz(m);

			if (__atomic_load_n(jt_key_ptr(a, s), __ATOMIC_ACQUIRE) == key)
				return s;
		}
		if (ov == 0)
			return JT_NOT_FOUND;
		lane0 = 0;
		c = jt_next_chunk(a, c);
	}
	return JT_NOT_FOUND;
}

static inline uint64_t
jt_probe(const struct jitsim_table_arr *a, uint64_t key)
{
	uint64_t h = jt_hash(a->seed, key);

	return jt_find_from(a, key, jt_tag(h), jt_home(h, a->chunks), 0, __ATOMIC_ACQUIRE);
}

/*
 * Second pass of a bulk lookup, once the home line is in cache: the
 * first tag-match slot of chunk @c (its entry to be prefetched) or
 * JT_NOT_FOUND, and the chunk's overflow count in *ov. The caller
 * confirms the key and otherwise resumes with jt_find_from() after the
 * candidate, or at the next chunk when *ov is not 0.
 */
static inline uint64_t
jt_scan_chunk(const struct jitsim_table_arr *a, uint16_t tag, uint64_t c, uint64_t *ov)
{
	uint32_t m = jt_chunk_match(a, c, tag, ov, __ATOMIC_ACQUIRE);

	return m != 0 ? c * JT_CHUNK_SLOTS + (unsigned int)__builtin_ctz(m) : JT_NOT_FOUND;
}

static inline void
jt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* Slots needed to hold @entries at @load_pct percent (at least
 * JT_MIN_SLOTS, a multiple of JT_CHUNK_SLOTS); 0 on overflow. */
uint64_t jitsim_table_slots_for(uint64_t entries, unsigned int load_pct);
/* Whether @used slots (live + tombstones) fit in @slots at
 * JITSIM_TABLE_LOAD_MAX. */
int jitsim_table_fits(uint64_t used, uint64_t slots);
/* Map a zeroed array of @slots entries of @esz bytes with a fresh seed.
 * NULL with errno set. */
struct jitsim_table_arr *jitsim_table_arr_alloc(uint64_t slots, size_t esz);
void jitsim_table_arr_free(struct jitsim_table_arr *a);
/* Updater only. Choose the slot for a new key of hash @h (not present):
 * the first free lane from its home chunk on; the overflow counts of the
 * full chunks passed are raised now, before the caller publishes the tag
 * (seq_cst, see jt_imsi_rebuild). JT_NOT_FOUND if the array is full. */
uint64_t jitsim_table_arr_claim(struct jitsim_table_arr *a, uint64_t h);
/* Updater only. Make @slot, holding the key of hash @h, a tombstone and
 * lower the overflow counts its insertion raised. */
void jitsim_table_arr_remove(struct jitsim_table_arr *a, uint64_t h, uint64_t slot);
/* Updater only. Insert @ent (esz bytes, key first, key not present) into
 * an array being built: not yet published to readers, but workers may
 * already probe it (IMSI state propagation), so the tag is stored last,
 * seq_cst. Returns the slot. */
uint64_t jitsim_table_arr_insert_new(struct jitsim_table_arr *a, const void *ent);

/* Publish/read the current array: these are rcu_assign_pointer() and
 * rcu_dereference() written as __atomic builtins, because liburcu 0.13
 * implements those with volatile accesses that ThreadSanitizer reports
 * as races. Acquire costs nothing more than consume on x86/arm64. */
static inline struct jitsim_table_arr *
jt_arr_get(struct jitsim_table_arr *const *pp)
{
	return __atomic_load_n(pp, __ATOMIC_ACQUIRE);
}

static inline void
jt_arr_publish(struct jitsim_table_arr **pp, struct jitsim_table_arr *a)
{
	__atomic_store_n(pp, a, __ATOMIC_RELEASE);
}

/* Counters written by the updater only, read by anyone. */
static inline void
jt_count_add(uint64_t *c, int64_t d)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + (uint64_t)d, __ATOMIC_RELAXED);
}

/* The first two passes of a bulk lookup, the same for both tables (the
 * third, confirming keys and copying the entries, is per table). */
struct jt_bulk {
	uint64_t pos[JITSIM_TABLE_BULK_MAX];   /* first candidate slot or JT_NOT_FOUND */
	uint64_t chunk[JITSIM_TABLE_BULK_MAX]; /* home chunk */
	uint16_t tag[JITSIM_TABLE_BULK_MAX];
	bool more[JITSIM_TABLE_BULK_MAX]; /* the key may be past its home chunk */
};

/* Start fetching @key's home tag line (a hint: no result, no fault). */
static inline void
jt_prefetch_home(const struct jitsim_table_arr *a, uint64_t key)
{
	__builtin_prefetch(
		jt_tag_ptr(a, jt_home(jt_hash(a->seed, key), a->chunks) * JT_CHUNK_SLOTS), 0, 3);
}

/* Hash every key and prefetch its home tag line; then scan each home chunk
 * (lines now in flight or cached) for the first candidate and prefetch its
 * entry, or the next chunk's line when the key may have overflowed. */
static inline void
jt_bulk_locate(const struct jitsim_table_arr *a, const uint64_t *keys, unsigned int n,
	       struct jt_bulk *b)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint64_t h = jt_hash(a->seed, keys[k]);

		b->tag[k] = jt_tag(h);
		b->chunk[k] = jt_home(h, a->chunks);
		__builtin_prefetch(jt_tag_ptr(a, b->chunk[k] * JT_CHUNK_SLOTS), 0, 3);
	}
	for (k = 0; k < n; k++) {
		uint64_t ov = 0;

		b->pos[k] =
			keys[k] == 0 ? JT_NOT_FOUND : jt_scan_chunk(a, b->tag[k], b->chunk[k], &ov);
		b->more[k] = keys[k] != 0 && ov != 0;
		if (b->pos[k] != JT_NOT_FOUND)
			__builtin_prefetch(a->ents + b->pos[k] * a->esz, 0, 3);
		else if (b->more[k])
			__builtin_prefetch(
				jt_tag_ptr(a, jt_next_chunk(a, b->chunk[k]) * JT_CHUNK_SLOTS), 0,
				3);
	}
}

/* Updater: remove @key from @a (both tables). The entry stays as it is:
 * a reader that matched the tag just before still reads a consistent
 * (deleted) entry, and the slot is a tombstone until the next rebuild.
 * 0 or -ENOENT. */
static inline int
jt_del(struct jitsim_table_arr *a, uint64_t key, uint64_t *entries, uint64_t *tombstones)
{
	uint64_t i;

	if (key == 0)
		return -ENOENT;
	i = jt_probe(a, key);
	if (i == JT_NOT_FOUND)
		return -ENOENT;
	jitsim_table_arr_remove(a, jt_hash(a->seed, key), i);
	jt_count_add(entries, -1);
	jt_count_add(tombstones, 1);
	return 0;
}

/* Slots of a rehash: the same size unless the live entries alone are
 * above the growth load (a table that only ever filled up through
 * create()). */
static inline uint64_t
jt_rehash_slots(const struct jitsim_table_arr *a, uint64_t entries)
{
	uint64_t need = jitsim_table_slots_for(entries, JITSIM_TABLE_LOAD_GROW);

	return need > a->slots ? need : a->slots;
}

/*
 * Test hook: when set, the IMSI table calls it once per rebuild, after the
 * live entries were copied into the new array and before that array is
 * published, with the table still serving the old one. The unit test uses
 * it to take a lease in the old array at the worst moment and check that
 * reconciliation carries it over. Updater thread only.
 */
struct jitsim_table_imsi;
void jitsim_table_imsi_set_rebuild_hook(struct jitsim_table_imsi *t,
					void (*fn)(struct jitsim_table_imsi *t, void *arg),
					void *arg);

#endif /* JITSIM_TABLE_PRIV_H */
