import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { EmptyState, QueryView } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { formatDate, formatTime } from '../../lib/format';
import { useNow } from '../../lib/useNow';

/** The enrollment's sessions from two weeks back to two weeks ahead, with the unrecorded ones marked. */
export function SessionsTab({ enrollment, timezone }: { enrollment: Schemas['EnrollmentRead']; timezone: string }) {
  const now = useNow(60_000);
  const day = 86_400_000;
  const from = new Date(Math.floor(now / day) * day - 14 * day).toISOString();
  const to = new Date(Math.floor(now / day) * day + 15 * day).toISOString();
  const sessions = useQuery({
    queryKey: ['enrollment-sessions', enrollment.id, from],
    queryFn: () => ok(api.GET('/api/v1/sessions', { params: { query: { enrollment_id: enrollment.id, from, to, limit: 200 } } })),
  });
  return (
    <QueryView query={sessions}>
      {(page) => {
        const upcoming = page.items.filter((s) => new Date(s.starts_at).getTime() > now);
        const past = page.items.filter((s) => new Date(s.starts_at).getTime() <= now).reverse();
        if (page.items.length === 0) return <EmptyState title="No sessions in these four weeks" />;
        return (
          <Stack>
            <Title order={3} size="h5">
              Next sessions
            </Title>
            {upcoming.length === 0 ? <Text c="dimmed">None scheduled.</Text> : <SessionTable sessions={upcoming.slice(0, 20)} timezone={timezone} testId="upcoming-sessions" />}
            <Title order={3} size="h5">
              Past two weeks
            </Title>
            {past.length === 0 ? <Text c="dimmed">None.</Text> : <SessionTable sessions={past} timezone={timezone} showState />}
          </Stack>
        );
      }}
    </QueryView>
  );
}

function SessionTable({ sessions, timezone, showState, testId }: { sessions: Schemas['SessionSummary'][]; timezone: string; showState?: boolean; testId?: string }) {
  return (
    <Table data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Session</Table.Th>
          {showState ? <Table.Th>Attendance</Table.Th> : null}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sessions.map((s) => (
          <Table.Tr key={s.id}>
            <Table.Td>
              {formatDate(s.starts_at, timezone)} · {formatTime(s.starts_at, timezone)}
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/sessions/${s.id}`}>
                {s.title}
              </Anchor>
              {s.status === 'cancelled' ? <Badge ml="xs" color="red" variant="light">Cancelled</Badge> : null}
            </Table.Td>
            {showState ? (
              <Table.Td>
                {s.attendance_recorded >= s.roster_size ? 'Recorded' : <Badge color="orange" variant="light">{s.roster_size - s.attendance_recorded} not recorded</Badge>}
              </Table.Td>
            ) : null}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
