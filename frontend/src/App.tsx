import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './lib/problem';
import { resolver, theme } from './theme';
import { AuthProvider } from './features/auth/AuthProvider';
import { RequireAuth, RequireRole } from './features/auth/guards';
import { SignInPage } from './features/auth/SignInPage';
import { AppLayout } from './components/AppLayout';
import { PageLoader } from './components/states';
import { whenIdle } from './lib/whenIdle';
import { loader } from './lib/loader';

const TodayPage = lazy(loader(() => import('./features/today/TodayPage')));
const SessionRoomPage = lazy(loader(() => import('./features/sessions/SessionRoomPage')));
const EnrollmentPage = lazy(loader(() => import('./features/enrollments/EnrollmentPage')));
const ClientsPage = lazy(loader(() => import('./features/patients/ClientsPage')));
const ClientPage = lazy(loader(() => import('./features/patients/ClientPage')));
const SchedulePage = lazy(loader(() => import('./features/schedule/SchedulePage')));
const NotFoundPage = lazy(loader(() => import('./components/NotFoundPage')));
// A toast raised before this loads waits in the notifications store and shows when it does.
const Toasts = lazy(loader(() => import('./components/Toasts')));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={resolver} defaultColorScheme="light">
      <DeferredToasts />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider queryClient={queryClient}>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route element={<RequireAuth />}>
                <Route element={<AppLayout />}>
                  <Route index element={<Lazy><TodayPage /></Lazy>} />
                  <Route element={<RequireRole screen="schedule" />}>
                    <Route path="schedule" element={<Lazy><SchedulePage /></Lazy>} />
                    <Route path="sessions/:sessionId" element={<Lazy><SessionRoomPage /></Lazy>} />
                  </Route>
                  <Route element={<RequireRole screen="clients" />}>
                    <Route path="clients" element={<Lazy><ClientsPage /></Lazy>} />
                    <Route path="clients/:patientId" element={<Lazy><ClientPage /></Lazy>} />
                  </Route>
                  <Route element={<RequireRole screen="enrollment" />}>
                    <Route
                      path="enrollments/:enrollmentId"
                      element={<Lazy><EnrollmentPage /></Lazy>}
                    />
                  </Route>
                  <Route path="today" element={<Navigate to="/" replace />} />
                  <Route path="*" element={<Lazy><NotFoundPage /></Lazy>} />
                </Route>
              </Route>
            </Routes>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}

function DeferredToasts() {
  const [ready, setReady] = useState(false);
  useEffect(() => whenIdle(() => setReady(true)), []);
  return ready ? (
    <Suspense fallback={null}>
      <Toasts />
    </Suspense>
  ) : null;
}

function Lazy({ children }: { children: React.ReactNode }) {
  return <Suspense fallback={<PageLoader />}>{children}</Suspense>;
}
