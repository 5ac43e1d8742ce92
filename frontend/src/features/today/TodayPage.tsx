import { Anchor, Badge, Card, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { EmptyState, ListSkeleton, QueryView } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { age, dateIn, formatTimeRange, humanizeEnum } from '../../lib/format';
import { programsQuery, useProgramZones } from '../programs/programs';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { attendanceState, ATTENDANCE_STATE_LABEL } from './sessionState';
import { loader } from '../../lib/loader';

const CensusChart = lazy(loader(() => import('./CensusChart')));

/**
 * Wide enough to hold today in any program's time zone; each session is then kept when it
 * falls on today in its own program's zone (a device in another zone has another today).
 */
function aroundToday(now = new Date()) {
  const hour = 3_600_000;
  const from = new Date(Math.floor(now.getTime() / hour) * hour - 36 * hour);
  return { from: from.toISOString(), to: new Date(from.getTime() + 72 * hour).toISOString() };
}

function mySessionsQuery(userId: string) {
  const range = aroundToday();
  return {
    queryKey: ['sessions', 'today', userId, range.from],
    queryFn: () =>
      ok(
        api.GET('/api/v1/sessions', {
          params: { query: { from: range.from, to: range.to, facilitator_id: userId, limit: 100 } },
        }),
      ),
    refetchInterval: 60_000,
  };
}

const myRecommendationsQuery = {
  queryKey: ['recommendations', 'pending', 'mine'],
  queryFn: () =>
    ok(
      api.GET('/api/v1/tapering/recommendations', {
        params: { query: { status: 'pending', caseload: 'mine', limit: 50 } },
      }),
    ),
};

const myHomeworkQuery = {
  queryKey: ['homework', 'submitted', 'mine'],
  queryFn: () =>
    ok(
      api.GET('/api/v1/homework', {
        params: { query: { status: 'submitted', caseload: 'mine', limit: 50 } },
      }),
    ),
};

// The names of my clients, for both lists: one request rather than one per row.
const myEnrollmentsQuery = {
  queryKey: ['enrollments', 'mine', 'active'],
  queryFn: () =>
    ok(api.GET('/api/v1/enrollments', { params: { query: { caseload: 'mine', limit: 200 } } })),
};

const censusQuery = {
  queryKey: ['census'],
  queryFn: () => ok(api.GET('/api/v1/reports/census')),
  refetchInterval: 5 * 60_000,
};

export default function TodayPage() {
  const user = useUser();
  const clinical = can(user.role, 'read.clinical');
  const sessions = can(user.role, 'read.sessions');
  // Every block's data is asked for at once, and the blocks above the census are drawn
  // together once it has come: drawn one by one, each list would push the blocks below
  // it down the screen as it arrived.
  const loading = [
    useQuery({ ...mySessionsQuery(user.id), enabled: sessions }),
    useQuery({ ...programsQuery, enabled: sessions }),
    useQuery({ ...myRecommendationsQuery, enabled: clinical }),
    useQuery({ ...myHomeworkQuery, enabled: clinical }),
    useQuery({ ...myEnrollmentsQuery, enabled: clinical }),
  ].some((query) => query.isLoading);
  // Last on the screen, nothing below it to push: asked for now, drawn when it comes.
  useQuery({ ...censusQuery, enabled: can(user.role, 'read.census') });
  if (loading) {
    return (
      <Stack gap="lg">
        <Title order={1}>Today</Title>
        <ListSkeleton rows={6} label="Loading today" />
      </Stack>
    );
  }
  return (
    <Stack gap="lg">
      <Title order={1}>Today</Title>
      {sessions ? <MySessions userId={user.id} /> : null}
      {clinical ? <Caseload /> : null}
      {can(user.role, 'read.census') ? <Census /> : null}
      {!clinical && !can(user.role, 'read.sessions') && !can(user.role, 'read.census') ? (
        <EmptyState title="Nothing to show for your role today" />
      ) : null}
    </Stack>
  );
}

function MySessions({ userId }: { userId: string }) {
  const { zoneOf, ready } = useProgramZones();
  const now = new Date();
  const isToday = (session: Schemas['SessionSummary']) => {
    const zone = zoneOf(session.program_id);
    return dateIn(zone, new Date(session.starts_at)) === dateIn(zone, now);
  };
  const sessions = useQuery(mySessionsQuery(userId));
  return (
    <section aria-labelledby="my-sessions">
      <Title order={2} size="h3" id="my-sessions" mb="xs">
        My sessions today
      </Title>
      {!ready ? <ListSkeleton rows={2} label="Loading your sessions" /> : null}
      {ready ? <QueryView query={sessions}>
        {(page) =>
          page.items.filter(isToday).length === 0 ? (
            <EmptyState
              title="No sessions today"
              detail="Sessions you facilitate appear here."
              action={<Anchor component={Link} to="/schedule">Open the schedule</Anchor>}
            />
          ) : (
            <Stack gap="xs">
              {page.items.filter(isToday).map((session) => (
                <SessionCard key={session.id} session={session} timezone={zoneOf(session.program_id)} />
              ))}
            </Stack>
          )
        }
      </QueryView> : null}
    </section>
  );
}

function SessionCard({ session, timezone }: { session: Schemas['SessionSummary']; timezone: string | undefined }) {
  const state = attendanceState(session, new Date());
  // In the program's time zone, labelled when it is not the device's.
  const time = formatTimeRange(session.starts_at, session.ends_at, timezone);
  const now = state === 'in_progress';
  return (
    <Card
      withBorder
      padding="sm"
      component={Link}
      to={`/sessions/${session.id}`}
      style={now ? { borderColor: 'var(--mantine-color-teal-9)', borderWidth: 2 } : undefined}
    >
      <Group justify="space-between" wrap="wrap">
        <Group gap="md" wrap="nowrap">
          <Text fw={700} miw={110}>
            {time}
          </Text>
          <div>
            <Text fw={600}>{session.title}</Text>
            <Text size="sm" c="dimmed">
              {session.room ?? 'No room'} · {session.roster_size} on the roster
            </Text>
          </div>
        </Group>
        <Group gap="xs">
          {now ? <Badge color="teal" variant="filled">Now</Badge> : null}
          {session.status === 'cancelled' ? (
            <Badge color="red" variant="light">Cancelled</Badge>
          ) : (
            <Badge color={state === 'to_record' ? 'orange' : state === 'done' ? 'teal' : 'gray'} variant="light">
              {ATTENDANCE_STATE_LABEL[state]}
              {state === 'partly' ? ` · ${session.attendance_recorded} of ${session.roster_size}` : ''}
            </Badge>
          )}
        </Group>
      </Group>
    </Card>
  );
}

function Caseload() {
  const recommendations = useQuery(myRecommendationsQuery);
  const homework = useQuery(myHomeworkQuery);
  const enrollments = useQuery(myEnrollmentsQuery);
  const names = new Map(
    (enrollments.data?.items ?? []).map((e) => [e.id, `${e.patient.given_name} ${e.patient.family_name}`]),
  );
  const nameOf = (id: string) => names.get(id) ?? 'Client';
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <section aria-labelledby="recs">
        <Title order={2} size="h3" id="recs" mb="xs">
          Recommendations waiting for me
        </Title>
        <QueryView query={recommendations}>
          {(page) =>
            page.items.length === 0 ? (
              <EmptyState title="No recommendations waiting" detail="New ones appear after the nightly evaluation." />
            ) : (
              <Paper withBorder>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Client</Table.Th>
                      <Table.Th>Proposed</Table.Th>
                      <Table.Th>Rule</Table.Th>
                      <Table.Th>Age</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.items.map((rec) => (
                      <Table.Tr key={rec.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/enrollments/${rec.enrollment_id}`}>
                            {nameOf(rec.enrollment_id)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{humanizeEnum(rec.action)}</Table.Td>
                        <Table.Td>{rec.rule_name}</Table.Td>
                        <Table.Td>{age(rec.created_at)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Paper>
            )
          }
        </QueryView>
      </section>
      <section aria-labelledby="homework">
        <Title order={2} size="h3" id="homework" mb="xs">
          Homework to review
        </Title>
        <QueryView query={homework}>
          {(page) =>
            page.items.length === 0 ? (
              <EmptyState title="No homework to review" detail="Submitted homework from your clients appears here." />
            ) : (
              <Paper withBorder>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Client</Table.Th>
                      <Table.Th>Homework</Table.Th>
                      <Table.Th>Submitted</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.items.slice(0, 10).map((item) => (
                      <Table.Tr key={item.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/enrollments/${item.enrollment_id}?tab=homework`}>
                            {nameOf(item.enrollment_id)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{item.title}</Table.Td>
                        <Table.Td>{item.submitted_at ? age(item.submitted_at) : '–'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                {page.items.length > 10 ? (
                  <Text size="sm" p="xs">
                    {page.next_cursor ? `And at least ${page.items.length - 10} more.` : `And ${page.items.length - 10} more.`}
                  </Text>
                ) : null}
              </Paper>
            )
          }
        </QueryView>
      </section>
    </SimpleGrid>
  );
}

function Census() {
  const census = useQuery(censusQuery);
  return (
    <section aria-labelledby="census">
      <Title order={2} size="h3" id="census" mb="xs">
        Census by program
      </Title>
      <QueryView query={census}>
        {(report) =>
          report.programs.length === 0 ? (
            <EmptyState title="No programs yet" />
          ) : (
            <Suspense fallback={<ListSkeleton rows={2} label="Loading the chart" />}>
              <CensusChart report={report} />
            </Suspense>
          )
        }
      </QueryView>
    </section>
  );
}
