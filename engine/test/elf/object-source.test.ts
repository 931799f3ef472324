import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The test reads the objects as the worker does.
import { Session } from '../../worker/session.ts';
import { objectSource } from '../../asm/object-source.ts';

const DIR = fileURLToPath(new URL('../../../public/examples/c/', import.meta.url));
const objects = readdirSync(DIR).filter((f) => f.endsWith('.o')).sort();

function open(file: string) {
  const r = new Session().openObject(new Uint8Array(readFileSync(join(DIR, file))));
  if (!r.ok) throw new Error(r.error);
  return r;
}

describe('objectSource', () => {
  it('finds the C examples', () => expect(objects).toContain('cpumask-set-clear.o'));

  it.each(objects)('%s opens as named assembly that reassembles to the same bytes', (file) => {
    const s = objectSource(file, open(file));
    expect(s.mismatches).toEqual([]);
    expect(s.sameBytes).toBe(true);
    expect(s.named).toBe(true);
    expect(s.cLines).toBeGreaterThan(0);
  });

  it('names kfuncs, maps and jump targets and puts the C lines above their instructions', () => {
    const set = objectSource('cpumask-set-clear.o', open('cpumask-set-clear.o')).text;
    expect(set).toContain('.license "GPL"');
    expect(set).toContain('.section tp_btf/task_newtask');
    expect(set).toMatch(/# cpumask-set-clear\.c:36: cpumask = bpf_cpumask_create\(\);\n\s+call bpf_cpumask_create\n/);
    expect(set).toMatch(/if r6 == 0x0 goto L\d+/);
    const xdp = objectSource('xdp-metadata.o', open('xdp-metadata.o')).text;
    expect(xdp).toContain('.map xsk type=xskmap key=4 value=4 max_entries=64');
    expect(xdp).toContain('r1 = xsk ll');
    expect(xdp).toContain('call bpf_redirect_map');
  });

  it('says why a file that is not an object cannot be read', () => {
    const r = new Session().openObject(new Uint8Array([1, 2, 3]));
    expect(r.ok).toBe(false);
  });
});
