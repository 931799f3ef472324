# The ubpf dialect, as the bpf_conformance suite writes it: the same machine code, another
# spelling. This computes 6 * 7 with a 32-bit multiply and a byte swap round trip.
mov32 %r0, 6
mul32 %r0, 7
be32 %r0
be32 %r0
exit
