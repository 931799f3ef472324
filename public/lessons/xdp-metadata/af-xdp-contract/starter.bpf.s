# Send every frame to the AF_XDP socket of its RX queue (the XSKMAP xsk holds socket q at key q),
# with the metadata the consumer reads in front of the packet (METADATA_SIZE = 16):
#   offset 0: u64 rx_timestamp     (0 when the driver gives none)
#   offset 8: u32 rx_hash          (0 when none)
#   offset 12: u32 rss_type        (0 when none)
# A kfunc that fails writes nothing, and the bytes bpf_xdp_adjust_meta hands you are whatever the
# headroom held before (on a real NIC, stale data): write the zeros yourself.
.section xdp
.license "GPL"
.map xsk type=xskmap key=4 value=4 max_entries=64

        r6 = r1
        r0 = 2                                  # XDP_PASS
        exit
