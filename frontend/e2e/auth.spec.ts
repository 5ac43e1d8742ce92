import { DEMO_PASSWORD, emailOf, expect, expectAccessible, screenshots, signIn, test } from './fixtures';

test('sign-in shows the problem on a wrong password, then signs in and out', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectAccessible(page, 'Sign-in');
  await screenshots(page, 'sign-in');
  await page.getByLabel('Email').fill(emailOf('clinician'));
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Today', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('a 401 returns to sign-in, and signing in goes back to the same screen', async ({ page, context }) => {
  await signIn(page, 'clinician');
  await page.goto('/clients?q=a');
  // The screen has loaded what it shows before the sign-in ends, so that the 401 comes
  // from opening the next screen.
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await context.clearCookies();
  await page.getByRole('link', { name: 'Schedule' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByText('Your sign-in has ended')).toBeVisible();
  await page.getByLabel('Email').fill(emailOf('clinician'));
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/schedule$/);
  await expect(page.getByRole('heading', { name: 'Schedule', level: 1 })).toBeVisible();
});

test('idle logoff: a warning two minutes before, "stay signed in", then the logoff', async ({ page }) => {
  await page.clock.install();
  await signIn(page, 'clinician');
  await page.goto('/clients');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.clock.fastForward('13:01');
  const dialog = page.getByRole('dialog', { name: 'Are you still there?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('1:5');
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(dialog).toBeHidden();
  await page.clock.fastForward('13:01');
  await expect(dialog).toBeVisible();
  await page.clock.fastForward('02:01');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByText('signed out after a period without activity')).toBeVisible();
  await page.getByLabel('Email').fill(emailOf('clinician'));
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
});

test('a viewer sees no client data anywhere', async ({ page }) => {
  await signIn(page, 'viewer');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link')).toHaveText(['Today']);
  await expect(page.getByRole('heading', { name: 'Census by program' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'My sessions today' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: /Recommendations|Homework/ })).toHaveCount(0);
  await expectAccessible(page, 'Today (viewer)');
  for (const path of ['/clients', '/schedule', '/enrollments/00000000-0000-0000-0000-000000000000']) {
    await page.goto(path);
    await expect(page.getByText('This screen is not part of your role')).toBeVisible();
  }
  const body = await page.locator('body').innerText();
  expect(body).not.toMatch(/MRN|\bMR\d/);
});
