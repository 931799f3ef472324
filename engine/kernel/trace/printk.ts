// bpf_trace_printk's formatting (kernel/bpf/helpers.c bpf_bprintf_prepare, kernel 5.13+):
// a NUL-terminated format with at most three conversions among %d %i %u %x %X %o %c %s %p and
// their l/ll sizes, with flags, width and precision; anything else is -EINVAL and prints nothing.

export const MAX_TRACE_PRINTK_ARGS = 3;

export type PrintkResult = { ok: true; text: string } | { ok: false; error: string };

/** Reads a NUL-terminated string at a guest address; undefined if not readable. */
export type StringReader = (lo: number, hi: number, max: number) => string | undefined;

const CONVERSION = /%([-+ #0]*)(\d*)(?:\.(\d*))?(ll|l|z)?([diuxXocsp%])/y;

export function formatPrintk(format: string, args: readonly bigint[], readString: StringReader): PrintkResult {
  let out = '';
  let used = 0;
  for (let i = 0; i < format.length; ) {
    const at = format.indexOf('%', i);
    if (at < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, at);
    CONVERSION.lastIndex = at;
    const m = CONVERSION.exec(format);
    if (!m) return { ok: false, error: `invalid conversion '${format.slice(at, at + 3)}' at offset ${at} of the format` };
    i = CONVERSION.lastIndex;
    const [, flags = '', width = '', precision, size, conv = ''] = m;
    if (conv === '%') {
      out += '%';
      continue;
    }
    if (used >= MAX_TRACE_PRINTK_ARGS) return { ok: false, error: `more than ${MAX_TRACE_PRINTK_ARGS} conversions in the format` };
    const raw = args[used++] ?? 0n;
    const bits = size ? 64 : 32;
    let body: string;
    switch (conv) {
      case 'd':
      case 'i':
        body = BigInt.asIntN(bits, raw).toString();
        break;
      case 'u':
        body = BigInt.asUintN(bits, raw).toString();
        break;
      case 'x':
      case 'X':
        body = BigInt.asUintN(bits, raw).toString(16);
        if (conv === 'X') body = body.toUpperCase();
        if (flags.includes('#') && raw !== 0n) body = `0x${body}`;
        break;
      case 'o':
        body = BigInt.asUintN(bits, raw).toString(8);
        break;
      case 'c':
        body = String.fromCharCode(Number(raw & 0xffn));
        break;
      case 'p':
        body = `0x${BigInt.asUintN(64, raw).toString(16)}`;
        break;
      default: {
        const u = BigInt.asUintN(64, raw);
        const s = readString(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0, precision ? Number(precision) : 256);
        body = s === undefined ? '(efault)' : precision !== undefined ? s.slice(0, Number(precision)) : s;
      }
    }
    const w = Number(width || 0);
    if (body.length < w) body = flags.includes('-') ? body.padEnd(w) : flags.includes('0') && conv !== 's' ? zeroPad(body, w) : body.padStart(w);
    out += body;
  }
  return { ok: true, text: out };
}

function zeroPad(body: string, w: number): string {
  const neg = body.startsWith('-');
  const digits = neg ? body.slice(1) : body;
  return (neg ? '-' : '') + digits.padStart(w - (neg ? 1 : 0), '0');
}
