// TypedArray.prototype.set, called through a constant. `dst.set(src, at)` in the per-packet
// code compiled (V8 11, Node 20) into a generic LoadIC call that looks `set` up on every call
// — the method of a typed array is not constant-folded there — before the builtin itself;
// `copyBytes(dst, src, at)` calls the builtin directly.

const u8set = Uint8Array.prototype.set;

/** dst.set(src, at), without the per-call method lookup. */
export function copyBytes(dst: Uint8Array, src: Uint8Array, at = 0): void {
  u8set.call(dst, src, at);
}
