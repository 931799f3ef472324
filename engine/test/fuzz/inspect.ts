// Walks what the product answered and finds the messages that are not text — an object or a
// function where a diagnostic's message belongs, an empty message, "[object Object]" — and the
// messages that tell the user nothing: "internal error", a stack trace.

import { oneLine, type Finding } from './case.ts';

/** Fields that hold one message for the user. */
const MESSAGE_KEYS = new Set(['message', 'error', 'warning', 'note', 'detail', 'stopped', 'decodeError', 'reason', 'hint']);
/** Fields that hold a list of messages (strings, or objects with message fields). */
const LIST_KEYS = new Set(['errors', 'warnings', 'notes', 'messages', 'problems', 'diagnostics']);
/**
 * Fields that echo the user's own JSON back (a scenario, a traffic profile, map contents, a
 * document): their keys are the user's, so a key named "error" there is data, not a message.
 */
const OPAQUE_KEYS = new Set(['lineFindings', 'doc', 'scenario', 'traffic', 'maps', 'source', 'input', 'ctx']);

// A value made text by accident: an object's or a function's default string.
const NOT_TEXT = /\[object [A-Za-z]+\]|\[native code\]|\bfunction\s*[\w$]*\s*\([^)]*\)\s*\{/;
const INTERNAL = /internal error|\binternal:|\n\s+at [^\n]+:\d+:\d+/i;

/** Limits that keep the walk cheap on large answers (a map view of 65,536 entries). */
const MAX_DEPTH = 14;
const MAX_NODES = 50_000;

export interface InspectOptions {
  /** Keys not to descend into, besides OPAQUE_KEYS. */
  readonly skip?: ReadonlySet<string>;
}

/** Every problem with the messages in `value`, each naming its path. */
export function inspectAnswer(value: unknown, options: InspectOptions = {}): Finding[] {
  const findings: Finding[] = [];
  let nodes = 0;
  const seen = new Set<object>();

  const checkText = (path: string, v: unknown): void => {
    if (typeof v !== 'string') {
      findings.push({ kind: 'non-text', detail: `${path} is ${kindOf(v)}, not text` });
      return;
    }
    if (v.trim() === '') findings.push({ kind: 'non-text', detail: `${path} is an empty text` });
    else if (NOT_TEXT.test(v)) findings.push({ kind: 'non-text', detail: `${path} holds a non-text value: ${around(v, NOT_TEXT)}` });
    checkInternal(path, v);
  };
  const checkInternal = (path: string, v: string): void => {
    if (INTERNAL.test(v)) findings.push({ kind: 'internal', detail: `${path}: ${around(v, INTERNAL)}` });
  };

  const walk = (path: string, v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || ++nodes > MAX_NODES) return;
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(`${path}[${i}]`, item, depth + 1));
      return;
    }
    if (v instanceof Map) {
      for (const [k, item] of v) walk(`${path}.get(${String(k)})`, item, depth + 1);
      return;
    }
    for (const key of Object.keys(v)) {
      const item = (v as Record<string, unknown>)[key];
      const at = path ? `${path}.${key}` : key;
      if (OPAQUE_KEYS.has(key) || options.skip?.has(key)) continue;
      if (MESSAGE_KEYS.has(key)) {
        // An optional message left out (`error: undefined`, or null in JSON output) is absent,
        // not wrong — except the message of a diagnostic or a problem, never optional.
        if ((item === undefined || item === null) && key !== 'message') continue;
        if (typeof item === 'object' && item !== null && !Array.isArray(item) && key !== 'message') walk(at, item, depth + 1);
        else checkText(at, item);
        continue;
      }
      if (LIST_KEYS.has(key) && Array.isArray(item)) {
        item.forEach((m, i) => {
          if (typeof m === 'object' && m !== null) walk(`${at}[${i}]`, m, depth + 1);
          else checkText(`${at}[${i}]`, m);
        });
        continue;
      }
      walk(at, item, depth + 1);
    }
  };
  walk('', value, 0);
  return findings;
}

/** Lines a command printed: each must be text, and an error line must say something a user can act on. */
export function inspectLines(stream: string, lines: readonly unknown[]): Finding[] {
  const findings: Finding[] = [];
  lines.forEach((line, i) => {
    const at = `${stream}[${i}]`;
    if (typeof line !== 'string') findings.push({ kind: 'non-text', detail: `${at} is ${kindOf(line)}, not text` });
    else {
      if (NOT_TEXT.test(line)) findings.push({ kind: 'non-text', detail: `${at} holds a non-text value: ${around(line, NOT_TEXT)}` });
      if (INTERNAL.test(line)) findings.push({ kind: 'internal', detail: `${at}: ${around(line, INTERNAL)}` });
    }
  });
  return findings;
}

/** The part of `text` around what `pattern` matched, on one line. */
function around(text: string, pattern: RegExp): string {
  const at = text.search(pattern);
  const from = Math.max(0, at - 80);
  return `${from > 0 ? '…' : ''}${oneLine(text.slice(from), 150)}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'function') return `a function (${oneLine(String(v), 40)})`;
  if (typeof v === 'object') {
    let text: string;
    try {
      text = JSON.stringify(v) ?? '';
    } catch {
      text = Object.prototype.toString.call(v);
    }
    return `an object (${oneLine(text, 40)})`;
  }
  return typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`;
}
