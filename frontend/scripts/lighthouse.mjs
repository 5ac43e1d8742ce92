// Lighthouse on sign-in, Today, the Session room and the Enrollment page, against the real
// server (FastAPI serving the build with its CSP and compression) on the system Chromium.
// Accessibility 100 and Best Practices >= 95 in every run; Performance >= 95 on the desktop
// preset, and >= 80 for the Session room on the default mobile preset (a tablet on poor
// Wi-Fi), on the median of three runs (LIGHTHOUSE_RUNS), enforced unless
// LIGHTHOUSE_ENFORCE_PERFORMANCE=0.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lighthouse, { desktopConfig } from 'lighthouse';
import puppeteer from 'puppeteer-core';

const root = join(import.meta.dirname, '..');
const port = Number(process.env.LIGHTHOUSE_PORT ?? 8160);
const base = `http://127.0.0.1:${port}`;
const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const password = readFileSync(join(root, '..', 'backend', 'homeward', 'seed', 'demo.py'), 'utf8').match(
  /^DEMO_PASSWORD\s*=\s*"([^"]+)"/m,
)[1];

const server = spawn('bash', [join(root, 'scripts', 'e2e-server.sh')], {
  env: { ...process.env, E2E_PORT: String(port) },
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});
const stopServer = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
};
process.on('exit', stopServer);

async function waitForServer() {
  for (let i = 0; i < 240; i += 1) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the server did not start');
}

async function apiLogin(email) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf, user } = await response.json();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status}`);
    return r.json();
  };
  return { user, call };
}

/** The screens' addresses in the demo clinic: a started group, and an enrollment with a pending recommendation. */
async function targets() {
  const { user, call } = await apiLogin('clinician@homeward.example');
  const now = new Date();
  const from = new Date(now.getTime() - 4 * 86_400_000);
  const sessions = await call(
    'GET',
    `/api/v1/sessions?facilitator_id=${user.id}&from=${from.toISOString()}&to=${now.toISOString()}&limit=100`,
  );
  const session = sessions.items.filter((s) => s.roster_size > 0).at(-1);
  await call('POST', '/api/v1/tapering/evaluate', {});
  const recs = await call('GET', '/api/v1/tapering/recommendations?status=pending&limit=50');
  const rec = recs.items.find((r) => r.action === 'step_down') ?? recs.items[0];
  return { session: session.id, enrollment: rec.enrollment_id };
}

const browser = await (async () => {
  await waitForServer();
  return puppeteer.launch({
    executablePath: chrome,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
})();

const results = [];
let failed = false;
// Each screen is measured RUNS times and judged on the median, as Lighthouse's own advice
// for variable machines is; every run is printed. Performance is enforced unless
// LIGHTHOUSE_ENFORCE_PERFORMANCE=0 (for a machine known to be overloaded).
const RUNS = Math.max(1, Number.parseInt(process.env.LIGHTHOUSE_RUNS ?? '3', 10) || 1);
const enforcePerformance = process.env.LIGHTHOUSE_ENFORCE_PERFORMANCE !== '0';
// The full reports, for reading what a score is made of (long tasks, bootup time…).
const reportDir = join(root, 'test-results', 'lighthouse');
mkdirSync(reportDir, { recursive: true });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
try {
  const { session, enrollment } = await targets();
  const page = await browser.newPage();
  const audit = async (name, path, preset) => {
    const config = preset === 'desktop' ? desktopConfig : undefined;
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) {
      const run = await lighthouse(
        `${base}${path}`,
        { output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] },
        config,
        page,
      );
      const slug = `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${preset}-${i + 1}`;
      writeFileSync(join(reportDir, `${slug}.json`), JSON.stringify(run.lhr));
      const c = run.lhr.categories;
      const score = (key) => Math.round((c[key]?.score ?? 0) * 100);
      const tbt = run.lhr.audits['total-blocking-time']?.numericValue ?? 0;
      runs.push({
        lhr: run.lhr,
        performance: score('performance'),
        accessibility: score('accessibility'),
        bestPractices: score('best-practices'),
        tbt: Math.round(tbt),
      });
    }
    const row = {
      name,
      preset,
      runs,
      performance: median(runs.map((r) => r.performance)),
      // Accessibility and Best Practices do not depend on the machine: every run must pass.
      accessibility: Math.min(...runs.map((r) => r.accessibility)),
      bestPractices: Math.min(...runs.map((r) => r.bestPractices)),
    };
    const minPerformance = preset === 'desktop' ? 95 : 80;
    row.minPerformance = minPerformance;
    row.performanceOk = row.performance >= minPerformance;
    row.ok = row.accessibility === 100 && row.bestPractices >= 95 && (row.performanceOk || !enforcePerformance);
    if (!row.ok) failed = true;
    if (!row.ok || !row.performanceOk) {
      const worst = runs.reduce((a, b) => (b.performance < a.performance ? b : a));
      for (const [key, a] of Object.entries(worst.lhr.audits)) {
        if (a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative') {
          console.log(`    ${name} (${preset}): ${key} ${a.score} ${a.displayValue ?? ''}`);
        }
      }
    }
    for (const r of runs) delete r.lhr;
    results.push(row);
  };
  await audit('Sign-in', '/sign-in', 'desktop');
  await page.goto(`${base}/sign-in`);
  await page.locator('input[type=email]').fill('clinician@homeward.example');
  await page.locator('input[type=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=signed-in-user]');
  await audit('Today', '/', 'desktop');
  await audit('Session room', `/sessions/${session}`, 'desktop');
  await audit('Session room', `/sessions/${session}`, 'mobile');
  await audit('Enrollment', `/enrollments/${enrollment}`, 'desktop');
} finally {
  await browser.close();
  stopServer();
}

console.log(`Lighthouse, median of ${RUNS}  preset   perf (min) a11y  best-practices   runs: perf / TBT ms`);
for (const r of results) {
  const verdict = r.ok ? (r.performanceOk ? 'ok' : 'ok (performance under its threshold, not enforced)') : 'FAIL';
  const each = r.runs.map((x) => `${x.performance}/${x.tbt}`).join(' ');
  console.log(
    `  ${r.name.padEnd(27)}${r.preset.padEnd(9)}${String(r.performance).padStart(4)} (${r.minPerformance})  ${String(r.accessibility).padStart(4)}  ${String(r.bestPractices).padStart(4)}  ${verdict.padEnd(4)}  ${each}`,
  );
}
if (!enforcePerformance) console.log('  (Performance not enforced: LIGHTHOUSE_ENFORCE_PERFORMANCE=0)');
if (failed) {
  console.error('FAIL: a Lighthouse score is under its threshold');
  process.exit(1);
}
