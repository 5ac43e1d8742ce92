import { Button, Group, Modal, Text } from '@mantine/core';

/** The countdown before an idle logoff; loaded apart, as most sessions never show it. */
export default function IdleDialog({
  secondsLeft,
  onStay,
  onSignOut,
}: {
  secondsLeft: number | null;
  onStay: () => void;
  onSignOut: () => void;
}) {
  const minutes = Math.floor((secondsLeft ?? 0) / 60);
  const seconds = String((secondsLeft ?? 0) % 60).padStart(2, '0');
  return (
    <Modal
      opened={secondsLeft !== null}
      onClose={onStay}
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
        <Button variant="default" onClick={onSignOut}>
          Sign out now
        </Button>
        <Button onClick={onStay} data-autofocus>
          Stay signed in
        </Button>
      </Group>
    </Modal>
  );
}
