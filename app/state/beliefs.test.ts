// Beliefs beside reality: a concrete value compared with the verifier's bounds and tnum.

import { describe, expect, it } from 'vitest';
import { outsideBelief, regRows } from './beliefs.ts';
import type { ScalarBelief } from '../../engine/worker/protocol.ts';

// umax 255, the low 8 bits unknown: what `r3 &= 0xff` leaves.
const BYTE: ScalarBelief = { umin: '0', umax: '255', smin: '0', smax: '255', u32min: 0, u32max: 255, s32min: 0, s32max: 255, value: '0x0', mask: '0xff' };

describe('outsideBelief', () => {
  it('finds nothing wrong with a value inside every bound', () => {
    expect(outsideBelief(BYTE, { unsigned: '0' })).toEqual([]);
    expect(outsideBelief(BYTE, { unsigned: '255' })).toEqual([]);
  });

  it('names each bound a value breaks, and the tnum', () => {
    expect(outsideBelief(BYTE, { unsigned: '256' })).toEqual(['above umax 255', 'above smax 255', 'above umax32 255', 'above smax32 255', 'bits known by the tnum (0x0; 0xff) differ']);
  });

  it('reads a negative value as its two\'s complement', () => {
    const negative: ScalarBelief = { umin: '18446744073709551615', umax: '18446744073709551615', smin: '-1', smax: '-1', u32min: 4294967295, u32max: 4294967295, s32min: -1, s32max: -1, value: '0xffffffffffffffff', mask: '0x0' };
    expect(outsideBelief(negative, { unsigned: '18446744073709551615' })).toEqual([]);
    expect(outsideBelief(negative, { unsigned: '1' })).toContain('below umin 18446744073709551615');
  });
});

describe('regRows', () => {
  it('pairs each believed register with the value seen, flagging only scalars', () => {
    const rows = regRows(
      [
        { reg: 2, type: 'pkt', text: 'pkt(r=0)' },
        { reg: 3, type: 'scalar', text: 'scalar(…)', scalar: BYTE },
      ],
      [
        { reg: 2, hex: '0x0000000100000100', unsigned: '4294967552', signed: '4294967552', region: 'packet', offset: 256 },
        { reg: 3, hex: '0x0000000000000300', unsigned: '768', signed: '768' },
      ],
    );
    expect(rows.map((r) => [r.reg, r.seen?.unsigned, r.outside.length])).toEqual([
      [2, '4294967552', 0],
      [3, '768', 5],
    ]);
    expect(regRows([{ reg: 1, type: 'ctx', text: 'ctx()' }], undefined)).toEqual([{ reg: 1, belief: { reg: 1, type: 'ctx', text: 'ctx()' }, outside: [] }]);
  });
});
