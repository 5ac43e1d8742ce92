import { apiAs, countApiRequests, expect, expectAccessible, screenshots, signIn, test } from './fixtures';

type Rec = { id: string; enrollment_id: string; action: string };

async function pendingStepDown(request: Parameters<typeof apiAs>[0], skip = 0) {
  const api = await apiAs(request, 'clinician');
  await api.post('/api/v1/tapering/evaluate', {});
  const page = await api.get<{ items: Rec[] }>('/api/v1/tapering/recommendations?status=pending&limit=200');
  const steps = page.items.filter((r) => r.action === 'step_down');
  expect(steps.length, 'pending step-down recommendations in the demo clinic').toBeGreaterThan(skip);
  return steps[skip]!;
}

test('a clinician reads the evidence, approves a step-down, and sees the phase and the future sessions change', async ({ page, request }) => {
  const rec = await pendingStepDown(request);
  await signIn(page, 'clinician');
  const counter = countApiRequests(page);
  await page.goto(`/enrollments/${rec.enrollment_id}`);
  await expect(page.getByRole('table', { name: 'Evidence' })).toBeVisible();
  await expect(page.getByTestId('progress-chart')).toBeVisible();
  await page.waitForLoadState('networkidle');
  const loads = counter.requests().filter((r) => !r.includes('/auth/me') && !r.includes('/timeline'));
  console.log(`requests, Enrollment: ${loads.length} (+ the open tab's) (${counter.requests().join(', ')})`);
  expect(loads.length).toBeLessThanOrEqual(4);
  counter.stop();
  await expectAccessible(page, 'Enrollment');
  await screenshots(page, 'enrollment');

  const evidence = page.getByRole('table', { name: 'Evidence' });
  await expect(evidence.getByRole('row')).not.toHaveCount(1);
  await expect(evidence).toContainText('Attendance, last 14 days');
  await expect(evidence).toContainText('✓ Yes');
  const phaseBefore = await page.getByTestId('current-phase').innerText();
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const upcoming = page.getByTestId('upcoming-sessions');
  await expect(upcoming).toBeVisible();
  const sessionsBefore = await upcoming.innerText();

  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('table', { name: 'Evidence' })).toHaveCount(0);
  await expect(page.getByTestId('current-phase')).not.toHaveText(phaseBefore);
  await expect(upcoming).not.toHaveText(sessionsBefore);
});

test('dismissing a recommendation asks for the reason', async ({ page, request }) => {
  // Any pending recommendation will do (how many step-downs the demo clinic has pending
  // depends on the day): one that is alone on its enrollment, so that none is left after.
  const api = await apiAs(request, 'clinician');
  await api.post('/api/v1/tapering/evaluate', {});
  const pending = await api.get<{ items: Rec[] }>('/api/v1/tapering/recommendations?status=pending&limit=200');
  const alone = pending.items.filter((r) => pending.items.filter((o) => o.enrollment_id === r.enrollment_id).length === 1);
  expect(alone.length, 'pending recommendations in the demo clinic').toBeGreaterThan(0);
  const rec = alone[0]!;
  await signIn(page, 'clinician');
  await page.goto(`/enrollments/${rec.enrollment_id}`);
  await page.getByRole('button', { name: 'Dismiss…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Dismiss the recommendation' });
  await expect(dialog.getByRole('button', { name: 'Dismiss' })).toBeDisabled();
  await dialog.getByLabel('Reason').fill('Family event this week; review next Monday.');
  await dialog.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('table', { name: 'Evidence' })).toHaveCount(0);
});

test('a treatment plan saved meanwhile in another tab shows both versions, and the chosen merge is saved', async ({ page, context, request }) => {
  const api = await apiAs(request, 'clinician');
  const active = await api.get<{ items: { id: string }[] }>('/api/v1/enrollments?status=active&limit=10');
  const enrollmentId = active.items[active.items.length - 1]!.id;
  // The demo enrollments start without a plan: this test writes the one both tabs open.
  const planPath = `/api/v1/enrollments/${enrollmentId}/treatment-plan`;
  const before = await api.fetch(planPath);
  await api.put(
    planPath,
    {
      triggers: ['arguments at home'],
      coping_strategies: ['call my sponsor'],
      sobriety_plan: 'Meetings three times a week.',
      goals: [{ description: 'Ninety days sober', objectives: [], status: 'in_progress' }],
    },
    before.status === 404 ? null : before.etag,
  );

  await signIn(page, 'clinician');
  await page.goto(`/enrollments/${enrollmentId}?tab=plan`);
  const plan = page.getByLabel('Sobriety plan');
  await expect(plan).toHaveValue('Meetings three times a week.');

  const other = await context.newPage();
  await other.goto(`/enrollments/${enrollmentId}?tab=plan`);
  await expect(other.getByLabel('Sobriety plan')).toHaveValue('Meetings three times a week.');
  await other.getByLabel('Sobriety plan').fill('Theirs: meetings four times a week.');
  await other.getByLabel('Triggers').fill('payday\nold friends');
  await other.getByRole('button', { name: 'Save the plan' }).click();
  await expect(other.getByText('Treatment plan saved')).toBeVisible();
  await other.close();

  await plan.fill('Mine: a meeting every day.');
  await page.getByLabel('Coping strategies').fill('call my sponsor\nwalk the dog');
  await page.getByRole('button', { name: 'Save the plan' }).click();
  await expect(page.getByText('Someone else changed this plan')).toBeVisible();
  // Theirs beside yours, for each part that changed; the goals nobody changed are not asked about.
  await expect(page.getByTestId('mine-sobriety_plan')).toHaveText('Mine: a meeting every day.');
  await expect(page.getByTestId('theirs-sobriety_plan')).toHaveText('Theirs: meetings four times a week.');
  await expect(page.getByTestId('theirs-triggers')).toHaveText('payday\nold friends');
  await expect(page.getByTestId('mine-coping_strategies')).toHaveText('call my sponsor\nwalk the dog');
  await expect(page.getByTestId('mine-goals')).toHaveCount(0);
  await expectAccessible(page, 'Treatment plan conflict');
  await screenshots(page, 'treatment-plan-conflict');
  // Both changed the sobriety plan: this person takes theirs, and keeps their own coping strategies.
  await page.getByRole('radiogroup', { name: /Sobriety plan/ }).getByLabel('Take theirs').check();
  await page.getByRole('button', { name: 'Save the merged plan' }).click();
  await expect(page.getByText('Treatment plan saved')).toBeVisible();

  const saved = await api.get<{ triggers: string[]; coping_strategies: string[]; sobriety_plan: string; goals: { description: string }[] }>(planPath);
  expect(saved).toMatchObject({
    triggers: ['payday', 'old friends'],
    coping_strategies: ['call my sponsor', 'walk the dog'],
    sobriety_plan: 'Theirs: meetings four times a week.',
    goals: [{ description: 'Ninety days sober' }],
  });
  await page.reload();
  await expect(page.getByLabel('Sobriety plan')).toHaveValue('Theirs: meetings four times a week.');
  await expect(page.getByLabel('Coping strategies')).toHaveValue('call my sponsor\nwalk the dog');
  await expect(page.getByLabel('Triggers')).toHaveValue('payday\nold friends');
});
