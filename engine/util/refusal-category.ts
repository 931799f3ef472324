// Which verifier refusals a counterexample can show (engine/explain/counterexample.ts), on the
// kernel's message alone. A module of its own, without the loader, so the UI can ask it too.

/** The refusals a counterexample can show: a NULL dereference, an out-of-bounds access, another invalid memory access, a leaked reference. */
export type RefusalCategory = 'null' | 'bounds' | 'memory' | 'leak';

/**
 * The classifier, on the kernel's message alone:
 * - null: a pointer that may be NULL dereferenced, passed on or moved (`invalid mem access
 *   'map_value_or_null'`, `Possibly NULL pointer passed to trusted arg0`, `type=…_or_null expected=…`,
 *   `pointer arithmetic on …_or_null prohibited`);
 * - bounds: an access the verifier could not keep inside its object — packet (`offset is outside of
 *   the packet`), map value or memory (`min/max value is outside of the allowed memory range`,
 *   `unbounded memory access`, `min value is negative`, `unbounded min value`, `memory, len pair
 *   leads to invalid memory access`), stack out of the frame (`invalid write to stack … off=N` with
 *   N ≥ 0 or a variable offset), context or kernel struct (`invalid bpf_context access`, `access beyond struct`,
 *   `invalid sock access`);
 * - memory: a load or store through something that is not a pointer (`invalid mem access 'scalar'`, `'pkt_end'`);
 * - leak: a reference still held at exit or at a tail call (`reference leak`, `Unreleased reference`).
 * Everything else (types, uninitialized registers or stack, structure, arithmetic, permissions,
 * locks, limits) is not about a run going wrong in memory, and gets no search.
 */
export function categorize(message: string): RefusalCategory | undefined {
  if (/reference leak|Unreleased reference/.test(message)) return 'leak';
  if (/Possibly NULL pointer|invalid mem access '\w*or_null|type=\w*or_null\b|on \w*or_null prohibited/.test(message)) return 'null';
  if (/invalid mem access '(scalar|pkt_end)'/.test(message)) return 'memory';
  if (
    /offset is outside of the packet|value is outside of the allowed memory range|unbounded memory access|min value is negative|unbounded min value|memory, len pair leads to invalid memory access|invalid bpf_context access|access beyond struct|invalid sock access|invalid variable-offset (read from|write to) stack/.test(
      message,
    )
  )
    return 'bounds';
  // Stack: a write or read at a non-negative offset from the frame pointer is above the frame
  // (a negative one is an uninitialized slot, not a bounds problem).
  if (/invalid (write to|read from) stack R\d+ off=\d/.test(message)) return 'bounds';
  return undefined;
}
