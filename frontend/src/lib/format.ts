const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Making an Intl.DateTimeFormat costs far more than using one, and a screen formats
// hundreds of dates: one formatter per time zone, made on first use.
const partsFormatters = new Map<string, Intl.DateTimeFormat>();
const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string | undefined,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let formatter = cache.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    cache.set(key, formatter);
  }
  return formatter;
}

function partsIn(timeZone: string | undefined, date: Date) {
  const parts = cached(partsFormatters, timeZone, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday: get('weekday'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

/** `Tue 1 Dec`, with the year only when it is not this year. */
export function formatDate(value: string | Date, timeZone?: string, now = new Date()): string {
  const date = typeof value === 'string' ? parseDate(value) : value;
  const p = partsIn(timeZone, date);
  const thisYear = partsIn(timeZone, now).year;
  const base = `${p.weekday} ${p.day} ${MONTHS[p.month - 1]}`;
  return p.year === thisYear ? base : `${base} ${p.year}`;
}

/** A date-only string (`2026-12-01`) is a calendar day, not midnight UTC. */
function parseDate(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d, 12));
  }
  return new Date(value);
}

export function formatDay(value: string, now = new Date()): string {
  return formatDate(value, 'UTC', now);
}

/** `18:30`, in the program's time zone, with its abbreviation when it differs from the browser's. */
export function formatTime(value: string, timeZone?: string): string {
  const date = new Date(value);
  const p = partsIn(timeZone, date);
  const text = `${p.hour}:${p.minute}`;
  const zone = differentZone(timeZone, date);
  return zone ? `${text} ${zone}` : text;
}

/** `18:00–19:30`, with the zone's abbreviation once at the end when it differs from the browser's. */
export function formatTimeRange(start: string, end: string, timeZone?: string): string {
  const zone = differentZone(timeZone, new Date(start));
  const bare = (value: string) => {
    const p = partsIn(timeZone, new Date(value));
    return `${p.hour}:${p.minute}`;
  };
  return `${bare(start)}–${bare(end)}${zone ? ` ${zone}` : ''}`;
}

/** The zone's abbreviation (`EST`) when it shows other times than the browser's, else null. */
export function differentZone(timeZone: string | undefined, date = new Date()): string | null {
  const browser = browserZone();
  if (!timeZone || timeZone === browser) return null;
  const abbreviation = zoneAbbreviation(timeZone, date);
  if (abbreviation === zoneAbbreviation(browser, date)) return null;
  return abbreviation;
}

let deviceZone: string | undefined;
/** The device's time zone, read once a page load. */
function browserZone(): string {
  deviceZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return deviceZone;
}

function zoneAbbreviation(timeZone: string, date: Date): string {
  const part = cached(zoneNameFormatters, timeZone, { timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function dateIn(timeZone: string | undefined, date = new Date()): string {
  const p = partsIn(timeZone, date);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

export function weekdayName(index: number): string {
  return WEEKDAYS[index] ?? '';
}

/** `2 h 30 min`. */
export function formatHours(hours: number): string {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** `90% · 9 of 10`; never a bare ratio. */
export function formatRate(done: number, total: number): string {
  if (total === 0) return 'none due';
  return `${Math.round((done / total) * 100)}% · ${done} of ${total}`;
}

export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}

/**
 * First name and family initial, for shared spaces such as the group room; with as many
 * letters of the family name as it takes to tell two people apart ("Casey Ab." and
 * "Casey Ad."), up to the whole name.
 */
export function shortNames(fullNames: readonly string[]): string[] {
  const people = fullNames.map((name) => {
    const words = name.trim().split(/\s+/);
    return { first: words[0] ?? '', family: words.length > 1 ? (words[words.length - 1] ?? '') : '' };
  });
  const letters = people.map(() => 1);
  const key = (i: number) => `${people[i]?.first} ${people[i]?.family.slice(0, letters[i])}`;
  for (let grown = true; grown; ) {
    grown = false;
    const counts = new Map<string, number>();
    people.forEach((_, i) => counts.set(key(i), (counts.get(key(i)) ?? 0) + 1));
    people.forEach((person, i) => {
      if ((counts.get(key(i)) ?? 0) > 1 && (letters[i] ?? 1) < person.family.length) {
        letters[i] = (letters[i] ?? 1) + 1;
        grown = true;
      }
    });
  }
  return people.map(({ first, family }, i) => {
    if (!family) return first;
    const shown = family.slice(0, letters[i]);
    return shown.length < family.length ? `${first} ${shown}.` : `${first} ${family}`;
  });
}

export function initials(fullName: string): string {
  const parts = fullName.trim().split(/\s+/);
  return `${parts[0]?.charAt(0) ?? ''}${parts.length > 1 ? parts[parts.length - 1]?.charAt(0) : ''}`.toUpperCase();
}

export function humanizeEnum(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function age(iso: string, now = new Date()): string {
  const days = Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000);
  if (days <= 0) return 'today';
  if (days === 1) return '1 day ago';
  return `${days} days ago`;
}

export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}
