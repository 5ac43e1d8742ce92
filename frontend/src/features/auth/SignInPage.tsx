import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Navigate } from 'react-router';
import { describeError, fieldErrors } from '../../lib/problem';
import { useAuth } from './AuthProvider';
import { forgetReturnPath, returnPathFor } from './returnPath';

const REASONS = {
  idle: 'You were signed out after a period without activity, to protect client privacy.',
  expired: 'Your sign-in has ended. Sign in again to continue where you were.',
  signed_out: 'You are signed out.',
} as const;

export function SignInPage() {
  const { user, signIn, signOutReason } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // The one place that leaves this page once signed in, whether by this form or by a
  // reload that finds a sign-in: a second navigation here would race the first.
  if (user) return <ReturnToWhereYouWere userId={user.id} />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const fields = fieldErrors(error, ['email', 'password']);
  const problem = error ? describeError(error) : null;

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                Homeward
              </Title>
              <Text c="dimmed">Sign in to run the clinical day.</Text>
            </div>
            {signOutReason && !problem ? (
              <Alert color="blue" role="status">
                {REASONS[signOutReason]}
              </Alert>
            ) : null}
            {problem ? (
              <Alert color="red" title={problem.title} role="alert">
                {problem.detail}
              </Alert>
            ) : null}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fields.email}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fields.password}
            />
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

/** Opens the screen remembered at the sign-out (or Today), and forgets it once used. */
function ReturnToWhereYouWere({ userId }: { userId: string }) {
  const [to] = useState(() => returnPathFor(userId));
  useEffect(() => forgetReturnPath(), []);
  return <Navigate to={to} replace />;
}
