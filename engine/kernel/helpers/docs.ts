// What each helper is, in the words a learner needs: the C signature (include/uapi/linux/bpf.h),
// what it does and what it returns. Hovers and completions show it; the verifier's machine-
// readable prototypes live with the implementations.

export interface HelperDoc {
  readonly name: string;
  readonly signature: string;
  readonly summary: string;
  readonly returns: string;
}

const DOCS: readonly HelperDoc[] = [
  { name: 'bpf_map_lookup_elem', signature: 'void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)', summary: 'Looks up the value stored under *key* in *map*.', returns: 'a pointer to the value, or NULL when there is none — check before use' },
  { name: 'bpf_map_update_elem', signature: 'long bpf_map_update_elem(struct bpf_map *map, const void *key, const void *value, u64 flags)', summary: 'Creates or updates the element under *key*; *flags* is BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2).', returns: '0, or a negative error (-EEXIST, -ENOENT, -E2BIG, -EINVAL)' },
  { name: 'bpf_map_delete_elem', signature: 'long bpf_map_delete_elem(struct bpf_map *map, const void *key)', summary: 'Deletes the element under *key*.', returns: '0, or a negative error (-ENOENT; arrays always -EINVAL)' },
  { name: 'bpf_probe_read', signature: 'long bpf_probe_read(void *dst, u32 size, const void *unsafe_ptr)', summary: 'Copies *size* bytes from an unsafe kernel address into *dst* (the old, combined form of probe_read_kernel).', returns: '0, or a negative error (the buffer is then zeroed)' },
  { name: 'bpf_ktime_get_ns', signature: 'u64 bpf_ktime_get_ns(void)', summary: 'Reads the monotonic clock (the playground\'s virtual clock, which advances with the simulation).', returns: 'nanoseconds since boot' },
  { name: 'bpf_trace_printk', signature: 'long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)', summary: 'Writes a line to the trace pipe, formatting up to three arguments as the kernel allows: %d %i %u %x %X (with l or ll), %c, %s, %p %px %pK %ps %pS %pB, %pks %pus, %pI4 %pi4 %pI6 %pi6; flags 0 + - space and a width, no precision. *fmt_size* counts the NUL.', returns: 'the length of the formatted text, or -EINVAL for a format the kernel refuses' },
  { name: 'bpf_get_prandom_u32', signature: 'u32 bpf_get_prandom_u32(void)', summary: 'A pseudo-random number (seeded, so a shared link replays it).', returns: 'a random 32-bit value' },
  { name: 'bpf_get_smp_processor_id', signature: 'u32 bpf_get_smp_processor_id(void)', summary: 'The CPU the program runs on (the simulated CPU).', returns: 'the CPU id' },
  { name: 'bpf_sk_lookup_tcp', signature: 'struct bpf_sock *bpf_sk_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)', summary: 'Looks up a TCP socket matching the tuple (12 bytes for IPv4, 36 for IPv6; *netns* -1 for the current namespace, *flags* 0) and takes a reference to it (release it with bpf_sk_release). The playground\'s sockets are the scenario\'s `sockets`: the established socket of the exact tuple, else one an sk_lookup program steers to, else a listener on the address and port, else on the wildcard.', returns: 'the socket, or NULL when none matches (or the size, netns or flags are wrong)' },
  { name: 'bpf_sk_lookup_udp', signature: 'struct bpf_sock *bpf_sk_lookup_udp(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)', summary: 'Looks up a UDP socket matching the tuple (12 bytes for IPv4, 36 for IPv6; *netns* -1 for the current namespace, *flags* 0) and takes a reference to it (release it with bpf_sk_release). The playground\'s sockets are the scenario\'s `sockets`: the connected socket of the exact tuple, else one an sk_lookup program steers to, else an unconnected socket on the address and port, else on the wildcard.', returns: 'the socket, or NULL when none matches (or the size, netns or flags are wrong)' },
  { name: 'bpf_skc_lookup_tcp', signature: 'struct bpf_sock *bpf_skc_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, u32 tuple_size, u64 netns, u64 flags)', summary: 'Looks up a TCP socket, including request and time-wait sockets, and takes a reference to it. The scenario\'s `sockets` has neither, so here it finds what bpf_sk_lookup_tcp finds.', returns: 'the socket, or NULL when none matches' },
  { name: 'bpf_sk_release', signature: 'long bpf_sk_release(void *sock)', summary: 'Drops the reference a socket lookup took. The pointer must not be used after. Releasing NULL, something that is not a socket, or a socket the program holds no reference to stops the run.', returns: '0' },
  { name: 'bpf_tail_call', signature: 'long bpf_tail_call(void *ctx, struct bpf_map *prog_array_map, u32 index)', summary: 'Jumps into the program at *index* of a prog_array; does not return on success.', returns: 'only on failure (no program at index, or more than 33 tail calls): a negative error' },
  { name: 'bpf_get_current_pid_tgid', signature: 'u64 bpf_get_current_pid_tgid(void)', summary: 'The current task\'s thread group id and pid.', returns: 'tgid << 32 | pid' },
  { name: 'bpf_get_current_comm', signature: 'long bpf_get_current_comm(void *buf, u32 size_of_buf)', summary: 'Copies the current task\'s name (comm) into *buf*, NUL-terminated.', returns: '0, or a negative error' },
  { name: 'bpf_redirect', signature: 'long bpf_redirect(u32 ifindex, u64 flags)', summary: 'Redirects the packet to another interface.', returns: 'XDP_REDIRECT / TC_ACT_REDIRECT on success, XDP_ABORTED / TC_ACT_SHOT on error' },
  { name: 'bpf_xdp_adjust_head', signature: 'long bpf_xdp_adjust_head(struct xdp_buff *xdp_md, int delta)', summary: 'Moves xdp_md->data by *delta* (negative grows the packet at the front). Packet pointers must be reloaded after.', returns: '0, or -EINVAL' },
  { name: 'bpf_redirect_map', signature: 'long bpf_redirect_map(struct bpf_map *map, u64 key, u64 flags)', summary: 'Redirects the packet to the device, CPU or AF_XDP socket stored at *key* of a devmap, cpumap or xskmap; the low bits of *flags* are the action if the lookup fails.', returns: 'XDP_REDIRECT on success, else the action in flags' },
  { name: 'bpf_xdp_adjust_meta', signature: 'long bpf_xdp_adjust_meta(struct xdp_buff *xdp_md, int delta)', summary: 'Moves xdp_md->data_meta by *delta* (negative reserves metadata in front of the packet; 4-byte multiples).', returns: '0, -EINVAL or -EACCES' },
  { name: 'bpf_skb_pull_data', signature: 'long bpf_skb_pull_data(struct sk_buff *skb, u32 len)', summary: 'Makes the first *len* bytes of the packet (0: the bytes already in the head) directly readable and writable: pulls them out of the page fragments of a non-linear skb into its head, and gives a cloned skb a head of its own. The head may be reallocated, so packet pointers must be reloaded after.', returns: '0, or -ENOMEM (e.g. *len* past the end of the packet)' },
  { name: 'bpf_xdp_adjust_tail', signature: 'long bpf_xdp_adjust_tail(struct xdp_buff *xdp_md, int delta)', summary: 'Moves xdp_md->data_end by *delta* (shrinks or grows the packet at the end).', returns: '0, or -EINVAL' },
  { name: 'bpf_probe_read_kernel', signature: 'long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr)', summary: 'Copies *size* bytes from a kernel address into *dst*.', returns: '0, or a negative error (the buffer is then zeroed)' },
  { name: 'bpf_jiffies64', signature: 'u64 bpf_jiffies64(void)', summary: 'The 64-bit jiffies counter.', returns: 'jiffies' },
  { name: 'bpf_ktime_get_boot_ns', signature: 'u64 bpf_ktime_get_boot_ns(void)', summary: 'Like ktime_get_ns, but counting time spent in suspend.', returns: 'nanoseconds since boot' },
  { name: 'bpf_ringbuf_output', signature: 'long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags)', summary: 'Copies *size* bytes of *data* into the ring buffer.', returns: '0, or a negative error' },
  { name: 'bpf_ringbuf_reserve', signature: 'void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)', summary: 'Reserves *size* bytes in the ring buffer; must be submitted or discarded on every path.', returns: 'a pointer to the reserved space, or NULL' },
  { name: 'bpf_ringbuf_submit', signature: 'void bpf_ringbuf_submit(void *data, u64 flags)', summary: 'Publishes a reserved record to the consumer.', returns: 'nothing' },
  { name: 'bpf_ringbuf_discard', signature: 'void bpf_ringbuf_discard(void *data, u64 flags)', summary: 'Drops a reserved record.', returns: 'nothing' },
  { name: 'bpf_for_each_map_elem', signature: 'long bpf_for_each_map_elem(struct bpf_map *map, void *callback_fn, void *callback_ctx, u64 flags)', summary: 'Calls *callback_fn(map, key, value, ctx)* for each element until it returns 1.', returns: 'the number of elements visited, or a negative error' },
  { name: 'bpf_loop', signature: 'long bpf_loop(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)', summary: 'Calls *callback_fn(index, ctx)* up to *nr_loops* times (at most 1<<23), stopping early when it returns 1.', returns: 'the number of iterations, or a negative error' },
  { name: 'bpf_kptr_xchg', signature: 'void *bpf_kptr_xchg(void *map_value, void *ptr)', summary: 'Atomically swaps the kptr field at *map_value* with *ptr* (which may be NULL); the reference in *ptr* moves into the map.', returns: 'the old pointer — a reference the program now owns (or NULL)' },
];

const byName = new Map(DOCS.map((d) => [d.name, d]));

export function helperDoc(name: string): HelperDoc | undefined {
  return byName.get(name);
}

export const HELPER_DOCS: readonly HelperDoc[] = DOCS;
