// Where the NIC's frames come from — the traffic generator or a replayed pcap — behind one
// allocation-free interface: the source writes each frame into a reusable buffer.

export interface Frame {
  /**
   * Capacity MAX_FRAME + 64; the frame is bytes[0, length). A run points it at the XDP frame's
   * data area in guest memory, so that the source writes where the program reads.
   */
  bytes: Uint8Array;
  length: number;
  index: number;
  /** The flow it belongs to (generated traffic), or -1 (a capture). */
  flow: number;
  /** Arrival time, virtual ns since boot. */
  tsNs: number;
}

export interface FrameSource {
  /** How many frames the source gives. */
  readonly total: number;
  /** Writes the next frame into `out`; false when there are no more. */
  next(out: Frame): boolean;
  /** Why the source cannot give frames (a malformed capture), if it cannot. */
  readonly error?: string;
}
