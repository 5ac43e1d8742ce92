import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

/** The demo clinic's password, read from where the seed takes it, so it is written once. */
export const DEMO_PASSWORD = (() => {
  const source = readFileSync(
    join(import.meta.dirname, '..', '..', 'backend', 'homeward', 'seed', 'demo.py'),
    'utf8',
  );
  const found = source.match(/^DEMO_PASSWORD\s*=\s*"([^"]+)"/m);
  if (!found?.[1]) throw new Error('DEMO_PASSWORD not found in backend/homeward/seed/demo.py');
  return found[1];
})();

export type DemoRole = 'admin' | 'clinician' | 'therapist' | 'medical' | 'intake' | 'viewer';
export const emailOf = (role: DemoRole) => `${role}@homeward.example`;

/** Every page fails its test on a CSP violation, an uncaught error or a console error. */
export const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (/Content[- ]Security[- ]Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
        else if (message.type() === 'error' && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/.test(text)) {
          problems.push(`console error: ${text}`);
        }
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          console.error(`Content-Security-Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      await use(problems);
      expect(problems, 'no CSP violation or uncaught error').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export async function signIn(page: Page, role: DemoRole) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(emailOf(role));
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
}

/** An API client signed in as a demo user, for arranging data the way the app would. */
export async function apiAs(request: APIRequestContext, role: DemoRole) {
  const login = await request.post('/api/v1/auth/login', {
    data: { email: emailOf(role), password: DEMO_PASSWORD },
  });
  expect(login.ok()).toBeTruthy();
  const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
  return {
    get: async <T>(path: string): Promise<T> => {
      const response = await request.get(path);
      expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
      return (await response.json()) as T;
    },
    /** A status the caller checks itself (a 404 that says "none yet", say), and the ETag. */
    fetch: async (path: string) => {
      const response = await request.get(path);
      return { status: response.status(), etag: response.headers()['etag'] ?? null };
    },
    put: async <T>(path: string, data: unknown, ifMatch: string | null): Promise<{ body: T; etag: string | null }> => {
      const headers: Record<string, string> = { 'X-CSRF-Token': csrf };
      if (ifMatch) headers['If-Match'] = ifMatch;
      const response = await request.put(path, { data, headers });
      expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
      return { body: (await response.json()) as T, etag: response.headers()['etag'] ?? null };
    },
    post: async <T>(path: string, data: unknown): Promise<T> => {
      const response = await request.post(path, { data, headers: { 'X-CSRF-Token': csrf } });
      expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
      return (await response.json()) as T;
    },
  };
}

/** axe on the current screen: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 160)} ${n.failureSummary ?? ''}`).slice(0, 3).join(', ')}`,
  );
  console.log(`axe ${screen}: ${results.violations.length} violations, ${bad.length} serious or critical`);
  expect(summary, `axe on ${screen}`).toEqual([]);
}

/** Screenshots at desktop and tablet width into test-results/screens/. */
export async function screenshots(page: Page, name: string) {
  for (const width of [1280, 768]) {
    await page.setViewportSize({ width, height: 900 });
    // From the top: a full-page capture of a scrolled page draws the fixed header and
    // navigation wherever the window was, over the middle of the screen.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150);
    await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Counts the API requests a screen makes while it loads. */
export function countApiRequests(page: Page) {
  const seen: string[] = [];
  const listener = (request: { url: () => string; method: () => string }) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/')) seen.push(`${request.method()} ${url.pathname}${url.search}`);
  };
  page.on('request', listener);
  return {
    requests: () => [...seen],
    stop: () => page.off('request', listener),
  };
}
