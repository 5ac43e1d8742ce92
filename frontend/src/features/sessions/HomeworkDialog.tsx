import { Alert, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';

export default function HomeworkDialog({
  session,
  present,
  unsent,
  onSend,
  onClose,
}: {
  session: Schemas['SessionRead'];
  present: number;
  unsent: number;
  onSend: () => Promise<void>;
  onClose: () => void;
}) {
  const templates = useQuery({
    queryKey: ['homework-templates'],
    queryFn: () => ok(api.GET('/api/v1/homework-templates', { params: { query: { limit: 200 } } })),
    staleTime: 5 * 60_000,
  });
  const [templateId, setTemplateId] = useState<string | null>(null);
  const assign = useMutation({
    mutationFn: async () => {
      // Homework goes to those recorded as present, so the roll call is sent first.
      await onSend();
      return ok(
        api.POST('/api/v1/sessions/{session_id}/homework', {
          params: { path: { session_id: session.id } },
          body: { template_id: templateId },
        }),
      );
    },
  });
  const problem = assign.error ? describeError(assign.error) : null;
  const options = (templates.data?.items ?? []).map((t) => ({ value: t.id, label: t.title }));
  return (
    <Modal opened onClose={onClose} title="Assign tonight's homework">
      {assign.data ? (
        <Stack>
          <Alert color="teal" title="Homework assigned" role="status">
            {assign.data.length === 1
              ? '1 client present received it.'
              : `${assign.data.length} clients present received it.`}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Text>
            Everyone recorded as present, late or left early ({present}) gets this homework, due
            tomorrow.
          </Text>
          {unsent > 0 ? (
            <Alert color="yellow">
              {unsent} attendance {unsent === 1 ? 'change is' : 'changes are'} still waiting to
              send; they are sent first.
            </Alert>
          ) : null}
          {problem ? (
            <Alert color="red" title={problem.title}>
              {problem.detail}
            </Alert>
          ) : null}
          {templates.error ? (
            <Alert color="red" title="The homework templates could not be loaded">
              <Button size="xs" onClick={() => void templates.refetch()}>
                Retry
              </Button>
            </Alert>
          ) : null}
          <Select
            label="Homework template"
            placeholder={templates.isPending ? 'Loading…' : 'Choose a template'}
            data={options}
            value={templateId}
            onChange={setTemplateId}
            comboboxProps={{ withinPortal: true }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              onClick={() => assign.mutate()}
              loading={assign.isPending}
              disabled={!templateId || present === 0}
            >
              Assign to {present} present
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
