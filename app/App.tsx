// Placeholder shell until the browser-playground issue: assembles on the main thread, as the
// real editor will, and shows the bytecode or the diagnostics.
import { useMemo, useState } from 'react';
import { assemble, disassemble } from '../engine/asm/index.ts';

const EXAMPLE = `# r0 = 6 * 7
r0 = 6
r0 *= 7
exit
`;

export function App() {
  const [text, setText] = useState(EXAMPLE);
  const result = useMemo(() => assemble(text), [text]);
  const section = result.sections[0];
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 880, margin: '2rem auto', padding: '0 1rem' }}>
      <h1>BPF Playground</h1>
      <p>eBPF assembly, assembled as LLVM does, in your browser. The full playground (editor, debugger, kernel, NIC) is being built.</p>
      <label htmlFor="src">Program ({result.dialect} dialect)</label>
      <textarea id="src" value={text} onChange={(e) => setText(e.target.value)} rows={10} style={{ width: '100%', fontFamily: 'monospace' }} spellCheck={false} />
      {result.ok && section ? (
        <pre aria-label="disassembly">{disassemble(section.bytes).lines.map((l) => `${String(l.pc).padStart(4)}: ${l.text}`).join('\n')}</pre>
      ) : (
        <ul aria-label="problems">
          {result.diagnostics.map((d, i) => (
            <li key={i}>{`${d.line}:${d.col}: ${d.severity}: ${d.message}`}</li>
          ))}
        </ul>
      )}
    </main>
  );
}
