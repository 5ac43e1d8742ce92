import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, Textarea, Title, Alert } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState, ErrorState, ListSkeleton, QueryView } from '../../components/states';
import { api, ok, okTagged, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';
import { formatDate, humanizeEnum } from '../../lib/format';
import { programsQuery } from '../programs/programs';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { AdmitDialog } from '../enrollments/AdmitDialog';

export default function ClientPage() {
  const { patientId = '' } = useParams();
  const user = useUser();
  const patient = useQuery({
    queryKey: ['patient', patientId],
    queryFn: () => ok(api.GET('/api/v1/patients/{patient_id}', { params: { path: { patient_id: patientId } } })),
  });
  const enrollments = useQuery({
    queryKey: ['enrollments', 'patient', patientId],
    queryFn: () => ok(api.GET('/api/v1/enrollments', { params: { query: { patient_id: patientId, limit: 50 } } })),
  });
  const [enrolling, setEnrolling] = useState(false);
  if (patient.isPending) return <ListSkeleton rows={4} label="Loading the client" />;
  if (patient.error || !patient.data) return <ErrorState error={patient.error} onRetry={() => void patient.refetch()} />;
  const p = patient.data;
  return (
    <Stack>
      <Anchor component={Link} to="/clients" size="sm">
        ← Clients
      </Anchor>
      <Paper withBorder p="md">
        <Title order={1}>
          {p.given_name} {p.family_name}
        </Title>
        <Text c="dimmed">
          MRN {p.mrn} · born {formatDate(p.date_of_birth, 'UTC')} · {humanizeEnum(p.sex)}
        </Text>
        <Text size="sm" mt="xs">
          {p.phone ?? 'No phone'} · {p.email ?? 'No email'}
        </Text>
        {p.contacts.length > 0 ? (
          <Text size="sm" mt="xs">
            Contacts: {p.contacts.map((c) => `${c.name} (${c.relationship_to_patient})`).join(', ')}
          </Text>
        ) : null}
      </Paper>
      <Group justify="space-between">
        <Title order={2} size="h3">
          Enrollments
        </Title>
        {can(user.role, 'enrollment.admit') ? <Button onClick={() => setEnrolling(true)}>Enroll in a program</Button> : null}
      </Group>
      <QueryView query={enrollments}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title="Not enrolled in any program" detail="Enroll the client to admit them." />
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Program</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Phase</Table.Th>
                  <Table.Th>Admitted</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/enrollments/${e.id}`}>
                        {e.program.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{humanizeEnum(e.status)}</Badge>
                    </Table.Td>
                    <Table.Td>{e.current_phase?.name ?? '–'}</Table.Td>
                    <Table.Td>{e.admitted_on ? formatDate(e.admitted_on, 'UTC') : '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
      {enrolling ? <EnrollDialog patientId={p.id} onClose={() => setEnrolling(false)} /> : null}
    </Stack>
  );
}

function EnrollDialog({ patientId, onClose }: { patientId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const programs = useQuery(programsQuery);
  const [programId, setProgramId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<{ enrollment: Schemas['EnrollmentRead']; etag: string | null } | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      const { data, etag } = await okTagged(
        api.POST('/api/v1/enrollments', { body: { patient_id: patientId, program_id: programId ?? '', note } }),
      );
      return { enrollment: data, etag };
    },
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['enrollments'] });
      setCreated(result);
    },
  });
  if (created) {
    return (
      <AdmitDialog
        enrollment={created.enrollment}
        etag={created.etag}
        onClose={onClose}
        onAdmitted={(e) => navigate(`/enrollments/${e.id}`)}
      />
    );
  }
  const problem = create.error ? describeError(create.error) : null;
  return (
    <Modal opened onClose={onClose} title="Enroll in a program">
      <Stack>
        {problem ? <Alert color="red" title={problem.title}>{problem.detail}</Alert> : null}
        <Select
          label="Program"
          placeholder={programs.isPending ? 'Loading…' : 'Choose a program'}
          data={(programs.data?.items ?? []).filter((p) => !p.archived).map((p) => ({ value: p.id, label: `${p.name} (capacity ${p.capacity})` }))}
          value={programId}
          onChange={setProgramId}
          comboboxProps={{ withinPortal: true }}
        />
        <Textarea label="Note" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!programId}>
            Enroll, then admit
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
