import { describe, expect, it } from 'vitest';
import { coverage, editorAriaLabel, staticLines } from './static-model.ts';
import type { EditorDiagnostic } from './types.ts';

const diag = (over: Partial<EditorDiagnostic>): EditorDiagnostic => ({
  severity: 'error',
  message: 'bad',
  code: 'x',
  source: 'assembler',
  line: 1,
  col: 1,
  endLine: 1,
  endCol: 2,
  ...over,
});

describe('the static view model', () => {
  it('cuts lines into token segments that rebuild the text', () => {
    const text = 'r0 = 1 # one\n\n  exit\r\n';
    const lines = staticLines(text, [], [], undefined);
    expect(lines.map((l) => l.segments.map((s) => s.text).join(''))).toEqual(['r0 = 1 # one', '', '  exit', '']);
    expect(lines[0]?.segments.map((s) => s.type)).toEqual(['register', '', 'operator', '', 'number', '', 'comment']);
  });

  it('underlines diagnostic ranges, the worst one winning', () => {
    const warning = diag({ severity: 'warning', col: 1, endCol: 7 });
    const error = diag({ col: 6, endCol: 7, message: 'immediate out of range' });
    const [line] = staticLines('r0 = 99999999999', [warning, error], [], undefined);
    const marked = line?.segments.filter((s) => s.diagnostic).map((s) => [s.text, s.diagnostic?.severity]);
    expect(marked).toEqual([
      ['r0', 'warning'],
      [' ', 'warning'],
      ['=', 'warning'],
      [' ', 'warning'],
      ['9', 'error'],
    ]);
    expect(line?.diagnostics).toHaveLength(2);
  });

  it('widens empty ranges and spans lines', () => {
    expect(coverage(diag({ col: 3, endCol: 3 }), 1, 10)).toEqual([2, 3]);
    expect(coverage(diag({ col: 30, endCol: 30 }), 1, 10)).toEqual([9, 10]);
    const multi = diag({ line: 1, col: 4, endLine: 3, endCol: 2 });
    expect([1, 2, 3, 4].map((l) => coverage(multi, l, 6))).toEqual([[3, 6], [0, 6], [0, 1], undefined]);
    const [, empty] = staticLines('exit\n', [diag({ line: 2, endLine: 2 })], [], undefined);
    expect(empty?.segments).toEqual([{ text: ' ', type: '', diagnostic: expect.objectContaining({ line: 2 }) }]);
  });

  it('marks breakpoints and the current line', () => {
    const lines = staticLines('a:\n r0 = 0\n exit', [], [2, 3], 3);
    expect(lines.map((l) => [l.breakpoint, l.current])).toEqual([
      [false, false],
      [true, false],
      [true, true],
    ]);
  });

  it('tells screen-reader users how to leave the editor with Tab', () => {
    expect(editorAriaLabel(undefined)).toMatch(/^BPF program editor\. .*Ctrl\+M \(Ctrl\+Shift\+M on macOS\)/);
    expect(editorAriaLabel('Program.')).toMatch(/^Program\. Tab/);
    // A label that already explains it is kept as it is.
    expect(editorAriaLabel('Program. Press Ctrl+M (Ctrl+Shift+M on macOS) to let Tab move the focus.')).toBe('Program. Press Ctrl+M (Ctrl+Shift+M on macOS) to let Tab move the focus.');
  });
});
