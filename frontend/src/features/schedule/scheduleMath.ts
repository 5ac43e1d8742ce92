import type { Schemas } from '../../lib/api';

/** How many times the program's weekly slots fall between two dates, both included. */
export function countOccurrences(slots: Schemas['SlotRead'][], from: string, to: string): number {
  let count = 0;
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) {
    const weekday = (new Date(t).getUTCDay() + 6) % 7;
    count += slots.filter((s) => s.weekday === weekday).length;
  }
  return count;
}
