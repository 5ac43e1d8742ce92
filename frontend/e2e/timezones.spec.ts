import { apiAs, expect, signIn, test } from './fixtures';

// A device far from the clinic: Today and the Schedule still show the program's times.
test.use({ timezoneId: 'Asia/Tokyo' });

type Summary = { id: string; title: string; program_id: string; starts_at: string };

const clock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
const day = (date: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
const abbreviation = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName')!.value;

test('Today and the Schedule show session times in the program time zone, labelled, on a device in another zone', async ({ page, request }) => {
  const api = await apiAs(request, 'clinician');
  const me = await api.get<{ user: { id: string } }>('/api/v1/auth/me');
  const programs = await api.get<{ items: { id: string; timezone: string }[] }>('/api/v1/programs?limit=200');
  const zone = new Map(programs.items.map((p) => [p.id, p.timezone]));
  const now = new Date();
  const around = await api.get<{ items: Summary[] }>(
    `/api/v1/sessions?facilitator_id=${me.user.id}&from=${new Date(now.getTime() - 2 * 86_400_000).toISOString()}&to=${new Date(now.getTime() + 2 * 86_400_000).toISOString()}&limit=200`,
  );
  const today = around.items.filter((s) => {
    const tz = zone.get(s.program_id)!;
    return day(new Date(s.starts_at), tz) === day(now, tz);
  });
  expect(today.length, "the demo clinician's sessions today, in their programs' zones").toBeGreaterThan(0);
  const first = today[0]!;
  const tz = zone.get(first.program_id)!;
  const label = `${clock(first.starts_at, tz)}–`;

  await signIn(page, 'clinician');
  const cards = page.getByRole('region', { name: 'My sessions today' }).getByRole('link');
  await expect(cards).toHaveCount(today.length);
  const card = cards.filter({ hasText: first.title }).first();
  await expect(card).toContainText(label);
  await expect(card).toContainText(abbreviation(first.starts_at, tz));

  await page.getByRole('link', { name: 'Schedule' }).click();
  await expect(page.getByText("Times are in each program's time zone")).toContainText(tz.replace(/_/g, ' '));
  const cell = page.getByRole('region', { name: new RegExp(`^\\w{3} ${Number(day(new Date(first.starts_at), tz).slice(8))} `) });
  await expect(cell.getByText(`${clock(first.starts_at, tz)} ${abbreviation(first.starts_at, tz)} ${first.title}`).first()).toBeVisible();
});
