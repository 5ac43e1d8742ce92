import { Alert, Button, Checkbox, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { ApiError, describeError } from '../../lib/problem';

/** A full program answers 409; the admission can then go ahead with an audited override. */
export function isCapacityProblem(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && /capacity|full/i.test(`${error.problem?.type ?? ''} ${error.problem?.title ?? ''} ${error.problem?.detail ?? ''}`);
}

export function AdmitButton({
  enrollment,
  etag,
  onAdmitted,
}: {
  enrollment: Schemas['EnrollmentRead'];
  etag: string | null;
  onAdmitted?: (e: Schemas['EnrollmentRead']) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>Admit…</Button>
      {open ? (
        <AdmitDialog
          enrollment={enrollment}
          etag={etag}
          onClose={() => setOpen(false)}
          onAdmitted={(e) => {
            setOpen(false);
            onAdmitted?.(e);
          }}
        />
      ) : null}
    </>
  );
}

export function AdmitDialog({
  enrollment,
  etag,
  onClose,
  onAdmitted,
}: {
  enrollment: Schemas['EnrollmentRead'];
  etag: string | null;
  onClose: () => void;
  onAdmitted: (e: Schemas['EnrollmentRead']) => void;
}) {
  const queryClient = useQueryClient();
  const [override, setOverride] = useState(false);
  const [note, setNote] = useState('');
  const admit = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/enrollments/{enrollment_id}/admit', {
          params: { path: { enrollment_id: enrollment.id }, header: { 'if-match': etag ?? undefined } },
          body: { override_capacity: override, note },
        }),
      ),
    onSuccess: async (admitted) => {
      await queryClient.invalidateQueries({ queryKey: ['enrollment', enrollment.id] });
      await queryClient.invalidateQueries({ queryKey: ['enrollments'] });
      onAdmitted(admitted);
    },
  });
  const full = isCapacityProblem(admit.error);
  const problem = admit.error ? describeError(admit.error) : null;
  return (
    <Modal opened onClose={onClose} title={`Admit to ${enrollment.program.name}`}>
      <Stack>
        {full ? (
          <Alert color="orange" title={problem?.title ?? 'The program is full'} role="alert">
            {problem?.detail} You can admit anyway: the override is recorded in the audit trail with your note.
          </Alert>
        ) : problem ? (
          <Alert color="red" title={problem.title} role="alert">
            {problem.detail}
          </Alert>
        ) : null}
        {full ? (
          <Checkbox
            label="Admit over capacity (recorded in the audit trail)"
            checked={override}
            onChange={(event) => setOverride(event.currentTarget.checked)}
          />
        ) : null}
        <Textarea
          label="Note"
          description={full ? 'Why the client is admitted over capacity.' : 'Optional.'}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          autosize
          minRows={2}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => admit.mutate()} loading={admit.isPending} disabled={full && (!override || !note.trim())}>
            {full ? 'Admit over capacity' : 'Admit'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
