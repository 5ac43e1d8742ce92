import { Alert, Button, Group, Modal, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';

export default function GroupNoteDialog({
  session,
  onClose,
}: {
  session: Schemas['SessionRead'];
  onClose: () => void;
}) {
  const [note, setNote] = useState(session.group_note ?? '');
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/api/v1/sessions/{session_id}/group-note', {
          params: { path: { session_id: session.id } },
          body: { note },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(['session', session.id], updated);
      onClose();
    },
  });
  const dirty = note !== (session.group_note ?? '');
  const close = () => {
    if (dirty && !window.confirm('Discard the unsaved group note?')) return;
    onClose();
  };
  const problem = save.error ? describeError(save.error) : null;
  return (
    <Modal opened onClose={close} title="Group note" size="lg">
      {problem ? (
        <Alert color="red" title={problem.title} mb="sm">
          {problem.detail}
        </Alert>
      ) : null}
      <Textarea
        label="What the group worked on"
        description="Seen by the clinical team only. Do not name clients here."
        autosize
        minRows={6}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
      />
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={close}>
          Cancel
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!note.trim()}>
          Save note
        </Button>
      </Group>
    </Modal>
  );
}
