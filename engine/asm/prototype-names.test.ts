// Names that are also Object.prototype properties (`__proto__`, `constructor`, `toString`, …)
// must behave exactly like any other name wherever the source can put a name: a label named
// toString works, `call toString` is an unknown function, `__proto__.x` an unknown struct. Each
// case assembles the source once with the prototype name and once with an ordinary name of the
// same length, and the two results must be the same up to that name (issue 11, finding 3).

import { describe, expect, it } from 'vitest';
import { normalize, ordinaryName, PROTOTYPE_NAMES } from '../test/prototype-names.ts';
import { assemble, type AssembleResult, type DialectName } from './index.ts';

interface Position {
  readonly what: string;
  readonly dialect: DialectName;
  readonly source: (name: string) => string;
}

const POSITIONS: readonly Position[] = [
  { what: 'label', dialect: 'llvm', source: (n) => `${n}:\n  r0 = 0\n  exit` },
  { what: 'jump target', dialect: 'llvm', source: (n) => `  goto ${n}\n${n}:\n  r0 = 0\n  exit` },
  { what: 'unknown jump target', dialect: 'llvm', source: (n) => `  if r1 == 0 goto ${n}\nother:\n  exit` },
  { what: 'call target (a label)', dialect: 'llvm', source: (n) => `  call ${n}\n  exit\n${n}:\n  r0 = 0\n  exit` },
  { what: 'call target (unknown)', dialect: 'llvm', source: (n) => `  call ${n}\n  exit` },
  { what: 'map name', dialect: 'llvm', source: (n) => `.map ${n} type=array key=4 value=8 max_entries=1\n  r1 = ${n} ll\n  exit` },
  { what: 'map declared twice', dialect: 'llvm', source: (n) => `.map ${n} type=array key=4 value=8 max_entries=1\n.map ${n} type=hash key=4 value=8 max_entries=1\n  exit` },
  { what: 'r1 = NAME ll (unknown)', dialect: 'llvm', source: (n) => `  r1 = ${n} ll\n  exit` },
  { what: 'r1 = NAME ll (a function)', dialect: 'llvm', source: (n) => `  r2 = ${n} ll\n  exit\n${n}:\n  r0 = 0\n  exit` },
  { what: 'r0 = NAME', dialect: 'llvm', source: (n) => `  r0 = ${n}\n  exit` },
  { what: 'section name', dialect: 'llvm', source: (n) => `.section ${n}\n  r0 = 0\n  exit\n.section xdp\n  exit\n.section ${n}\n  exit` },
  { what: 'quoted section name', dialect: 'llvm', source: (n) => `.section "${n}","ax",@progbits\n  exit` },
  { what: 'tp_btf section', dialect: 'llvm', source: (n) => `.section tp_btf/${n}\n  exit` },
  { what: 'struct', dialect: 'llvm', source: (n) => `  r0 = *(u32 *)(r1 + ${n}.data)\n  exit` },
  { what: 'field', dialect: 'llvm', source: (n) => `  r0 = *(u32 *)(r1 + xdp_md.${n})\n  exit` },
  { what: 'immediate STRUCT.FIELD', dialect: 'llvm', source: (n) => `  r0 = ${n}.${n}\n  exit` },
  { what: 'map type=', dialect: 'llvm', source: (n) => `.map m type=${n} key=4 value=8 max_entries=1\n  exit` },
  { what: 'map attribute', dialect: 'llvm', source: (n) => `.map m type=array key=4 value=8 max_entries=1 ${n}=1\n  exit` },
  { what: 'map key=', dialect: 'llvm', source: (n) => `.map m type=array key=${n} value=8 max_entries=1\n  exit` },
  { what: 'map kptr type', dialect: 'llvm', source: (n) => `.map m type=array key=4 value=8 max_entries=1 kptr=0:${n}\n  exit` },
  { what: 'directive', dialect: 'llvm', source: (n) => `.${n} 1\n  exit` },
  { what: 'first word', dialect: 'llvm', source: (n) => `  ${n}\n  exit` },
  { what: 'access type', dialect: 'llvm', source: (n) => `  r0 = *(${n} *)(r1 + 0)\n  *(${n} *)(r10 - 8) = r1\n  exit` },
  { what: 'sign-extension type', dialect: 'llvm', source: (n) => `  r0 = (${n}) r1\n  exit` },
  { what: 'ubpf mnemonic', dialect: 'ubpf', source: (n) => `mov %r0, 1\n${n} %r0\nexit` },
  { what: 'ubpf lock operation', dialect: 'ubpf', source: (n) => `lock ${n} [%r1], %r2\nexit` },
  { what: 'ubpf jump target', dialect: 'ubpf', source: (n) => `ja ${n}\n${n}:\nmov %r0, 1\nexit` },
  { what: 'ubpf unknown jump target', dialect: 'ubpf', source: (n) => `jeq %r1, 0, ${n}\nexit` },
  { what: 'ubpf call', dialect: 'ubpf', source: (n) => `call ${n}\ncall local ${n}\ncall helper ${n}\nexit` },
  { what: 'ubpf map load', dialect: 'ubpf', source: (n) => `.map ${n} type=hash key=4 value=8 max_entries=4\nlddw %r1, ${n}\nlddw %r2, m${n}\nexit` },
  { what: 'ubpf field offset', dialect: 'ubpf', source: (n) => `ldxw %r0, [%r1+xdp_md.${n}]\nldxw %r0, [%r1+${n}.data]\nexit` },
];

/** Everything an assembly gives, as plain data with the name swapped out. */
function shape(r: AssembleResult, name: string): string {
  return normalize(
    JSON.stringify({
      ok: r.ok,
      dialect: r.dialect,
      diagnostics: r.diagnostics,
      maps: r.maps,
      license: r.license ?? null,
      sections: r.sections.map((s) => ({
        name: s.name,
        kind: s.kind,
        bytes: [...s.bytes],
        labels: [...s.labels],
        relocations: s.relocations,
        spans: s.spans,
      })),
    }),
    name,
  );
}

describe('Object.prototype names in assembly text', () => {
  for (const position of POSITIONS) {
    it(`as ${position.what} (${position.dialect}): every name behaves like an ordinary one`, () => {
      for (const name of PROTOTYPE_NAMES) {
        const r = assemble(position.source(name), { dialect: position.dialect });
        for (const d of r.diagnostics) {
          expect(typeof d.message, `${name}: ${String(d.message)}`).toBe('string');
          expect(d.message.length).toBeGreaterThan(0);
        }
        const ordinary = assemble(position.source(ordinaryName(name)), { dialect: position.dialect });
        expect(shape(r, name), name).toBe(shape(ordinary, name));
      }
    });
  }

  it('as the dialect option: an unknown dialect name is the default dialect, as for any word', () => {
    for (const name of PROTOTYPE_NAMES) {
      const r = assemble('r0 = 1\nexit', { dialect: name as DialectName });
      expect(r.ok).toBe(true);
      expect(r.dialect).toBe('llvm');
    }
  });

  it('gives the results the issue names: a toString label works, call toString is unknown, __proto__.x an unknown struct', () => {
    const label = assemble('  call toString\n  exit\ntoString:\n  r0 = 0\n  exit');
    expect(label.ok).toBe(true);
    expect(label.sections[0]?.insns[0]).toMatchObject({ kind: 'call', target: 'local', imm: 1 });
    const call = assemble('  call toString\n  exit');
    expect(call.ok).toBe(false);
    expect(call.diagnostics[0]).toMatchObject({ code: 'unknown-function', message: expect.stringContaining("unknown function 'toString'") as unknown });
    const map = assemble('.map constructor type=array key=4 value=8 max_entries=1\n  r1 = constructor ll\n  exit');
    expect(map.ok).toBe(true);
    expect(map.sections[0]?.relocations).toEqual([{ kind: 'map', pc: 0, map: 'constructor' }]);
    const struct = assemble('  r0 = *(u32 *)(r1 + __proto__.x)\n  exit');
    expect(struct.diagnostics.map((d) => d.message)).toEqual(["unknown struct '__proto__'"]);
  });
});
