import { describe, expect, it } from 'vitest';
import { dateIn, differentZone, formatTime, formatTimeRange, shortNames } from './format';

const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
// A zone that keeps other times than this device's in December, whatever the device's is.
const other = ['Pacific/Auckland', 'America/New_York'].find(
  (z) => new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date('2026-12-01T23:00:00Z')) !==
    new Intl.DateTimeFormat('en-US', { hour: 'numeric', hourCycle: 'h23' }).format(new Date('2026-12-01T23:00:00Z')),
)!;

describe('times in the program time zone', () => {
  it('shows a session at its program time, labelled with the zone when the device keeps another', () => {
    expect(formatTime('2026-12-01T23:00:00Z', 'America/New_York')).toMatch(/^18:00( EST)?$/);
    expect(formatTimeRange('2026-12-01T23:00:00Z', '2026-12-02T00:30:00Z', 'America/New_York')).toMatch(/^18:00–19:30( EST)?$/);
    expect(differentZone(browser)).toBeNull();
    expect(differentZone(undefined)).toBeNull();
    expect(differentZone(other, new Date('2026-12-01T23:00:00Z'))).not.toBeNull();
    expect(formatTimeRange('2026-12-01T23:00:00Z', '2026-12-02T00:30:00Z', other)).toMatch(/^\d\d:\d\d–\d\d:\d\d \S+$/);
  });

  it('places a late evening session on its program day', () => {
    // 18:00 in New York on 1 Dec is already 2 Dec in UTC and in Auckland.
    expect(dateIn('America/New_York', new Date('2026-12-01T23:00:00Z'))).toBe('2026-12-01');
    expect(dateIn('Pacific/Auckland', new Date('2026-12-01T23:00:00Z'))).toBe('2026-12-02');
  });
});

describe('names in the group room', () => {
  it('reads as first name and family initial', () => {
    expect(shortNames(['Casey Adams', 'Jordan Lee', 'Prince'])).toEqual(['Casey A.', 'Jordan L.', 'Prince']);
  });

  it('tells apart two who would read alike', () => {
    expect(shortNames(['Casey Abbott', 'Casey Adams', 'Casey Brown'])).toEqual([
      'Casey Ab.',
      'Casey Ad.',
      'Casey B.',
    ]);
  });

  it('gives up to the whole family name when that is what tells them apart', () => {
    expect(shortNames(['Casey Lee', 'Casey Leeds'])).toEqual(['Casey Lee', 'Casey Leed.']);
    expect(shortNames(['Sam Ray', 'Sam Ray'])).toEqual(['Sam Ray', 'Sam Ray']);
  });
});
