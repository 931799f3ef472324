// Small helpers for checking untrusted JSON (documents, links, traffic profiles), shared by the
// engine's parsers and the app so that every message describes a wrong value the same way.

/** A short, readable rendering of a wrong value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string': {
      const s = JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v);
      return v.length === 0 ? 'an empty text' : s;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
