import { Anchor, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, ListSkeleton } from '../../components/states';
import { api, ok } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { NewClientDialog } from './NewClientDialog';

const PAGE = 25;

export default function ClientsPage() {
  const user = useUser();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const patients = useInfiniteQuery({
    queryKey: ['patients', q],
    queryFn: ({ pageParam }) =>
      ok(api.GET('/api/v1/patients', { params: { query: { q: q || undefined, limit: PAGE, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const rows = patients.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Clients</Title>
        {can(user.role, 'patient.create') ? <Button onClick={() => setCreating(true)}>New client</Button> : null}
      </Group>
      <TextInput
        label="Search"
        description="Name, MRN or date of birth (YYYY-MM-DD)"
        value={search}
        onChange={(e) => {
          const value = e.currentTarget.value;
          setSearch(value);
          setParams(value ? { q: value } : {}, { replace: true });
        }}
        maw={420}
      />
      {patients.isPending ? (
        <ListSkeleton rows={6} label="Loading clients" />
      ) : patients.error ? (
        <ErrorState error={patients.error} onRetry={() => void patients.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title={q ? `No client matches “${q}”` : 'No clients yet'}
          detail={q ? 'Try the MRN or the date of birth.' : undefined}
          action={can(user.role, 'patient.create') ? <Button variant="light" onClick={() => setCreating(true)}>New client</Button> : undefined}
        />
      ) : (
        <Paper withBorder>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>MRN</Table.Th>
                <Table.Th>Date of birth</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/clients/${p.id}`}>
                      {p.family_name}, {p.given_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{p.mrn}</Table.Td>
                  <Table.Td>{formatDate(p.date_of_birth, 'UTC')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" p="xs">
            <Text size="sm">{rows.length} shown</Text>
            {patients.hasNextPage ? (
              <Button variant="default" onClick={() => void patients.fetchNextPage()} loading={patients.isFetchingNextPage}>
                Load more
              </Button>
            ) : null}
          </Group>
        </Paper>
      )}
      {creating ? <NewClientDialog onClose={() => setCreating(false)} onCreated={(p) => navigate(`/clients/${p.id}`)} /> : null}
    </Stack>
  );
}
