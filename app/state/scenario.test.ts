import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from './json-error.ts';
import { checkScenarioText, checkScenarioValue, textOf } from './scenario.ts';

describe('jsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const t of ['{}', '[]', '[{}, 1, [], "a\\u00e9\\n"]', ' {"a": {"b": [1.5e3, -0, true, false, null]}} ', '"x"', '-12']) {
      expect(() => JSON.parse(t)).not.toThrow();
      expect(jsonSyntaxError(t)).toBeUndefined();
    }
  });

  it('names the line, the column and what was expected', () => {
    expect(jsonSyntaxError('{\n  "a": tru\n}')).toEqual({ line: 2, col: 11, message: 'expected true, found "\\n"' });
    expect(jsonSyntaxError('{"a": 1,}')).toMatchObject({ line: 1, col: 9, message: 'expected a property after \',\', found "}" (JSON allows no trailing comma)' });
    expect(jsonSyntaxError("{'a': 1}")).toMatchObject({ col: 2, message: 'expected a property name in double quotes, found "\'" (JSON has no single quotes)' });
    expect(jsonSyntaxError('[1 2]')).toMatchObject({ col: 4, message: "expected ',' or ']', found \"2\"" });
    expect(jsonSyntaxError('{"a": 1')).toMatchObject({ col: 8, message: "expected ',' or '}', found the end of the text" });
    expect(jsonSyntaxError('')).toMatchObject({ line: 1, col: 1 });
    expect(jsonSyntaxError('{} x')).toMatchObject({ col: 4, message: 'expected the end of the text after the value, found "x"' });
  });

  it('refuses every text JSON.parse refuses, on a seeded sample of mutations', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const base = textOf(undefined, 8);
    for (let k = 0; k < 2000; k++) {
      const at = rand(base.length);
      const t = base.slice(0, at) + '{}[],:"\\x 1'[rand(11)] + base.slice(at + rand(2));
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      expect(jsonSyntaxError(t) === undefined, t).toBe(valid);
    }
  });

  it('survives deep nesting without recursion', () => {
    expect(jsonSyntaxError('['.repeat(200000))).toMatchObject({ line: 1, col: 200001 });
  });
});

describe('checkScenarioText', () => {
  it('accepts the default scenario and names its tasks', () => {
    const r = checkScenarioText(textOf(undefined, 8), 8);
    expect(r.ok && r.scenario.newtask.pid).toBe(4242);
  });

  it('says where a syntax error is', () => {
    expect(checkScenarioText('{\n "tasks": [}', 8)).toEqual({ ok: false, error: 'line 2, column 12: expected a value (a number, a string in double quotes, true, false, null, [ or {), found "}"' });
  });

  it('applies the engine rules, against the CPU count', () => {
    expect(checkScenarioText('{"tasks": [{"pid": 7, "cpus": "0-9"}], "current": 7}', 8)).toEqual({ ok: false, error: 'task 7: CPU 9 does not exist: the kernel has 8 CPUs (0-7)' });
    expect(checkScenarioText('{"tasks": [{"pid": 7, "cpus": "0-9"}], "current": 7}', 16).ok).toBe(true);
    expect(checkScenarioText('[1]', 8)).toMatchObject({ ok: false });
  });
});

describe('checkScenarioValue (the document\'s own scenario, no text to parse)', () => {
  it('agrees with checking its text, and takes undefined as the default scenario', () => {
    const custom = { tasks: [{ pid: 7, comm: 'a', cpus: '0-1' }], current: 7 };
    const viaText = checkScenarioText(textOf(custom, 4), 4);
    const direct = checkScenarioValue(custom, 4);
    expect(direct.ok && viaText.ok ? direct.scenario : undefined).toEqual(viaText.ok ? viaText.scenario : 'text refused');
    const dflt = checkScenarioValue(undefined, 4);
    const dfltText = checkScenarioText(textOf(undefined, 4), 4);
    expect(dflt.ok && dfltText.ok ? dflt.scenario : undefined).toEqual(dfltText.ok ? dfltText.scenario : 'text refused');
    expect(checkScenarioValue([], 4)).toMatchObject({ ok: false, error: expect.stringMatching(/must be a JSON object/) });
    expect(checkScenarioValue({ tasks: 5 }, 4).ok).toBe(false);
  });
});
