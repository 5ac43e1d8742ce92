import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../lib/api';
import { countOccurrences } from './scheduleMath';

const slot = (weekday: number) => ({ weekday }) as Schemas['SlotRead'];

describe('the schedule preview', () => {
  it('counts each slot on each matching weekday, both ends included', () => {
    // 2026-11-30 is a Monday; two weeks of Monday and Wednesday slots.
    expect(countOccurrences([slot(0), slot(2)], '2026-11-30', '2026-12-13')).toBe(4);
    expect(countOccurrences([slot(0)], '2026-11-30', '2026-11-30')).toBe(1);
    expect(countOccurrences([slot(6)], '2026-11-30', '2026-12-05')).toBe(0);
  });
});
