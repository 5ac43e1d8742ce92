import { Alert, Badge, Button, Group, Modal, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';
import { addDays, age, dateIn, formatDate, formatPercent } from '../../lib/format';
import { ENROLLMENT_DEPENDENTS } from './queries';

type Rec = Schemas['RecommendationRead'];
type Evidence = Schemas['EvidenceRead'];

const METRIC_LABELS: Record<string, string> = {
  attendance_rate: 'Attendance',
  homework_completion_rate: 'Homework completed',
  days_in_phase: 'Days in phase',
  days_since_last_use: 'Days since last use',
  days_enrolled: 'Days enrolled',
  positive_screens: 'Positive drug screens',
  relapses: 'Relapses',
};

const isRate = (metric: string) => metric.endsWith('_rate');

function value(metric: string, v: number | null): string {
  if (v === null) return 'not measured';
  return isRate(metric) ? formatPercent(v) : String(Math.round(v * 10) / 10);
}

function conditionLabel(e: Evidence): string {
  const name = METRIC_LABELS[e.metric] ?? e.metric.replace(/_/g, ' ');
  return e.window_days ? `${name}, last ${e.window_days} days` : name;
}

function clause(e: Evidence): string {
  const v = value(e.metric, e.value);
  switch (e.metric) {
    case 'attendance_rate':
      return `attended ${v}`;
    case 'homework_completion_rate':
      return `completed ${v} of homework`;
    case 'days_in_phase':
      return `${v} days in phase`;
    case 'days_since_last_use':
      return `${v} days since last use`;
    default:
      return `${conditionLabel(e).toLowerCase()} ${v}`;
  }
}

/** The proposal in plain words: "Step down to Phase 2: attended 93% … over 14 days, 21 days in phase". */
export function describeRecommendation(rec: Rec, phases: { id: string; name: string }[]): string {
  const phase = phases.find((p) => p.id === rec.proposed_phase_id)?.name;
  const action = {
    step_down: `Step down${phase ? ` to ${phase}` : ''}`,
    step_up: `Step up${phase ? ` to ${phase}` : ''}`,
    extend: `Extend the stay${rec.days ? ` by ${rec.days} days` : ''}`,
    complete: 'Complete the program',
    review: 'Review the treatment',
  }[rec.action];
  const windowed = rec.evidence.filter((e) => e.window_days);
  const plain = rec.evidence.filter((e) => !e.window_days);
  const parts: string[] = [];
  if (windowed.length > 0) {
    const windows = new Set(windowed.map((e) => e.window_days));
    const tail = windows.size === 1 ? ` over ${windowed[0]?.window_days} days` : '';
    parts.push(windowed.map(clause).join(' and ') + tail);
  }
  parts.push(...plain.map(clause));
  return `${action}: ${parts.join(', ')}`;
}

export function RecommendationCard({
  recommendation: rec,
  phases,
  timezone,
  canDecide,
}: {
  recommendation: Rec;
  phases: Schemas['PhaseRead'][];
  timezone: string;
  canDecide: boolean;
}) {
  const queryClient = useQueryClient();
  const [dismissing, setDismissing] = useState(false);
  const [reason, setReason] = useState('');
  const refresh = () =>
    Promise.all(ENROLLMENT_DEPENDENTS(rec.enrollment_id).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const approve = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/tapering/recommendations/{recommendation_id}/approve', {
          params: { path: { recommendation_id: rec.id } },
          body: {},
        }),
      ),
    onSuccess: async () => {
      await refresh();
      notifications.show({ color: 'teal', title: 'Recommendation approved', message: 'The phase and the future sessions now follow it.' });
    },
  });
  const dismiss = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/tapering/recommendations/{recommendation_id}/dismiss', {
          params: { path: { recommendation_id: rec.id } },
          body: { reason },
        }),
      ),
    onSuccess: async () => {
      setDismissing(false);
      await refresh();
      notifications.show({ title: 'Recommendation dismissed', message: 'The reason is kept with it.' });
    },
  });
  const problem = approve.error ?? dismiss.error;
  const proposed = phases.find((p) => p.id === rec.proposed_phase_id);
  return (
    <Paper withBorder p="md" style={{ borderColor: 'var(--mantine-color-blue-7)', borderWidth: 2 }} component="section" aria-labelledby={`rec-${rec.id}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Badge color="blue" variant="light">
            Pending recommendation · {rec.rule_name} · {age(rec.created_at)}
          </Badge>
        </Group>
        <Title order={2} size="h4" id={`rec-${rec.id}`}>
          {describeRecommendation(rec, phases)}
        </Title>
        {proposed ? (
          <Text size="sm">
            {proposed.name} plans {proposed.planned_hours_per_week} hours a week. If approved, sessions from{' '}
            {formatDate(addDays(dateIn(timezone), 1), 'UTC')} follow it.
          </Text>
        ) : null}
        <Table withTableBorder aria-label="Evidence">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Condition</Table.Th>
              <Table.Th>Measured</Table.Th>
              <Table.Th>Threshold</Table.Th>
              <Table.Th>Held</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rec.evidence.map((e) => (
              <Table.Tr key={e.path}>
                <Table.Td>{conditionLabel(e)}</Table.Td>
                <Table.Td>{value(e.metric, e.value)}</Table.Td>
                <Table.Td>
                  {opWords(e.op)} {value(e.metric, e.threshold)}
                </Table.Td>
                <Table.Td>{e.held ? '✓ Yes' : '✗ No'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {problem ? (
          <Alert color="red" title={describeError(problem).title}>
            {describeError(problem).detail}
          </Alert>
        ) : null}
        {canDecide ? (
          <Group>
            <Button onClick={() => approve.mutate()} loading={approve.isPending}>
              Approve
            </Button>
            <Button variant="default" onClick={() => setDismissing(true)}>
              Dismiss…
            </Button>
          </Group>
        ) : null}
      </Stack>
      <Modal opened={dismissing} onClose={() => setDismissing(false)} title="Dismiss the recommendation">
        <Stack>
          <Textarea
            label="Reason"
            description="Kept with the recommendation, for the team and the audit trail."
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            minRows={3}
            autosize
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDismissing(false)}>
              Cancel
            </Button>
            <Button color="red.9" onClick={() => dismiss.mutate()} loading={dismiss.isPending} disabled={!reason.trim()}>
              Dismiss
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

/** The rule's comparison in words a clinic reads (`at least 90%`), not as a symbol. */
function opWords(op: string | null | undefined): string {
  switch (op) {
    case '>=':
      return 'at least';
    case '>':
      return 'more than';
    case '<=':
      return 'at most';
    case '<':
      return 'less than';
    case '==':
      return 'exactly';
    default:
      return op ?? '';
  }
}
