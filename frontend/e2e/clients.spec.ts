import { apiAs, expect, expectAccessible, screenshots, signIn, test } from './fixtures';

type Program = { id: string; name: string; capacity: number };

test('intake creates a client, enrolls and admits; at capacity sees the message and overrides', async ({ page, request }) => {
  // The smallest demo program, filled to its capacity through the API as the clinic would.
  const admin = await apiAs(request, 'admin');
  const programs = await admin.get<{ items: Program[] }>('/api/v1/programs?limit=50');
  const census = await admin.get<{ programs: { program_id: string; capacity_used: number; capacity: number }[] }>('/api/v1/reports/census');
  const program = programs.items[0]!;
  const used = census.programs.find((p) => p.program_id === program.id)!;
  const intake = await apiAs(request, 'intake');
  for (let i = used.capacity_used; i < used.capacity; i += 1) {
    const patient = await intake.post<{ id: string }>('/api/v1/patients', {
      given_name: 'Filler', family_name: `Client${i}`, date_of_birth: '1990-01-01', sex: 'unknown', contacts: [],
    });
    const enrollment = await intake.post<{ id: string }>('/api/v1/enrollments', { patient_id: patient.id, program_id: program.id, note: '' });
    await intake.post(`/api/v1/enrollments/${enrollment.id}/admit`, { override_capacity: false, note: '' });
  }

  await signIn(page, 'intake');
  await page.getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await expectAccessible(page, 'Clients');
  await screenshots(page, 'clients');
  await page.getByRole('button', { name: 'New client' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByLabel('First name').fill('Jordan');
  await dialog.getByLabel('Last name').fill('Rivera');
  await dialog.getByRole('button', { name: 'Create the client' }).click();
  await expect(dialog.getByLabel('Date of birth')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Date of birth').fill('1988-04-12');
  await dialog.getByRole('button', { name: 'Add a contact' }).click();
  await dialog.getByLabel('Contact 1 name').fill('Sam Rivera');
  await dialog.getByLabel('Relationship').fill('Sister');
  await expectAccessible(page, 'New client');
  await dialog.getByRole('button', { name: 'Create the client' }).click();
  await expect(page.getByRole('heading', { name: 'Jordan Rivera', level: 1 })).toBeVisible();
  await screenshots(page, 'client');

  await page.getByRole('button', { name: 'Enroll in a program' }).click();
  await page.getByRole('combobox', { name: 'Program' }).click();
  await page.getByRole('option', { name: new RegExp(program.name) }).click();
  await page.getByRole('button', { name: 'Enroll, then admit' }).click();
  const admit = page.getByRole('dialog', { name: `Admit to ${program.name}` });
  await admit.getByRole('button', { name: 'Admit', exact: true }).click();
  await expect(admit.getByRole('alert')).toContainText('capacity');
  await admit.getByLabel('Admit over capacity (recorded in the audit trail)').check();
  await admit.getByLabel('Note').fill('Step-down from inpatient; director approved.');
  await admit.getByRole('button', { name: 'Admit over capacity' }).click();
  await expect(page).toHaveURL(/\/enrollments\//);
  await expect(page.getByText('Active', { exact: true }).first()).toBeVisible();
  // Intake sees no clinical notes on the enrollment.
  await expect(page.getByRole('tab', { name: 'Treatment plan' })).toHaveCount(0);
  await expect(page.getByText('visible to the clinical team')).toBeVisible();

  await page.goto('/clients?q=Rivera');
  await expect(page.getByRole('link', { name: 'Rivera, Jordan' })).toBeVisible();
});

test('Today and the Schedule show the clinician their day and week, with a previewed generation', async ({ page }) => {
  await signIn(page, 'clinician');
  await expect(page.getByRole('heading', { name: 'My sessions today' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Census by program' })).toBeVisible();
  await expect(page.locator('.recharts-wrapper').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectAccessible(page, 'Today');
  await screenshots(page, 'today');
  await page.getByRole('link', { name: 'Schedule' }).click();
  await expect(page.getByRole('heading', { name: 'Schedule', level: 1 })).toBeVisible();
  await expect(page.getByText(/clients/).first()).toBeVisible();
  await expectAccessible(page, 'Schedule');
  await screenshots(page, 'schedule');
  await page.getByRole('button', { name: 'Generate a schedule…' }).click();
  await expect(page.getByTestId('generate-preview')).toContainText('slot occurrences');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByText('Schedule generated')).toBeVisible();
  // The dialog's own close button is named Close too; this is the one under the result.
  await page.getByRole('button', { name: 'Close' }).last().click();
  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog', { name: 'New session' });
  await dialog.getByLabel('Title').fill('Individual check-in');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
});
