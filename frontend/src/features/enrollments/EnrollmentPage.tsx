import { Anchor, Badge, Button, Grid, Group, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorState, ListSkeleton, QueryView } from '../../components/states';
import type { Schemas } from '../../lib/api';
import { addDays, dateIn, formatDate, formatHours, humanizeEnum } from '../../lib/format';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { programQuery } from '../programs/programs';
import { ActionsMenu } from './ActionsMenu';
import { AdmitButton } from './AdmitDialog';
import { recentRates } from './progressData';
import { enrollmentQuery, pendingRecommendationsQuery, progressQuery } from './queries';
import { RecommendationCard } from './RecommendationCard';
import { TimelineTab } from './TimelineTab';
import { useDeferredQuery } from '../../lib/useDeferredQuery';
import { whenIdle } from '../../lib/whenIdle';
import { loader } from '../../lib/loader';

const ProgressChart = lazy(loader(() => import('./ProgressChart')));
// The tabs other than the first load when opened, and in the background once the page has
// drawn, so that opening one later works without the network.
const tabModules = {
  plan: loader(() => import('./TreatmentPlanTab').then((m) => ({ default: m.TreatmentPlanTab }))),
  homework: loader(() => import('./HomeworkTab').then((m) => ({ default: m.HomeworkTab }))),
  events: loader(() => import('./EventsTab').then((m) => ({ default: m.EventsTab }))),
  sessions: loader(() => import('./SessionsTab').then((m) => ({ default: m.SessionsTab }))),
};
const TreatmentPlanTab = lazy(tabModules.plan);
const HomeworkTab = lazy(tabModules.homework);
const EventsTab = lazy(tabModules.events);
const SessionsTab = lazy(tabModules.sessions);

const STATUS_COLOR: Record<Schemas['EnrollmentStatus'], string> = {
  pending: 'gray',
  active: 'teal',
  on_hold: 'orange',
  completed: 'blue',
  discharged: 'gray',
};

export default function EnrollmentPage() {
  const { enrollmentId = '' } = useParams();
  const user = useUser();
  const clinical = can(user.role, 'read.clinical');
  const enrollmentResult = useQuery(enrollmentQuery(enrollmentId));
  const programId = enrollmentResult.data?.data.program_id;
  const programResult = useQuery({ ...programQuery(programId ?? ''), enabled: programId !== undefined });
  const progressResult = useQuery({ ...progressQuery(enrollmentId), enabled: clinical });
  const recommendationsResult = useQuery({
    ...pendingRecommendationsQuery(enrollmentId),
    enabled: clinical,
  });
  // Each answer redraws much of the page: in slices, so that the page answers a tap meanwhile.
  const enrollment = useDeferredQuery(enrollmentResult);
  const program = useDeferredQuery(programResult);
  const progress = useDeferredQuery(progressResult);
  const recommendations = useDeferredQuery(recommendationsResult);

  // The pending recommendation sits above the chart: wait for it with the enrollment, so
  // that the page does not jump down when it arrives.
  if (enrollment.isPending || (clinical && recommendations.isPending)) {
    return <ListSkeleton rows={6} label="Loading the enrollment" />;
  }
  if (enrollment.error || !enrollment.data) {
    return <ErrorState error={enrollment.error} onRetry={() => void enrollment.refetch()} />;
  }
  const { data: e, etag } = enrollment.data;
  const phases = program.data?.phases ?? [];
  const timezone = e.program.timezone;
  return (
    <Stack gap="md">
      <Anchor component={Link} to={`/clients/${e.patient_id}`} size="sm">
        ← {e.patient.given_name} {e.patient.family_name}
      </Anchor>
      <Header enrollment={e} program={program.data} timezone={timezone} userId={user.id} />
      <Group gap="xs">
        {can(user.role, 'enrollment.manage') ? (
          <ActionsMenu enrollment={e} etag={etag} phases={phases} timezone={timezone} />
        ) : null}
        {e.status === 'pending' && can(user.role, 'enrollment.admit') ? (
          <AdmitButton enrollment={e} etag={etag} />
        ) : null}
      </Group>
      {clinical ? (
        <>
          <QueryView query={recommendations} skeleton={<ListSkeleton rows={1} />}>
            {(page) => (
              <>
                {page.items.map((rec) => (
                  <RecommendationCard
                    key={rec.id}
                    recommendation={rec}
                    phases={phases}
                    timezone={timezone}
                    canDecide={can(user.role, 'recommendation.decide')}
                  />
                ))}
              </>
            )}
          </QueryView>
          <section aria-labelledby="progress-title">
            <Title order={2} size="h3" id="progress-title" mb="xs">
              Progress, week by week
            </Title>
            <QueryView query={progress} skeleton={<ChartPlaceholder label="Loading progress" height={348} />}>
              {(data) => (
                <Grid>
                  <Grid.Col span={{ base: 12, md: 9 }}>
                    <Paper withBorder p="sm">
                      <Suspense fallback={<ChartPlaceholder label="Loading the chart" height={322} />}>
                        <ProgressChart progress={data} />
                      </Suspense>
                    </Paper>
                  </Grid.Col>
                  <Grid.Col span={{ base: 12, md: 3 }}>
                    <RatesPanel progress={data} enrollmentId={e.id} />
                  </Grid.Col>
                </Grid>
              )}
            </QueryView>
          </section>
          <EnrollmentTabs enrollment={e} timezone={timezone} />
        </>
      ) : (
        <Text c="dimmed">Clinical details of this enrollment are visible to the clinical team.</Text>
      )}
    </Stack>
  );
}

function Header({
  enrollment: e,
  program,
  timezone,
  userId,
}: {
  enrollment: Schemas['EnrollmentRead'];
  program: Schemas['ProgramDetail'] | undefined;
  timezone: string;
  userId: string;
}) {
  const phase = program?.phases.find((p) => p.id === e.current_phase_id);
  const today = dateIn(timezone);
  const day = e.admitted_on ? daysBetween(e.admitted_on, today) + 1 : null;
  const length = e.admitted_on && e.expected_end_on ? daysBetween(e.admitted_on, e.expected_end_on) + 1 : null;
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>
            {e.patient.given_name} {e.patient.family_name}
          </Title>
          <Text size="sm" c="dimmed">
            MRN {e.patient.mrn}
          </Text>
        </div>
        <Badge size="lg" color={STATUS_COLOR[e.status]} variant="light">
          {humanizeEnum(e.status)}
        </Badge>
      </Group>
      <Group gap="xl" mt="sm" wrap="wrap">
        <Fact label="Program" value={e.program.name} />
        <Fact
          label="Phase"
          value={
            e.current_phase
              ? `${e.current_phase.name}${phase ? ` · ${formatHours(phase.planned_hours_per_week)} a week` : ''}`
              : 'None'
          }
          testId="current-phase"
        />
        {day !== null && e.status !== 'completed' && e.status !== 'discharged' ? (
          <Fact label="Length of stay" value={length ? `Day ${day} of ${length}` : `Day ${day}`} />
        ) : null}
        {e.admitted_on ? <Fact label="Admitted" value={formatDate(e.admitted_on, 'UTC')} /> : null}
        {e.expected_end_on ? (
          <Fact label="Expected end" value={formatDate(e.expected_end_on, 'UTC')} />
        ) : null}
        <Fact
          label="Primary clinician"
          value={e.primary_clinician_id === null ? 'Not assigned' : e.primary_clinician_id === userId ? 'You' : 'Another clinician'}
        />
      </Group>
      {phase?.level_of_care_warning ? (
        <Text size="sm" c="orange" fw={600} mt="xs">
          {phase.level_of_care_warning}
        </Text>
      ) : null}
    </Paper>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={500} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

function RatesPanel({ progress, enrollmentId }: { progress: Schemas['ProgressRead']; enrollmentId: string }) {
  const rates = recentRates(progress);
  const unrecorded = progress.current.unrecorded_sessions;
  const pct = (a: number, b: number) => (b === 0 ? '–' : `${Math.round((a / b) * 100)}%`);
  return (
    <Stack gap="sm">
      <Paper withBorder p="sm">
        <Text size="sm" c="dimmed">
          Attendance, last {rates.weeks} weeks
        </Text>
        <Text size="xl" fw={700}>
          {pct(rates.attended, rates.scheduled)}
        </Text>
        <Text size="sm">
          {formatHours(rates.attended)} of {formatHours(rates.scheduled)}
        </Text>
      </Paper>
      <Paper withBorder p="sm">
        <Text size="sm" c="dimmed">
          Homework, last {rates.weeks} weeks
        </Text>
        <Text size="xl" fw={700}>
          {pct(rates.homeworkDone, rates.homeworkDue)}
        </Text>
        <Text size="sm">
          {rates.homeworkDone} of {rates.homeworkDue} completed
        </Text>
      </Paper>
      {unrecorded > 0 ? (
        <Button component={Link} to={`/enrollments/${enrollmentId}?tab=sessions`} variant="light" color="orange">
          {unrecorded === 1 ? '1 session not recorded' : `${unrecorded} sessions not recorded`}
        </Button>
      ) : null}
    </Stack>
  );
}

function EnrollmentTabs({ enrollment, timezone }: { enrollment: Schemas['EnrollmentRead']; timezone: string }) {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'timeline';
  useEffect(
    () => whenIdle(() => void Promise.all(Object.values(tabModules).map((load) => load())).catch(() => undefined)),
    [],
  );
  return (
    <Tabs
      value={tab}
      onChange={(value) => setParams(value ? { tab: value } : {}, { replace: true })}
      keepMounted={false}
    >
      <Tabs.List>
        <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
        <Tabs.Tab value="plan">Treatment plan</Tabs.Tab>
        <Tabs.Tab value="homework">Homework</Tabs.Tab>
        <Tabs.Tab value="events">Events</Tabs.Tab>
        <Tabs.Tab value="sessions">Sessions</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="timeline" pt="md">
        <TimelineTab enrollmentId={enrollment.id} />
      </Tabs.Panel>
      <Tabs.Panel value="plan" pt="md">
        <Suspense fallback={<ListSkeleton rows={3} />}>
          <TreatmentPlanTab enrollmentId={enrollment.id} />
        </Suspense>
      </Tabs.Panel>
      <Tabs.Panel value="homework" pt="md">
        <Suspense fallback={<ListSkeleton rows={3} />}>
          <HomeworkTab enrollmentId={enrollment.id} timezone={timezone} />
        </Suspense>
      </Tabs.Panel>
      <Tabs.Panel value="events" pt="md">
        <Suspense fallback={<ListSkeleton rows={3} />}>
          <EventsTab enrollmentId={enrollment.id} />
        </Suspense>
      </Tabs.Panel>
      <Tabs.Panel value="sessions" pt="md">
        <Suspense fallback={<ListSkeleton rows={3} />}>
          <SessionsTab enrollment={enrollment} timezone={timezone} />
        </Suspense>
      </Tabs.Panel>
    </Tabs>
  );
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export { addDays };

/**
 * Holds the chart's height while it loads, so that nothing below it moves: the figure is
 * 322 px high (chart, caption, the table's summary), 348 px in its frame.
 */
function ChartPlaceholder({ label, height }: { label: string; height: number }) {
  return (
    <div style={{ minHeight: height }}>
      <ListSkeleton rows={4} label={label} />
    </div>
  );
}
