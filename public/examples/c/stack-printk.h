/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stack-printk.h: bpf_printk with its format on the stack.
 *
 * libbpf's bpf_printk() keeps its format in a `static const char[]`, which lands in .rodata;
 * libbpf then turns .rodata into an internal array map and points bpf_trace_printk at it. The
 * playground's assembly examples build the format on the stack instead (8 bytes per store), so
 * they need no map beyond the ones they declare. The C twins do the same with STACK_PRINTK.
 *
 * Why not simply `char fmt[] = "..."`? clang copies that initializer from a constant string
 * with a memcpy that the BPF back end expands into immediate stores only at the very end, too
 * late for the constant to be dropped: the object would keep an unused .rodata.str1.1 section,
 * and libbpf would still create a map for it. Here every 8-byte word of the format is computed
 * from constant indices into the literal, which clang -O2 folds into immediates, so no string
 * is left in the object at all.
 */
#ifndef BPFP_STACK_PRINTK_H
#define BPFP_STACK_PRINTK_H

/* byte i of the literal s, or 0 past its end (the terminating NUL and the padding) */
#define ___SP_BYTE(s, i) ((u64)((i) < sizeof(s) ? (u8)(s)[(i) < sizeof(s) ? (i) : 0] : 0))

/* the 8-byte little-endian word that starts at byte 8 * w of s */
#define ___SP_WORD(s, w)                                                                     \
	(___SP_BYTE(s, 8 * (w) + 0) | ___SP_BYTE(s, 8 * (w) + 1) << 8 |                       \
	 ___SP_BYTE(s, 8 * (w) + 2) << 16 | ___SP_BYTE(s, 8 * (w) + 3) << 24 |                \
	 ___SP_BYTE(s, 8 * (w) + 4) << 32 | ___SP_BYTE(s, 8 * (w) + 5) << 40 |                \
	 ___SP_BYTE(s, 8 * (w) + 6) << 48 | ___SP_BYTE(s, 8 * (w) + 7) << 56)

/* STACK_PRINTK("format", args...): bpf_trace_printk(format on the stack, sizeof format, args) */
#define STACK_PRINTK(fmt, args...)                                                           \
	({                                                                                     \
		u64 ___w[(sizeof(fmt) + 7) / 8];                                               \
		for (unsigned int ___i = 0; ___i < sizeof(___w) / 8; ___i++)                  \
			___w[___i] = ___SP_WORD(fmt, ___i);                                    \
		bpf_trace_printk((const char *)___w, sizeof(fmt), ##args);                     \
	})

#endif /* BPFP_STACK_PRINTK_H */
