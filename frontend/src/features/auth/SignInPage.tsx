import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title, Text } from '@mantine/core';
import { useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { describeError, fieldErrors } from '../../lib/problem';
import { takeReturnPath, useAuth } from './AuthProvider';

const REASONS = {
  idle: 'You were signed out after a period without activity, to protect client privacy.',
  expired: 'Your sign-in has ended. Sign in again to continue where you were.',
  signed_out: 'You are signed out.',
} as const;

export function SignInPage() {
  const { user, signIn, signOutReason } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (user) return <Navigate to="/" replace />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      navigate(takeReturnPath(), { replace: true });
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
