/*
 * Kernel oracle for the differential tests and the benchmark: loads eBPF bytecode into the
 * running kernel with bpf(BPF_PROG_LOAD) and runs it with bpf(BPF_PROG_TEST_RUN).
 *
 * One request per line on stdin, space-separated key=value fields (hex for byte strings):
 *
 *   type=xdp prog=b70000000200000095000000... data=00... [ctx=HEX] [repeat=N]
 *            [log_level=0|1|2|4] [prog_flags=N] [attach=N] [attach_btf_id=N] [ifindex=N]
 *            [license=HEX] [btf=HEX] [func_info=HEX]
 *            [map=TYPE,KEY,VALUE,MAX,FLAGS[,BTF_KEY,BTF_VALUE[,NAME]]]... [run=0]
 *
 * type is xdp, sched_cls (alias tc), socket_filter, syscall, tracing, or a number (enum
 * bpf_prog_type). license is the license string in hex (default "GPL"). Each map= field creates
 * one map (BPF_MAP_CREATE; TYPE a number, enum bpf_map_type) before the load, in order: map
 * index 0, 1, …; an ldimm64 whose src_reg is BPF_PSEUDO_MAP_FD (1) or BPF_PSEUDO_MAP_VALUE (2)
 * and whose imm is a map index gets that map's fd. btf= is a BTF blob loaded with BPF_BTF_LOAD
 * (a map's value type with kptr fields): maps naming BTF_KEY/BTF_VALUE (non-zero) are created
 * with it. NAME is the map's name in hex (at most 15 bytes; default "oracleN"), which the
 * verifier log prints. func_info= is BPF_PROG_LOAD's func_info, struct bpf_func_info records
 * (u32 insn_off, u32 type_id, little-endian) in hex; it needs btf=, whose fd becomes
 * prog_btf_fd. The maps and the BTF are closed after the request. run=0 only loads: an accepted
 * program is answered with stage "load" and no test_run.
 * One JSON object per line on stdout, in request order:
 *
 *   {"ok":true,"stage":"run","errno":0,"error":"","retval":2,"duration_ns":31,
 *    "data_out":"…","ctx_out":"…","log":"…"}
 *
 * stage says how far the request got: "request" (unparsable line), "setup" (BPF_BTF_LOAD or
 * BPF_MAP_CREATE failed; log holds the BTF log if any), "load" (the verifier or
 * bpf() refused; log holds the verifier log) or "run" (test_run itself; ok tells whether it
 * succeeded). A rejected program is an ordinary answer, never a crash, so thousands of
 * requests can stream through one process.
 *
 * log_level 0 (the default) loads without a log — formatting the log costs verifier time — and
 * only when the load fails loads again with log_level 1 to capture the reason. A non-zero
 * log_level always logs, so an accepted program's log ("processed N insns …") is returned too;
 * log_level 4 (BPF_LOG_STATS) logs only the statistics, with "verification time N usec".
 *
 * No libbpf: raw syscall(__NR_bpf) with the UAPI header, so any machine with a C compiler and
 * kernel headers can build it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sized for the verifier's worst case: a log_level 2 log of a large program. A log that does
 * not fit makes bpf() fail with ENOSPC even for an accepted program (kernel/bpf/log.c). */
#define LOG_SIZE (16u << 20)
/* test_run copies the (possibly grown) packet back; XDP can grow it to about a page
 * (bpf_xdp_adjust_tail), so 64 KiB is ample for every program type we run. */
#define OUT_SIZE (64u << 10)
/* Enough for any corpus program; a request with more is malformed. */
#define MAX_MAPS 64

static char log_buf[LOG_SIZE];
static unsigned char data_out[OUT_SIZE];
static unsigned char ctx_out[OUT_SIZE];

struct request {
	uint32_t prog_type;
	uint32_t prog_flags;
	uint32_t attach_type;
	uint32_t repeat;
	uint32_t log_level;
	unsigned char *prog;
	size_t prog_len;
	unsigned char *data;
	size_t data_len;
	unsigned char *ctx;
	size_t ctx_len;
	int has_ctx;
	uint32_t attach_btf_id;
	uint32_t ifindex;
	int run;
	unsigned char *license;
	size_t license_len;
	unsigned char *btf;
	size_t btf_len;
	unsigned char *func_info;
	size_t func_info_len;
	size_t nmaps;
	struct map_spec {
		uint32_t type, key_size, value_size, max_entries, flags, btf_key, btf_value;
		char name[BPF_OBJ_NAME_LEN];
	} maps[MAX_MAPS];
	/* Filled while serving: the fds of the maps and of the BTF, -1 when not open. */
	int map_fds[MAX_MAPS];
	int btf_fd;
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex text into a fresh buffer (replacing *out, so a repeated field does not leak);
 * "-" or "" is the empty string. Returns 0 on success. */
static int parse_hex(const char *text, unsigned char **out, size_t *len)
{
	free(*out);
	*out = NULL;
	*len = 0;
	size_t n = strlen(text);
	if (n == 1 && text[0] == '-')
		n = 0;
	if (n % 2 != 0)
		return -1;
	unsigned char *buf = malloc(n / 2 + 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value((unsigned char)text[2 * i]);
		int lo = hex_value((unsigned char)text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(buf);
			return -1;
		}
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = buf;
	*len = n / 2;
	return 0;
}

static int parse_u32(const char *text, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 0);
	if (errno || end == text || *end || v > 0xffffffffUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_type(const char *text, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t type;
	} names[] = {
		{ "xdp", BPF_PROG_TYPE_XDP },
		{ "sched_cls", BPF_PROG_TYPE_SCHED_CLS },
		{ "tc", BPF_PROG_TYPE_SCHED_CLS },
		{ "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER },
		{ "syscall", BPF_PROG_TYPE_SYSCALL },
		{ "tracing", BPF_PROG_TYPE_TRACING },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].type;
			return 0;
		}
	}
	return parse_u32(text, out);
}

static void free_request(struct request *r)
{
	free(r->prog);
	free(r->data);
	free(r->ctx);
	free(r->license);
	free(r->btf);
	free(r->func_info);
	memset(r, 0, sizeof(*r));
}

/* Parses one request line in place. On failure writes a reason into why. */
/* TYPE,KEY,VALUE,MAX,FLAGS[,BTF_KEY,BTF_VALUE[,NAME]]: unsigned numbers, NAME in hex. */
static int parse_map(const char *text, struct request *r)
{
	if (r->nmaps >= MAX_MAPS)
		return -1;
	uint32_t v[7] = { 0 };
	size_t n = 0;
	struct map_spec *m = &r->maps[r->nmaps];
	memset(m, 0, sizeof(*m));
	char buf[256];
	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 7) {
			unsigned char *name = NULL;
			size_t len = 0;
			if (parse_hex(tok, &name, &len) != 0 || len >= sizeof(m->name)) {
				free(name);
				return -1;
			}
			if (len)
				memcpy(m->name, name, len);
			free(name);
		} else if (n > 7 || parse_u32(tok, &v[n]) != 0) {
			return -1;
		}
		n++;
	}
	if (n != 5 && n != 7 && n != 8)
		return -1;
	r->nmaps++;
	m->type = v[0];
	m->key_size = v[1];
	m->value_size = v[2];
	m->max_entries = v[3];
	m->flags = v[4];
	m->btf_key = v[5];
	m->btf_value = v[6];
	return 0;
}

static int parse_request(char *line, struct request *r, char *why, size_t why_len)
{
	memset(r, 0, sizeof(*r));
	r->prog_type = BPF_PROG_TYPE_XDP;
	r->repeat = 1;
	r->run = 1;
	int have_prog = 0;
	for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, why_len, "field without '=': %.40s", tok);
			return -1;
		}
		*eq = '\0';
		const char *key = tok, *val = eq + 1;
		int bad;
		if (strcmp(key, "type") == 0) {
			bad = parse_type(val, &r->prog_type);
		} else if (strcmp(key, "prog") == 0) {
			have_prog = 1;
			bad = parse_hex(val, &r->prog, &r->prog_len);
		} else if (strcmp(key, "data") == 0) {
			bad = parse_hex(val, &r->data, &r->data_len);
		} else if (strcmp(key, "ctx") == 0) {
			r->has_ctx = 1;
			bad = parse_hex(val, &r->ctx, &r->ctx_len);
		} else if (strcmp(key, "repeat") == 0) {
			bad = parse_u32(val, &r->repeat);
		} else if (strcmp(key, "log_level") == 0) {
			bad = parse_u32(val, &r->log_level);
		} else if (strcmp(key, "prog_flags") == 0) {
			bad = parse_u32(val, &r->prog_flags);
		} else if (strcmp(key, "attach") == 0) {
			bad = parse_u32(val, &r->attach_type);
		} else if (strcmp(key, "attach_btf_id") == 0) {
			bad = parse_u32(val, &r->attach_btf_id);
		} else if (strcmp(key, "ifindex") == 0) {
			bad = parse_u32(val, &r->ifindex);
		} else if (strcmp(key, "run") == 0) {
			uint32_t run;
			bad = parse_u32(val, &run);
			r->run = run != 0;
		} else if (strcmp(key, "license") == 0) {
			bad = parse_hex(val, &r->license, &r->license_len);
			/* NUL-terminate: parse_hex leaves a spare byte. */
			if (!bad)
				r->license[r->license_len] = '\0';
		} else if (strcmp(key, "btf") == 0) {
			bad = parse_hex(val, &r->btf, &r->btf_len);
		} else if (strcmp(key, "func_info") == 0) {
			bad = parse_hex(val, &r->func_info, &r->func_info_len);
		} else if (strcmp(key, "map") == 0) {
			bad = parse_map(val, r);
		} else {
			snprintf(why, why_len, "unknown field '%.40s'", key);
			return -1;
		}
		if (bad) {
			snprintf(why, why_len, "bad value for '%s'", key);
			return -1;
		}
	}
	if (!have_prog || r->prog_len == 0 || r->prog_len % sizeof(struct bpf_insn) != 0) {
		snprintf(why, why_len, "prog must be a non-empty whole number of 8-byte instructions");
		return -1;
	}
	if (r->func_info_len % sizeof(struct bpf_func_info) != 0 || (r->func_info_len && !r->btf_len)) {
		snprintf(why, why_len, "func_info must be whole 8-byte records, and needs btf");
		return -1;
	}
	return 0;
}

static void put_json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c >= 0x7f)
			/* The log is ASCII; anything else is escaped so the line stays valid JSON. */
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_hex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		putchar(digits[p[i] >> 4]);
		putchar(digits[p[i] & 15]);
	}
	putchar('"');
}

static void answer_error(const char *stage, int err, const char *message, const char *log, size_t log_len)
{
	printf("{\"ok\":false,\"stage\":\"%s\",\"errno\":%d,\"error\":", stage, err);
	put_json_string(message, strlen(message));
	fputs(",\"log\":", stdout);
	put_json_string(log, log_len);
	fputs("}\n", stdout);
}

static int load(const struct request *r, uint32_t log_level)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = r->prog_type;
	attr.insn_cnt = (uint32_t)(r->prog_len / sizeof(struct bpf_insn));
	attr.insns = (uint64_t)(uintptr_t)r->prog;
	attr.license = (uint64_t)(uintptr_t)(r->license ? (const char *)r->license : "GPL");
	attr.prog_flags = r->prog_flags;
	attr.expected_attach_type = r->attach_type;
	attr.attach_btf_id = r->attach_btf_id;
	attr.prog_ifindex = r->ifindex;
	strncpy(attr.prog_name, "oracle", sizeof(attr.prog_name) - 1);
	if (r->func_info_len) {
		attr.prog_btf_fd = (uint32_t)r->btf_fd;
		attr.func_info = (uint64_t)(uintptr_t)r->func_info;
		attr.func_info_rec_size = sizeof(struct bpf_func_info);
		attr.func_info_cnt = (uint32_t)(r->func_info_len / sizeof(struct bpf_func_info));
	}
	log_buf[0] = '\0';
	if (log_level) {
		attr.log_level = log_level;
		attr.log_size = LOG_SIZE;
		attr.log_buf = (uint64_t)(uintptr_t)log_buf;
	}
	return (int)sys_bpf(BPF_PROG_LOAD, &attr);
}

static void close_objects(struct request *r)
{
	for (size_t i = 0; i < r->nmaps; i++) {
		if (r->map_fds[i] >= 0)
			close(r->map_fds[i]);
		r->map_fds[i] = -1;
	}
	if (r->btf_fd >= 0)
		close(r->btf_fd);
	r->btf_fd = -1;
}

/* Loads the BTF and creates the maps; on failure answers with stage "setup" and returns -1. */
static int create_objects(struct request *r)
{
	char why[200];
	r->btf_fd = -1;
	for (size_t i = 0; i < r->nmaps; i++)
		r->map_fds[i] = -1;
	union bpf_attr attr;
	if (r->btf_len) {
		memset(&attr, 0, sizeof(attr));
		attr.btf = (uint64_t)(uintptr_t)r->btf;
		attr.btf_size = (uint32_t)r->btf_len;
		log_buf[0] = '\0';
		attr.btf_log_buf = (uint64_t)(uintptr_t)log_buf;
		attr.btf_log_size = LOG_SIZE;
		attr.btf_log_level = 1;
		r->btf_fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
		if (r->btf_fd < 0) {
			int err = errno;
			snprintf(why, sizeof(why), "BPF_BTF_LOAD failed: %s", strerror(err));
			answer_error("setup", err, why, log_buf, strnlen(log_buf, LOG_SIZE));
			return -1;
		}
	}
	for (size_t i = 0; i < r->nmaps; i++) {
		const struct map_spec *m = &r->maps[i];
		memset(&attr, 0, sizeof(attr));
		attr.map_type = m->type;
		attr.key_size = m->key_size;
		attr.value_size = m->value_size;
		attr.max_entries = m->max_entries;
		attr.map_flags = m->flags;
		if (m->btf_value) {
			attr.btf_fd = (uint32_t)r->btf_fd;
			attr.btf_key_type_id = m->btf_key;
			attr.btf_value_type_id = m->btf_value;
		}
		if (m->name[0])
			memcpy(attr.map_name, m->name, sizeof(attr.map_name));
		else
			snprintf(attr.map_name, sizeof(attr.map_name), "oracle%zu", i);
		r->map_fds[i] = (int)sys_bpf(BPF_MAP_CREATE, &attr);
		if (r->map_fds[i] < 0) {
			int err = errno;
			snprintf(why, sizeof(why), "BPF_MAP_CREATE of map %zu (type %u) failed: %s", i, m->type, strerror(err));
			close_objects(r);
			answer_error("setup", err, why, "", 0);
			return -1;
		}
	}
	/* Map references: imm names the map by index, as the assembler emits them. */
	struct bpf_insn *insns = (struct bpf_insn *)r->prog;
	size_t count = r->prog_len / sizeof(struct bpf_insn);
	for (size_t i = 0; i + 1 < count; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if ((in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) && in->imm >= 0 &&
		    (size_t)in->imm < r->nmaps)
			in->imm = r->map_fds[in->imm];
		i++;
	}
	return 0;
}

static void serve(struct request *r)
{
	if (create_objects(r) != 0)
		return;
	int fd = load(r, r->log_level);
	if (fd < 0 && r->log_level == 0) {
		int first = errno;
		/* Reload with a log only to explain the refusal; report the first errno. */
		int again = load(r, 1);
		if (again >= 0)
			close(again);
		errno = first;
	}
	size_t log_len = r->log_level || fd < 0 ? strnlen(log_buf, LOG_SIZE) : 0;
	if (fd < 0) {
		int err = errno;
		close_objects(r);
		answer_error("load", err, strerror(err), log_buf, log_len);
		return;
	}
	if (!r->run) {
		close(fd);
		close_objects(r);
		fputs("{\"ok\":true,\"stage\":\"load\",\"errno\":0,\"error\":\"\",\"retval\":0,\"duration_ns\":0,"
		      "\"data_out\":\"\",\"ctx_out\":\"\",\"log\":",
		      stdout);
		put_json_string(log_buf, log_len);
		fputs("}\n", stdout);
		return;
	}

	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.repeat = r->prog_type == BPF_PROG_TYPE_SYSCALL ? 0 : r->repeat;
	if (r->data_len) {
		attr.test.data_in = (uint64_t)(uintptr_t)r->data;
		attr.test.data_size_in = (uint32_t)r->data_len;
		attr.test.data_out = (uint64_t)(uintptr_t)data_out;
		attr.test.data_size_out = OUT_SIZE;
	}
	/* A syscall program's test_run refuses ctx_out (and data, repeat) with EINVAL: it writes
	 * the context back into ctx_in instead (net/bpf/test_run.c, bpf_prog_test_run_syscall). */
	int syscall_prog = r->prog_type == BPF_PROG_TYPE_SYSCALL;
	static unsigned char ctx_io[OUT_SIZE];
	if (r->has_ctx && syscall_prog && r->ctx_len > OUT_SIZE) {
		close(fd);
		close_objects(r);
		answer_error("request", E2BIG, "a syscall program's ctx is limited to 64 KiB here", log_buf, log_len);
		return;
	}
	if (r->has_ctx && syscall_prog) {
		memcpy(ctx_io, r->ctx, r->ctx_len);
		attr.test.ctx_in = (uint64_t)(uintptr_t)ctx_io;
		attr.test.ctx_size_in = (uint32_t)r->ctx_len;
	} else if (r->has_ctx) {
		attr.test.ctx_in = (uint64_t)(uintptr_t)r->ctx;
		attr.test.ctx_size_in = (uint32_t)r->ctx_len;
		attr.test.ctx_out = (uint64_t)(uintptr_t)ctx_out;
		attr.test.ctx_size_out = OUT_SIZE;
	}
	long rc = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	int err = errno;
	close(fd);
	close_objects(r);
	if (rc < 0) {
		answer_error("run", err, strerror(err), log_buf, log_len);
		return;
	}
	uint32_t out_len = attr.test.data_size_out <= OUT_SIZE ? attr.test.data_size_out : OUT_SIZE;
	uint32_t ctx_len = attr.test.ctx_size_out <= OUT_SIZE ? attr.test.ctx_size_out : OUT_SIZE;
	if (syscall_prog && r->has_ctx) {
		memcpy(ctx_out, ctx_io, r->ctx_len);
		ctx_len = (uint32_t)r->ctx_len;
	}
	printf("{\"ok\":true,\"stage\":\"run\",\"errno\":0,\"error\":\"\",\"retval\":%u,\"duration_ns\":%u,\"data_out\":",
	       attr.test.retval, attr.test.duration);
	put_hex(data_out, r->data_len ? out_len : 0);
	fputs(",\"ctx_out\":", stdout);
	put_hex(ctx_out, r->has_ctx ? ctx_len : 0);
	fputs(",\"log\":", stdout);
	put_json_string(log_buf, log_len);
	fputs("}\n", stdout);
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	/* Fully buffered output, flushed once per request: the caller waits for each answer line. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		struct request r;
		char why[160];
		if (parse_request(line, &r, why, sizeof(why)) != 0)
			answer_error("request", EINVAL, why, "", 0);
		else
			serve(&r);
		free_request(&r);
		fflush(stdout);
	}
	free(line);
	return 0;
}
