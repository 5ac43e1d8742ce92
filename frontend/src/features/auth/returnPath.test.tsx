import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { api, ok, type Schemas } from '../../lib/api';
import { json, stubFetch } from '../../test/render';
import { theme } from '../../theme';
import { AuthProvider } from './AuthProvider';
import { RequireAuth } from './guards';
import { forgetReturnPath, rememberReturnPath, returnPathFor } from './returnPath';
import { SignInPage } from './SignInPage';

const ALICE = '11111111-1111-1111-1111-111111111111';
const BOB = '22222222-2222-2222-2222-222222222222';

function login(id: string): Schemas['LoginResult'] {
  return {
    user: {
      id,
      email: `${id.slice(0, 1)}@clinic.example`,
      full_name: id === ALICE ? 'Alice Ames' : 'Bob Burns',
      role: 'clinician',
      active: true,
      created_at: '2026-01-01T00:00:00Z',
    },
    csrf_token: 'csrf',
    expires_at: '2026-12-31T00:00:00Z',
    idle_timeout_seconds: 900,
  };
}

/** A screen that loads something, so that an expired sign-in answers it with a 401. */
function ClientsProbe() {
  const location = useLocation();
  useQuery({ queryKey: ['probe'], queryFn: () => ok(api.GET('/api/v1/auth/me')) });
  return <p>at {`${location.pathname}${location.search}`}</p>;
}

function Where() {
  const location = useLocation();
  return <p>at {`${location.pathname}${location.search}`}</p>;
}

function renderApp(start: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[start]}>
          <AuthProvider queryClient={client}>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route element={<RequireAuth />}>
                <Route index element={<Where />} />
                <Route path="clients" element={<ClientsProbe />} />
              </Route>
            </Routes>
          </AuthProvider>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

function signInAs() {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'a@clinic.example' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

afterEach(() => sessionStorage.clear());

describe('the screen to return to after signing in', () => {
  it('is the remembered one for the person who was signed out, or for anybody when nobody was', () => {
    rememberReturnPath('/clients?q=ames', ALICE);
    expect(returnPathFor(ALICE)).toBe('/clients?q=ames');
    expect(returnPathFor(BOB)).toBe('/');
    rememberReturnPath('/schedule');
    expect(returnPathFor(BOB)).toBe('/schedule');
    forgetReturnPath();
    expect(returnPathFor(ALICE)).toBe('/');
  });

  it('keeps its owner when the guard remembers the same path again, and never a sign-in or foreign address', () => {
    rememberReturnPath('/clients', ALICE);
    rememberReturnPath('/clients');
    expect(returnPathFor(BOB)).toBe('/');
    expect(returnPathFor(ALICE)).toBe('/clients');
    rememberReturnPath('/sign-in');
    rememberReturnPath('//elsewhere.example/');
    rememberReturnPath('https://elsewhere.example/');
    expect(returnPathFor(ALICE)).toBe('/clients');
    sessionStorage.setItem('homeward.returnTo', 'not json');
    expect(returnPathFor(ALICE)).toBe('/');
  });

  it('signing in from the sign-in screen opens the remembered screen rather than Today', async () => {
    rememberReturnPath('/clients?q=ames', ALICE);
    const network = stubFetch(() => json(login(ALICE)));
    try {
      renderApp('/sign-in');
      signInAs();
      expect(await screen.findByText('at /clients?q=ames')).toBeInTheDocument();
      expect(returnPathFor(ALICE)).toBe('/');
    } finally {
      network.restore();
    }
  });

  it('someone else signing in on the same tablet starts on Today', async () => {
    rememberReturnPath('/clients?q=ames', ALICE);
    const network = stubFetch(() => json(login(BOB)));
    try {
      renderApp('/sign-in');
      signInAs();
      expect(await screen.findByText('at /')).toBeInTheDocument();
    } finally {
      network.restore();
    }
  });

  it('a 401 while signed in goes to sign-in, and signing in comes back to the same screen', async () => {
    localStorage.setItem('homeward.signedIn', '1');
    let meCalls = 0;
    const network = stubFetch((request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/auth/login')) return json(login(ALICE));
      meCalls += 1;
      // The first /auth/me restores the sign-in; the screen's own request finds it expired.
      return meCalls === 2 ? json({ title: 'Sign in', status: 401 }, 401) : json(login(ALICE));
    });
    try {
      renderApp('/clients?q=ames');
      expect(await screen.findByText('Your sign-in has ended. Sign in again to continue where you were.')).toBeInTheDocument();
      signInAs();
      expect(await screen.findByText('at /clients?q=ames')).toBeInTheDocument();
    } finally {
      network.restore();
    }
  });
});

it('an address opened while signed out opens once signed in', async () => {
  const network = stubFetch(() => json(login(BOB)));
  try {
    renderApp('/clients?q=burns');
    signInAs();
    await waitFor(() => expect(screen.getByText('at /clients?q=burns')).toBeInTheDocument());
  } finally {
    network.restore();
    sessionStorage.clear();
  }
});
