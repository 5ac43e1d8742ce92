import { Button, Group, Modal, Text } from '@mantine/core';
import { useCallback } from 'react';
import { lastServerContact } from '../../lib/api';
import { useAuth } from './AuthProvider';
import { useIdleTimer } from './useIdleTimer';

export const WARN_SECONDS = 120;
// The server's idle clock only restarts on a request: while someone works without
// saving (typing a note), the app tells it now and then that they are still here.
const KEEP_ALIVE_MS = 5 * 60_000;

export function IdleWarning() {
  const { idleTimeoutSeconds, signOut, touch } = useAuth();
  const onTimeout = useCallback(() => void signOut('idle'), [signOut]);
  const onActive = useCallback(() => {
    if (Date.now() - lastServerContact() > KEEP_ALIVE_MS) void touch().catch(() => undefined);
  }, [touch]);
  const { secondsLeft, reset } = useIdleTimer(idleTimeoutSeconds, WARN_SECONDS, onTimeout, onActive);

  const stay = () => {
    reset();
    void touch().catch(() => undefined);
  };
  const minutes = Math.floor((secondsLeft ?? 0) / 60);
  const seconds = String((secondsLeft ?? 0) % 60).padStart(2, '0');
  return (
    <Modal
      opened={secondsLeft !== null}
      onClose={stay}
      title="Are you still there?"
      centered
      closeOnClickOutside={false}
    >
      <Text>
        For privacy, you will be signed out in{' '}
        <strong aria-live="polite">
          {minutes}:{seconds}
        </strong>{' '}
        unless you stay signed in. After signing in again you will return to this screen.
      </Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={() => void signOut('signed_out')}>
          Sign out now
        </Button>
        <Button onClick={stay} data-autofocus>
          Stay signed in
        </Button>
      </Group>
    </Modal>
  );
}
