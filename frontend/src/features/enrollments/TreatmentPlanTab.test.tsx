import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, expect, it } from 'vitest';
import type { Schemas } from '../../lib/api';
import { json, stubFetch } from '../../test/render';
import { theme } from '../../theme';
import { AuthProvider } from '../auth/AuthProvider';
import { TreatmentPlanTab } from './TreatmentPlanTab';

const ENROLLMENT = '33333333-3333-3333-3333-333333333333';
const me: Schemas['LoginResult'] = {
  user: { id: '11111111-1111-1111-1111-111111111111', email: 'c@clinic.example', full_name: 'Casey Clinician', role: 'clinician', active: true, created_at: '2026-01-01T00:00:00Z' },
  csrf_token: 'csrf',
  expires_at: '2026-12-31T00:00:00Z',
  idle_timeout_seconds: 900,
};

function plan(version: number, fields: Partial<Schemas['TreatmentPlanRead']>): Response {
  const body: Schemas['TreatmentPlanRead'] = {
    enrollment_id: ENROLLMENT,
    triggers: ['arguments at home'],
    coping_strategies: ['call my sponsor'],
    goals: [],
    sobriety_plan: 'Meetings three times a week.',
    version,
    updated_by_id: null,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    ...fields,
  };
  const response = json(body);
  response.headers.set('ETag', `"${version}"`);
  return response;
}

afterEach(() => sessionStorage.clear());

it('a 412 keeps the draft and shows theirs beside it; the merge chosen is saved against their version', async () => {
  localStorage.setItem('homeward.signedIn', '1');
  const theirs = { sobriety_plan: 'Theirs: four times a week.', triggers: ['payday'] };
  let saved = 1;
  const network = stubFetch(async (request) => {
    const path = new URL(request.url).pathname;
    if (path.endsWith('/auth/me')) return json(me);
    if (request.method === 'GET') return plan(saved, saved === 1 ? {} : theirs);
    if (request.headers.get('If-Match') === '"1"') {
      saved = 2; // someone else saved first
      return json({ title: 'Someone else changed this', status: 412 }, 412);
    }
    saved = 3;
    return plan(3, (await request.clone().json()) as Partial<Schemas['TreatmentPlanRead']>);
  });
  try {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <MantineProvider theme={theme} env="test">
        <QueryClientProvider client={client}>
          <MemoryRouter>
            <AuthProvider queryClient={client}>
              <TreatmentPlanTab enrollmentId={ENROLLMENT} />
            </AuthProvider>
          </MemoryRouter>
        </QueryClientProvider>
      </MantineProvider>,
    );
    const sobriety = await screen.findByLabelText('Sobriety plan');
    await waitFor(() => expect(sobriety).toHaveValue('Meetings three times a week.'));
    fireEvent.change(sobriety, { target: { value: 'Mine: every day.' } });
    fireEvent.change(screen.getByLabelText(/Coping strategies/), { target: { value: 'call my sponsor\nwalk the dog' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the plan' }));

    expect(await screen.findByText('Someone else changed this plan while you were editing')).toBeInTheDocument();
    // The view stays open once their version has been read (it must not be replaced by it).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByTestId('mine-sobriety_plan')).toHaveTextContent('Mine: every day.');
    expect(screen.getByTestId('theirs-sobriety_plan')).toHaveTextContent('Theirs: four times a week.');
    expect(screen.getByTestId('theirs-triggers')).toHaveTextContent('payday');
    expect(screen.queryByTestId('mine-goals')).toBeNull();

    const sobrietyChoice = screen.getByRole('radiogroup', { name: /Sobriety plan/ });
    fireEvent.click(sobrietyChoice.querySelector('input[value="theirs"]') as HTMLInputElement);
    fireEvent.click(screen.getByRole('button', { name: 'Save the merged plan' }));
    await waitFor(() => expect(saved).toBe(3));
    const put = network.calls.filter((c) => c.method === 'PUT').at(-1);
    expect(put?.body).toEqual({
      triggers: ['payday'],
      coping_strategies: ['call my sponsor', 'walk the dog'],
      sobriety_plan: 'Theirs: four times a week.',
      goals: [],
    });
    await waitFor(() => expect(screen.getByLabelText('Sobriety plan')).toHaveValue('Theirs: four times a week.'));
  } finally {
    network.restore();
  }
});
