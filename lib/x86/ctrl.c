// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of the kvmrun control port: one request block, filled and
 * sent with a 32-bit OUT of its address (common/kvmrun_proto.h).
 */
#include "libcflat.h"
#include "ctrl.h"

/* Port I/O with a memory clobber: the host reads and writes the block. */
static inline void ctrl_outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline u32 ctrl_inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static struct {
	struct kvmrun_req_hdr hdr;
	union kvmrun_payload u;
} block __attribute__((aligned(64)));

static int block_lock;
static int present = -1;	/* unknown yet */

static void lock_block(void)
{
	while (__atomic_exchange_n(&block_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause" ::: "memory");
}

static void unlock_block(void)
{
	__atomic_store_n(&block_lock, 0, __ATOMIC_RELEASE);
}

bool kvmrun_present(void)
{
	if (present < 0)
		present = ctrl_inl(KVMRUN_CTRL_PORT) == KVMRUN_CTRL_MAGIC;
	return present;
}

const char *kvmrun_status_name(int status)
{
	static const char *const names[] = {
		[KVMRUN_ST_OK] = "OK",
		[KVMRUN_ST_BADVERSION] = "BADVERSION",
		[KVMRUN_ST_BADOP] = "BADOP",
		[KVMRUN_ST_BADSIZE] = "BADSIZE",
		[KVMRUN_ST_BADARG] = "BADARG",
		[KVMRUN_ST_BADADDR] = "BADADDR",
		[KVMRUN_ST_BUSY] = "BUSY",
		[KVMRUN_ST_FAILED] = "FAILED",
	};

	if (status == KVMRUN_ST_NOHOST)
		return "NOHOST";
	if (status < 0 || (unsigned int)status >= ARRAY_SIZE(names))
		return "?";
	return names[status];
}

/*
 * Send the block (lock held, payload filled) and return its status.
 * 'in' bytes of payload come from 'arg', 'out' bytes go back to it.
 */
static int request(u16 op, const void *arg, u32 in, void *res_out, u32 out,
		   struct kvmrun_result *res)
{
	int status;

	if (!kvmrun_present())
		return KVMRUN_ST_NOHOST;
	lock_block();
	memset(&block, 0, sizeof(block));
	block.hdr.magic = KVMRUN_REQ_MAGIC;
	block.hdr.version = KVMRUN_PROTO_VERSION;
	block.hdr.op = op;
	block.hdr.size = sizeof(block);
	block.hdr.status = KVMRUN_ST_PENDING;
	if (in)
		memcpy(&block.u, arg, in);
	ctrl_outl((u32)(unsigned long)&block, KVMRUN_CTRL_PORT);
	status = block.hdr.status;
	if (res) {
		res->ret = block.hdr.ret;
		res->err = block.hdr.err;
	}
	if (out && status == KVMRUN_ST_OK)
		memcpy(res_out, &block.u, out);
	unlock_block();
	return status;
}

int kvmrun_info(struct kvmrun_info *info)
{
	return request(KVMRUN_OP_INFO, NULL, 0, info, sizeof(*info), NULL);
}

int kvmrun_set_filter_mode(const struct kvmrun_msr_filter *f, u32 struct_mode,
			   struct kvmrun_result *res)
{
	struct kvmrun_set_filter a = {
		.filter_gpa = (u64)(unsigned long)f, .struct_mode = struct_mode,
	};

	return request(KVMRUN_OP_SET_FILTER, &a, sizeof(a), NULL, 0, res);
}

int kvmrun_set_filter(const struct kvmrun_msr_filter *f, struct kvmrun_result *res)
{
	return kvmrun_set_filter_mode(f, KVMRUN_FILTER_STRUCT_GUEST, res);
}

int kvmrun_enable_cap(u32 cap, u32 flags, u64 arg0, struct kvmrun_result *res)
{
	struct kvmrun_enable_cap a = { .cap = cap, .flags = flags, .args0 = arg0 };

	return request(KVMRUN_OP_ENABLE_CAP, &a, sizeof(a), NULL, 0, res);
}

int kvmrun_set_exit_mask(u64 mask, struct kvmrun_result *res)
{
	return kvmrun_enable_cap(KVMRUN_CAP_X86_USER_SPACE_MSR, 0, mask, res);
}

int kvmrun_set_policy(const struct kvmrun_policy *p)
{
	return request(KVMRUN_OP_SET_POLICY, p, sizeof(*p), NULL, 0, NULL);
}

int kvmrun_reset_policy(void)
{
	static const struct kvmrun_policy none;

	return kvmrun_set_policy(&none);
}

int kvmrun_get_stats(struct kvmrun_stats *st)
{
	return request(KVMRUN_OP_GET_STATS, NULL, 0, st, sizeof(*st), NULL);
}

int kvmrun_reset_stats(void)
{
	return request(KVMRUN_OP_RESET_STATS, NULL, 0, NULL, 0, NULL);
}

/* One MSR read through a host op (KVM_GET_MSRS or KVM_GET_ONE_REG). */
static int host_msr_get(u16 op, u32 cpu, u32 index, u64 *val, struct kvmrun_result *res)
{
	struct kvmrun_host_msr a = { .cpu = cpu, .index = index };
	int st = request(op, &a, sizeof(a), &a, sizeof(a), res);

	if (st == KVMRUN_ST_OK)
		*val = a.data;
	return st;
}

static int host_msr_set(u16 op, u32 cpu, u32 index, u64 val, struct kvmrun_result *res)
{
	struct kvmrun_host_msr a = { .cpu = cpu, .index = index, .data = val };

	return request(op, &a, sizeof(a), NULL, 0, res);
}

int kvmrun_host_rdmsr(u32 cpu, u32 index, u64 *val, struct kvmrun_result *res)
{
	return host_msr_get(KVMRUN_OP_HOST_RDMSR, cpu, index, val, res);
}

int kvmrun_host_wrmsr(u32 cpu, u32 index, u64 val, struct kvmrun_result *res)
{
	return host_msr_set(KVMRUN_OP_HOST_WRMSR, cpu, index, val, res);
}

int kvmrun_host_get_one_reg(u32 cpu, u32 index, u64 *val, struct kvmrun_result *res)
{
	return host_msr_get(KVMRUN_OP_HOST_GET_ONE_REG, cpu, index, val, res);
}

int kvmrun_host_set_one_reg(u32 cpu, u32 index, u64 val, struct kvmrun_result *res)
{
	return host_msr_set(KVMRUN_OP_HOST_SET_ONE_REG, cpu, index, val, res);
}

int kvmrun_check_extension(u32 cap, struct kvmrun_check_ext *out)
{
	struct kvmrun_check_ext a = { .cap = cap };

	return request(KVMRUN_OP_CHECK_EXT, &a, sizeof(a), out, sizeof(*out), NULL);
}

int kvmrun_start_ap(u32 cpu, u32 entry, u32 arg)
{
	struct kvmrun_start_ap a = { .cpu = cpu, .entry = entry, .arg = arg };

	return request(KVMRUN_OP_START_AP, &a, sizeof(a), NULL, 0, NULL);
}

int kvmrun_get_exits(struct kvmrun_exits *e)
{
	return request(KVMRUN_OP_GET_EXITS, NULL, 0, e, sizeof(*e), NULL);
}

/*
 * The console's own block: console_write() must not wait for the shared
 * block (an exception handler may print while its CPU holds it), and the
 * console serializes its callers itself.
 */
static struct {
	struct kvmrun_req_hdr hdr;
	struct kvmrun_console_write a;
} con_block __attribute__((aligned(64)));

int kvmrun_console_write(const void *buf, u32 len)
{
	if (!kvmrun_present())
		return KVMRUN_ST_NOHOST;
	con_block.hdr = (struct kvmrun_req_hdr){
		.magic = KVMRUN_REQ_MAGIC, .version = KVMRUN_PROTO_VERSION,
		.op = KVMRUN_OP_CONSOLE_WRITE, .size = sizeof(con_block),
		.status = KVMRUN_ST_PENDING,
	};
	con_block.a = (struct kvmrun_console_write){ .gpa = (u64)(unsigned long)buf, .len = len };
	ctrl_outl((u32)(unsigned long)&con_block, KVMRUN_CTRL_PORT);
	return con_block.hdr.status;
}

/* ceil(nmsrs / 8), capped at the bitmap's size. */
static u32 bitmap_len(u32 nmsrs)
{
	u32 len = nmsrs / 8 + (nmsrs % 8 != 0);

	return len < MSRF_MAX_BITMAP_BYTES ? len : MSRF_MAX_BITMAP_BYTES;
}

int kvmrun_build_filter(const struct msrf_filter *mf, struct kvmrun_msr_filter *out)
{
	struct kvmrun_info info;
	bool edge_used = false;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->flags = mf->flags;
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct msrf_range *r = &mf->ranges[i];
		struct kvmrun_msr_filter_range *k = &out->ranges[i];
		u32 len;
		u8 *dst;

		k->flags = r->flags;
		k->nmsrs = r->nmsrs;
		k->base = r->base;
		switch (r->bitmap_kind) {
		case MSRF_BITMAP_NULL:
			k->bitmap = 0;
			break;
		case MSRF_BITMAP_UNMAPPED:
			k->bitmap = KVMRUN_UNMAPPED_GPA;
			break;
		case MSRF_BITMAP_EDGE:
			if (edge_used || kvmrun_info(&info) != KVMRUN_ST_OK)
				return -1;
			edge_used = true;
			len = bitmap_len(r->nmsrs);
			dst = (u8 *)(unsigned long)(info.ram_bytes - len);
			memcpy(dst, r->bitmap, len);
			k->bitmap = info.ram_bytes - len;
			break;
		default:
			k->bitmap = (u64)(unsigned long)r->bitmap;
			break;
		}
	}
	return 0;
}

int kvmrun_get_filter(struct msrf_filter *out, u32 *source)
{
	static u8 bitmaps[KVMRUN_FILTER_BITMAPS_MAX];
	static struct kvmrun_get_filter a;
	unsigned int i;
	int st;

	memset(&a, 0, sizeof(a));
	a.bitmaps_gpa = (u64)(unsigned long)bitmaps;
	a.bitmaps_size = sizeof(bitmaps);
	st = request(KVMRUN_OP_GET_FILTER, &a, sizeof(a), &a, sizeof(a), NULL);
	if (st != KVMRUN_ST_OK)
		return st;
	msrf_filter_init(out, a.filter.flags);
	for (i = 0; i < MSRF_MAX_RANGES; i++) {
		const struct kvmrun_msr_filter_range *k = &a.filter.ranges[i];
		struct msrf_range *r = &out->ranges[i];
		u64 off = k->bitmap - a.bitmaps_gpa;

		r->flags = k->flags;
		r->nmsrs = k->nmsrs;
		r->base = k->base;
		/* The host put it inside our buffer; anything else is its bug. */
		if (k->bitmap && off + bitmap_len(k->nmsrs) <= sizeof(bitmaps))
			memcpy(r->bitmap, bitmaps + off, bitmap_len(k->nmsrs));
	}
	*source = a.source;
	return KVMRUN_ST_OK;
}
