// bpf_trace_printk's formatting: the checks of bpf_bprintf_prepare (kernel/bpf/helpers.c)
// and the output of the kernel's vsnprintf for what passes them. Measured against Linux 6.18
// through BPF_PROG_TEST_RUN (engine/test/printk-kernel.test.ts):
// - at most three conversions; flags are only 0 + - and space, then a width; no precision,
//   no '#', no 'z', 'h' or 'L' sizes, no %o; %d %i %u %x %X with l or ll; %c; %s;
// - %p (and %pK, %px, %ps, %pS, %pB), %pks and %pus (strings), %pi4 %pI4 %pi6 %pI6 (addresses
//   read from memory; unreadable memory prints as zeros; %pI6c prints in full too); a width
//   pads %p, %px, %ps and %pS but not %pB, %pks, %pus or the addresses; after a %p conversion vsnprintf skips the letters and digits that follow (the h/n/l/b
//   of %pI4n, and anything else); %s, %pks and %pus must be followed by the end, a space or a
//   punctuation character;
// - a control character other than \t \n \v \f \r in the format is -EINVAL; bytes above 0x7f
//   are allowed;
// - the return value is the length vsnprintf would have produced; the trace line holds at most
//   1023 bytes of it.
// Where the simulation differs: %p and %pK print the address itself where the kernel prints a
// hash of it, and %pS/%ps/%pB print 0x<address> since the simulated kernel has no symbols.

export const MAX_TRACE_PRINTK_ARGS = 3;
/** The output buffer of bpf_trace_printk (MAX_BPRINTF_BUF). */
export const MAX_BPRINTF_BUF = 1024;
/** Room for copied strings and addresses (MAX_BPRINTF_BIN_ARGS). */
const MAX_BPRINTF_BIN_ARGS = 512;

export interface PrintkMemory {
  /** strncpy_from_kernel_nofault: at most count-1 bytes of the string, undefined on a fault. */
  cstring(ptr: bigint, count: number): Uint8Array | undefined;
  /** copy_from_kernel_nofault: exactly n bytes, undefined on a fault. */
  bytes(ptr: bigint, n: number): Uint8Array | undefined;
}

export type PrintkResult =
  | {
      readonly ok: true;
      /** What reaches the trace pipe (cut at 1023 bytes). */
      readonly text: string;
      /** bpf_trace_printk's return value: the full length in bytes. */
      readonly length: number;
    }
  | { readonly ok: false; readonly error: string };

const enc = new TextEncoder();
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlnum = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** isspace of the kernel's ctype: \t \n \v \f \r and space. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPunct = (c: number) => c > 0x20 && c < 0x7f && !isAlnum(c);
const ch = (s: string) => s.charCodeAt(0);

interface Spec {
  left: boolean;
  zero: boolean;
  plus: boolean;
  space: boolean;
  width: number | undefined;
}

function pad(body: string, spec: Spec, zeroAllowed: boolean): string {
  const w = spec.width ?? 0;
  if (body.length >= w) return body;
  if (spec.left) return body.padEnd(w);
  if (spec.zero && zeroAllowed) {
    const sign = /^[-+ ]/.test(body) ? body[0] : '';
    return sign + body.slice(sign.length).padStart(w - sign.length, '0');
  }
  return body.padStart(w);
}

function hex(v: bigint | number, digits = 0): string {
  return v.toString(16).padStart(digits, '0');
}

function ipv4(b: Uint8Array, leadingZeros: boolean, reverse: boolean): string {
  const order = reverse ? [3, 2, 1, 0] : [0, 1, 2, 3];
  return order.map((i) => (leadingZeros ? String(b[i] ?? 0).padStart(3, '0') : String(b[i] ?? 0))).join('.');
}

function ipv6Full(b: Uint8Array, colons: boolean): string {
  const words = Array.from({ length: 8 }, (_, i) => hex(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0), 4));
  return words.join(colons ? ':' : '');
}

export function formatPrintk(format: Uint8Array, args: readonly bigint[], mem: PrintkMemory): PrintkResult {
  const out: number[] = [];
  const put = (s: string) => {
    for (const b of enc.encode(s)) out.push(b);
  };
  let used = 0;
  let room = MAX_BPRINTF_BIN_ARGS;
  const at = (i: number) => format[i] ?? 0;
  for (let i = 0; i < format.length; ) {
    const c = at(i);
    if (c < 0x20 ? !isSpace(c) : c === 0x7f) return { ok: false, error: `the format holds the control character 0x${hex(c, 2)} at offset ${i}` };
    if (c !== ch('%')) {
      out.push(c);
      i++;
      continue;
    }
    if (at(i + 1) === ch('%')) {
      out.push(c);
      i += 2;
      continue;
    }
    const start = i;
    if (used >= MAX_TRACE_PRINTK_ARGS) return { ok: false, error: `more than ${MAX_TRACE_PRINTK_ARGS} conversions in the format` };
    const raw = args[used++] ?? 0n;
    i++;
    const spec: Spec = { left: false, zero: false, plus: false, space: false, width: undefined };
    for (;;) {
      const f = at(i);
      if (f === ch('-')) spec.left = true;
      else if (f === ch('0')) spec.zero = true;
      else if (f === ch('+')) spec.plus = true;
      else if (f === ch(' ')) spec.space = true;
      else break;
      i++;
    }
    if (at(i) >= ch('1') && at(i) <= ch('9')) {
      let w = 0;
      while (isDigit(at(i))) w = Math.min(w * 10 + (at(i++) - 0x30), 1 << 20);
      spec.width = w;
    }
    const conv = at(i);
    const bad = (): PrintkResult => ({ ok: false, error: `invalid conversion '${new TextDecoder().decode(format.subarray(start, Math.min(format.length, i + 1)))}' at offset ${start} of the format` });
    const readString = (): string => {
      const s = mem.cstring(raw, room);
      const bytes = s ?? new Uint8Array(0);
      room = Math.max(1, room - bytes.length - 1);
      return new TextDecoder().decode(bytes);
    };
    if (conv === ch('p')) {
      const n1 = at(i + 1);
      const n2 = at(i + 2);
      const u = BigInt.asUintN(64, raw);
      if ((n1 === ch('k') || n1 === ch('u')) && n2 === ch('s')) {
        // %pus reads user memory; the simulated kernel has none, as a kernel address reads empty.
        const after = at(i + 3);
        if (after !== 0 && !isSpace(after) && !isPunct(after)) return bad();
        put(n1 === ch('k') ? readString() : '');
        i += 3;
      } else if (n1 === 0 || isSpace(n1) || isPunct(n1) || n1 === ch('K') || n1 === ch('x')) {
        put(spec.width === undefined ? hex(u, 16) : pad(hex(u), spec, true));
        i += 1;
      } else if (n1 === ch('s') || n1 === ch('S')) {
        put(pad(`0x${hex(u)}`, spec, false));
        i += 2;
      } else if (n1 === ch('B')) {
        put(`0x${hex(u)}`);
        i += 2;
      } else if ((n1 === ch('i') || n1 === ch('I')) && (n2 === ch('4') || n2 === ch('6'))) {
        const size = n2 === ch('4') ? 4 : 16;
        room = Math.max(1, room - size);
        const b = mem.bytes(raw, size) ?? new Uint8Array(size);
        const suffix = at(i + 3);
        let text: string;
        if (size === 4) text = ipv4(b, n1 === ch('i'), suffix === ch('h') || suffix === ch('l'));
        else text = ipv6Full(b, n1 === ch('I'));
        put(text);
        i += 3;
      } else {
        return bad();
      }
      // vsnprintf skips the letters and digits after a pointer conversion.
      while (i < format.length && isAlnum(at(i))) i++;
      continue;
    }
    if (conv === ch('s')) {
      const next = at(i + 1);
      if (next !== 0 && !isSpace(next) && !isPunct(next) && i + 1 < format.length) return bad();
      put(pad(readString(), spec, false));
      i++;
      continue;
    }
    if (conv === ch('c')) {
      const body = String.fromCharCode(Number(raw & 0xffn));
      const w = spec.width ?? 0;
      if (!spec.left) for (let k = 1; k < w; k++) out.push(0x20);
      out.push(body.charCodeAt(0));
      if (spec.left) for (let k = 1; k < w; k++) out.push(0x20);
      i++;
      continue;
    }
    let bits = 32;
    if (at(i) === ch('l')) {
      bits = 64;
      i++;
      if (at(i) === ch('l')) i++;
    }
    const k = at(i);
    let body: string;
    if (k === ch('d') || k === ch('i')) {
      const v = BigInt.asIntN(bits, raw);
      body = v < 0n ? v.toString() : `${spec.plus ? '+' : spec.space ? ' ' : ''}${v}`;
    } else if (k === ch('u')) body = BigInt.asUintN(bits, raw).toString();
    else if (k === ch('x')) body = hex(BigInt.asUintN(bits, raw));
    else if (k === ch('X')) body = hex(BigInt.asUintN(bits, raw)).toUpperCase();
    else return bad();
    put(pad(body, spec, true));
    i++;
  }
  const length = out.length;
  const text = new TextDecoder().decode(new Uint8Array(out.slice(0, MAX_BPRINTF_BUF - 1)));
  return { ok: true, text, length };
}
