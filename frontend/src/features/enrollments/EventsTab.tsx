import { Alert, Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, QueryView } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError, fieldErrors } from '../../lib/problem';
import { formatDate, humanizeEnum } from '../../lib/format';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';

const KINDS: Schemas['EventKind'][] = ['relapse', 'drug_screen', 'crisis', 'medical'];
const today = () => new Date().toISOString().slice(0, 10);

export function EventsTab({ enrollmentId }: { enrollmentId: string }) {
  const user = useUser();
  const events = useQuery({
    queryKey: ['events', enrollmentId],
    queryFn: () => ok(api.GET('/api/v1/enrollments/{enrollment_id}/events', { params: { path: { enrollment_id: enrollmentId }, query: { limit: 100 } } })),
  });
  return (
    <Stack>
      {can(user.role, 'event.record') ? <RecordEvent enrollmentId={enrollmentId} /> : null}
      <QueryView query={events}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title="No events recorded" detail="Relapses, drug screens, crises and medical events appear here." />
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Date</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Substances</Table.Th>
                  <Table.Th>Note</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{formatDate(e.occurred_on, 'UTC')}</Table.Td>
                    <Table.Td>
                      {humanizeEnum(e.kind)}
                      {e.result ? (
                        <Badge ml="xs" color={e.result === 'positive' ? 'red' : 'teal'} variant="light">
                          {e.result}
                        </Badge>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{e.substances.join(', ') || '–'}</Table.Td>
                    <Table.Td>{e.note || '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
    </Stack>
  );
}

function RecordEvent({ enrollmentId }: { enrollmentId: string }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Schemas['EventKind']>('drug_screen');
  const [occurredOn, setOccurredOn] = useState(today());
  const [result, setResult] = useState<Schemas['ScreenResult']>('negative');
  const [substances, setSubstances] = useState('');
  const [note, setNote] = useState('');
  const record = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/enrollments/{enrollment_id}/events', {
          params: { path: { enrollment_id: enrollmentId } },
          body: {
            kind,
            occurred_on: occurredOn,
            result: kind === 'drug_screen' ? result : null,
            substances: substances.split(',').map((s) => s.trim()).filter(Boolean),
            note,
          },
        }),
      ),
    onSuccess: async () => {
      setNote('');
      setSubstances('');
      await Promise.all(
        [['events', enrollmentId], ['progress', enrollmentId], ['timeline', enrollmentId]].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      );
    },
  });
  const fields = fieldErrors(record.error, ['kind', 'occurred_on', 'result', 'substances', 'note']);
  return (
    <Paper withBorder p="sm" component="form" onSubmit={(e: React.FormEvent) => { e.preventDefault(); record.mutate(); }}>
      <Title order={3} size="h5" mb="xs">
        Record an event
      </Title>
      {record.error && fields[''] === undefined && Object.keys(fields).length === 0 ? (
        <Alert color="red" title={describeError(record.error).title} mb="xs">
          {describeError(record.error).detail}
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select label="Event" data={KINDS.map((k) => ({ value: k, label: humanizeEnum(k) }))} value={kind} onChange={(v) => v && setKind(v as Schemas['EventKind'])} comboboxProps={{ withinPortal: true }} />
        <TextInput label="Date" type="date" value={occurredOn} onChange={(e) => setOccurredOn(e.currentTarget.value)} error={fields.occurred_on} />
        {kind === 'drug_screen' ? (
          <Select label="Result" data={[{ value: 'negative', label: 'Negative' }, { value: 'positive', label: 'Positive' }]} value={result} onChange={(v) => v && setResult(v as Schemas['ScreenResult'])} comboboxProps={{ withinPortal: true }} error={fields.result} />
        ) : (
          <div />
        )}
      </SimpleGrid>
      {kind === 'relapse' || (kind === 'drug_screen' && result === 'positive') ? (
        <TextInput mt="xs" label="Substances" description="Separated by commas" value={substances} onChange={(e) => setSubstances(e.currentTarget.value)} error={fields.substances} />
      ) : null}
      <Textarea mt="xs" label="Note" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} error={fields.note ?? fields['']} />
      <Group justify="flex-end" mt="xs">
        {record.isSuccess ? <Text size="sm" role="status">Recorded.</Text> : null}
        <Button type="submit" loading={record.isPending}>
          Record
        </Button>
      </Group>
    </Paper>
  );
}
