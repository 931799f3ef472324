// Layouts of the kernel structures programs read (size and field offsets), as BTF gives them.
// The simulated-kernel issue extends this table; the assembler resolves STRUCT.FIELD from it.

export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}
export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldLayout[];
}

function u32Fields(names: readonly string[]): FieldLayout[] {
  return names.map((name, i) => ({ name, offset: i * 4, size: 4 }));
}

/** UAPI context structures (include/uapi/linux/bpf.h). */
export const STRUCT_LAYOUTS: readonly StructLayout[] = [
  {
    name: 'xdp_md',
    size: 24,
    fields: u32Fields(['data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index', 'egress_ifindex']),
  },
];

const byName = new Map(STRUCT_LAYOUTS.map((s) => [s.name, s]));

export function structLayout(name: string): StructLayout | undefined {
  return byName.get(name);
}
