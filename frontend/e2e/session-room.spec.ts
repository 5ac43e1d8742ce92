import type { Page } from '@playwright/test';
import { apiAs, countApiRequests, expect, expectAccessible, screenshots, signIn, test } from './fixtures';

type Summary = { id: string; title: string; roster_size: number; starts_at: string; status: string };
type Page_<T> = { items: T[] };

/** The demo clinician's groups that have started (attendance opens at the start), newest first. */
async function startedGroups(request: Parameters<typeof apiAs>[0]) {
  const api = await apiAs(request, 'clinician');
  const me = await api.get<{ user: { id: string } }>('/api/v1/auth/me');
  const now = new Date();
  const from = new Date(now.getTime() - 4 * 86_400_000);
  const page = await api.get<Page_<Summary>>(
    `/api/v1/sessions?facilitator_id=${me.user.id}&from=${from.toISOString()}&to=${now.toISOString()}&limit=100`,
  );
  const groups = page.items
    .filter((s) => s.roster_size >= 3 && s.status === 'scheduled' && new Date(s.starts_at) < now)
    .sort((a, b) => b.starts_at.localeCompare(a.starts_at));
  expect(groups.length, 'started groups of the demo clinician').toBeGreaterThanOrEqual(3);
  return groups;
}

const rows = (page: Page) => page.getByTestId('roster-row');

async function takeRollCall(page: Page, from = 0) {
  const count = await rows(page).count();
  for (let i = from; i < count; i += 1) {
    const status = i === 0 ? 'Late' : i === 1 ? 'Unexcused' : 'Present';
    await rows(page).nth(i).getByRole('button', { name: status, exact: true }).click();
  }
  return count;
}

/** Taps the first of `choices` the row does not already show, so that every tap is a change. */
async function tapNew(page: Page, index: number, choices: string[]) {
  const row = rows(page).nth(index);
  for (const choice of choices) {
    const button = row.getByRole('button', { name: choice, exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') {
      await button.click();
      return choice;
    }
  }
  throw new Error('every choice is already set');
}

async function expectRollCall(page: Page, count: number) {
  for (let i = 0; i < count; i += 1) {
    const status = i === 0 ? 'Late' : i === 1 ? 'Unexcused' : 'Present';
    await expect(rows(page).nth(i).getByRole('button', { name: status, exact: true })).toHaveAttribute('aria-pressed', 'true');
  }
}

test('a facilitator takes attendance and assigns homework to those present; all of it is saved', async ({ page, request }) => {
  const [group] = await startedGroups(request);
  await signIn(page, 'clinician');
  await page.goto(`/sessions/${group!.id}`);
  const counter = countApiRequests(page);
  await page.reload();
  await expect(rows(page).first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  const loadRequests = counter.requests().filter((r) => !r.includes('/auth/me'));
  console.log(`requests, Session room: ${loadRequests.length} (${loadRequests.join(', ')})`);
  expect(loadRequests.length).toBeLessThanOrEqual(4);
  counter.stop();
  await expectAccessible(page, 'Session room');
  const count = await takeRollCall(page);
  await expect(rows(page).first().getByLabel('Minutes attended')).toBeVisible();
  await expect(page.getByTestId('save-status')).toContainText('Saved');
  await screenshots(page, 'session-room');

  await page.getByRole('button', { name: "Assign tonight's homework", exact: true }).click();
  await page.getByRole('combobox', { name: 'Homework template' }).click();
  await page.getByRole('option').first().click();
  await page.getByRole('button', { name: `Assign to ${count - 1} present` }).click();
  await expect(page.getByText(`${count - 1} clients present received it.`)).toBeVisible();
  await page.getByRole('button', { name: 'Done', exact: true }).click();

  await page.reload();
  await expectRollCall(page, count);
});

test('taps made while offline are kept, counted and sent when the network returns', async ({ page, context, request }) => {
  const group = (await startedGroups(request))[1]!;
  await signIn(page, 'clinician');
  await page.goto(`/sessions/${group.id}`);
  await expect(rows(page).first()).toBeVisible();
  const count = await rows(page).count();
  const chosen: string[] = [await tapNew(page, 0, ['Late', 'Left early'])];
  await expect(page.getByTestId('save-status')).toContainText('Saved');

  await context.setOffline(true);
  for (let i = 1; i < count; i += 1) chosen.push(await tapNew(page, i, ['Excused', 'Unexcused']));
  await expect(page.getByTestId('save-status')).toContainText(`${count - 1} changes waiting to send`);
  await screenshots(page, 'session-room-offline');

  await context.setOffline(false);
  await expect(page.getByTestId('save-status')).toContainText('Saved', { timeout: 15_000 });
  await page.reload();
  for (let i = 0; i < count; i += 1) {
    await expect(rows(page).nth(i).getByRole('button', { name: chosen[i], exact: true })).toHaveAttribute('aria-pressed', 'true');
  }
});

test('undo takes back the last tap, and the keyboard sets statuses', async ({ page, request }) => {
  const group = (await startedGroups(request))[2]!;
  await signIn(page, 'clinician');
  await page.goto(`/sessions/${group.id}`);
  const first = rows(page).first();
  const kept = await tapNew(page, 0, ['Present', 'Late']);
  await expect(page.getByTestId('save-status')).toContainText('Saved');
  await first.getByRole('button', { name: 'Excused', exact: true }).click();
  await page.getByRole('button', { name: /^Undo/, exact: true }).click();
  await expect(first.getByRole('button', { name: kept, exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(first.getByRole('button', { name: 'Excused', exact: true })).toHaveAttribute('aria-pressed', 'false');
  const second = rows(page).nth(1);
  const next = (await second.getByRole('button', { name: 'Unexcused', exact: true }).getAttribute('aria-pressed')) === 'true' ? 'x' : 'u';
  await first.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press(next);
  await expect(second.getByRole('button', { name: next === 'u' ? 'Unexcused' : 'Excused', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('save-status')).toContainText('Saved');
});
