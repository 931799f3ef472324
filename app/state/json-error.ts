// Says where a JSON text goes wrong and what was expected there, with a line and a column:
// JSON.parse's messages differ between engines and versions, and some name no position at all
// (V8's "Unexpected token … is not valid JSON" quotes the whole text instead).

export interface JsonError {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonError | undefined {
  let i = 0;
  const fail = (expected: string, why?: string): never => {
    const found = text[i] === undefined ? 'the end of the text' : JSON.stringify(text[i]);
    throw new Located(i, `${expected}, found ${found}${why ? ` (${why})` : ''}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`expected ${word}`);
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    while (true) {
      const ch = text[i];
      if (ch === undefined) fail('expected " to close the string');
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail('expected 4 hex digits after \\u');
            }
          }
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail('expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else if (ch < ' ') fail('expected an escape such as \\n', 'a string cannot hold a raw control character');
      else i++;
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('expected a value (a number, a string in double quotes, true, false, null, [ or {)');
    i += (m as RegExpExecArray)[0].length;
  };
  // An explicit stack instead of recursion: a hostile text of a million '[' cannot overflow.
  const stack: ('[' | '{')[] = [];
  const value = () => {
    ws();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      stack.push(ch);
      i++;
      ws();
      if (text[i] === (ch === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        close();
        return;
      }
      if (ch === '{') key();
      return;
    }
    if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail('expected a value (a number, a string in double quotes, true, false, null, [ or {)');
    close();
  };
  const key = () => {
    ws();
    if (text[i] !== '"') fail('expected a property name in double quotes', text[i] === "'" ? 'JSON has no single quotes' : undefined);
    string();
    ws();
    if (text[i] !== ':') fail("expected ':' after the property name");
    i++;
  };
  /** After a value: a comma and the next member, or closing brackets. */
  const close = () => {
    while (stack.length) {
      ws();
      const top = stack[stack.length - 1];
      const end = top === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === end) fail(`expected a ${top === '{' ? 'property' : 'value'} after ','`, 'JSON allows no trailing comma');
        if (top === '{') key();
        return;
      }
      if (text[i] !== end) fail(`expected ',' or '${end}'`);
      stack.pop();
      i++;
    }
  };
  try {
    let first = true;
    while (first || stack.length) {
      first = false;
      value();
    }
    ws();
    if (i < text.length) fail('expected the end of the text after the value');
    return undefined;
  } catch (e) {
    if (!(e instanceof Located)) throw e;
    const before = text.slice(0, e.offset).split('\n');
    return { line: before.length, col: (before[before.length - 1] ?? '').length + 1, message: e.message };
  }
}

class Located extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}
