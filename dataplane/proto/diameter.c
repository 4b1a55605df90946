/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter base protocol decoding (RFC 6733): the message header (section 3),
 * the AVP walk (section 4.1), value helpers (section 4.2) and the framing of
 * messages inside a transport payload.
 *
 * Every read checks the remaining length first (freeDiameter style:
 * "if (left < N) fail"), never a pointer sum that could wrap.
 */

#include <inttypes.h>
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>

enum jitsim_reason
jitsim_diam_decode_hdr(const uint8_t *p, size_t len, struct jitsim_diam_hdr *out)
{
	return jitsim_diam_decode_hdr_inline(p, len, out);
}

enum jitsim_reason
jitsim_diam_avp_next(struct jitsim_diam_avp_iter *it, struct jitsim_diam_avp *a)
{
	return jitsim_diam_avp_next_inline(it, a);
}

enum jitsim_reason
jitsim_diam_avp_find(const uint8_t *p, size_t len, uint32_t code, uint32_t vendor,
		     struct jitsim_diam_avp *a)
{
	struct jitsim_diam_avp_iter it;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next_inline(&it, a)) == JITSIM_R_OK) {
		if (a->code == code && a->vendor == vendor)
			return JITSIM_R_OK;
	}
	return r;
}

enum jitsim_reason
jitsim_diam_avp_u32(const struct jitsim_diam_avp *a, uint32_t *v)
{
	/* RFC 6733 4.2: Unsigned32, Integer32 and Enumerated are 32-bit. */
	if (a->data_len != 4)
		return JITSIM_R_DIAM_BAD_AVP;
	*v = jitsim_get_be32(a->data);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_diam_framer_next(struct jitsim_diam_framer *f, const uint8_t **msg, size_t *msg_len)
{
	return jitsim_diam_framer_next_inline(f, msg, msg_len);
}

/* RFC 6733 3.1 and the 3GPP application specifications, by command code. */
static const struct {
	uint32_t cmd;
	const char *name;
} cmd_names[] = {
	{257, "Capabilities-Exchange"}, /* RFC 6733 5.3 */
	{258, "Re-Auth"},		/* RFC 6733 8.3 */
	{265, "AA"},			/* RFC 7155 3.1 (Rx) */
	{272, "Credit-Control"},	/* RFC 8506 3.1 (Gx, Gy) */
	{274, "Abort-Session"},		/* RFC 6733 8.5 */
	{275, "Session-Termination"},	/* RFC 6733 8.4 */
	{280, "Device-Watchdog"},	/* RFC 6733 5.5 */
	{282, "Disconnect-Peer"},	/* RFC 6733 5.4 */
	{300, "User-Authorization"},	/* TS 29.229 6.1 (Cx) */
	{301, "Server-Assignment"},
	{302, "Location-Info"},
	{303, "Multimedia-Auth"},
	{304, "Registration-Termination"},
	{305, "Push-Profile"},
	{316, "Update-Location"}, /* TS 29.272 7.2.3 (S6a) */
	{317, "Cancel-Location"},
	{318, "Authentication-Information"},
	{319, "Insert-Subscriber-Data"},
	{320, "Delete-Subscriber-Data"},
	{321, "Purge-UE"},
	{322, "Reset"},
	{323, "Notify"},
};

const char *
jitsim_diam_cmd_name(uint32_t cmd)
{
	for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (cmd_names[i].cmd == cmd)
			return cmd_names[i].name;
	return NULL;
}

int
jitsim_diam_hdr_dump(const struct jitsim_diam_hdr *x, char *buf, size_t size)
{
	const char *name = jitsim_diam_cmd_name(x->cmd);

	return snprintf(buf, size,
			"version=%u length=%" PRIu32 " flags=0x%02x cmd=%" PRIu32
			" cmd_name=%s request=%d app_id=%" PRIu32 " hbh=0x%08" PRIx32
			" e2e=0x%08" PRIx32,
			x->version, x->length, x->flags, x->cmd, name ? name : "unknown",
			(x->flags & JITSIM_DIAM_FLAG_R) ? 1 : 0, x->app_id, x->hbh, x->e2e);
}
