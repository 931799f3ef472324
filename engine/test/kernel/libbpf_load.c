// SPDX-License-Identifier: MIT
// Loads a BPF object with libbpf the way `bpftool prog loadall` does, but with each XDP program
// bound to a network device first (prog_ifindex and BPF_F_XDP_DEV_BOUND_ONLY), which the XDP
// metadata kfuncs need and bpftool 7.1 cannot ask for. Built by engine/test/kernel/libbpf-load.ts.
//
//   libbpf_load OBJECT [IFINDEX]
//
// Prints "loaded NAME" for each program after a successful load, or "refused ERRNO" when libbpf or
// the kernel refused the object; libbpf's own messages (the verifier log included) go to stderr.
// Exit status: 0 loaded, 1 refused, 2 the object could not be opened or bad usage.

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

/* include/uapi/linux/bpf.h (Linux 6.3+); older distribution headers lack it. */
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

static int print_all(enum libbpf_print_level level, const char *format, va_list args)
{
	(void)level;
	return vfprintf(stderr, format, args);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s OBJECT [IFINDEX]\n", argv[0]);
		return 2;
	}
	int ifindex = argc == 3 ? atoi(argv[2]) : 0;
	libbpf_set_print(print_all);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (ifindex > 0 && bpf_program__type(prog) == BPF_PROG_TYPE_XDP) {
			bpf_program__set_ifindex(prog, ifindex);
			bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_XDP_DEV_BOUND_ONLY);
		}
	}
	int err = bpf_object__load(obj);
	if (err) {
		printf("refused %d\n", -err);
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) printf("loaded %s\n", bpf_program__name(prog));
	bpf_object__close(obj);
	return 0;
}
