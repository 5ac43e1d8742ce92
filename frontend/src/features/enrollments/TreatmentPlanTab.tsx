import { Alert, Button, Group, Paper, Radio, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, okTagged, type Schemas } from '../../lib/api';
import { ApiError, describeError, fieldErrors } from '../../lib/problem';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { ListSkeleton, ErrorState } from '../../components/states';
import { defaultChoices, describeField, diffPlan, mergePlan, PLAN_FIELDS, toWrite, type Choice, type Plan, type PlanField } from './planMerge';

const GOAL_STATUSES: Schemas['GoalStatus'][] = ['not_started', 'in_progress', 'achieved', 'dropped'];
const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function planQuery(enrollmentId: string) {
  return {
    queryKey: ['treatment-plan', enrollmentId],
    queryFn: () =>
      okTagged(api.GET('/api/v1/enrollments/{enrollment_id}/treatment-plan', { params: { path: { enrollment_id: enrollmentId } } })),
  };
}

interface Conflict {
  base: Plan;
  mine: Plan;
  theirs: Plan;
  etag: string | null;
}

export function TreatmentPlanTab({ enrollmentId }: { enrollmentId: string }) {
  const user = useUser();
  const plan = useQuery({ ...planQuery(enrollmentId), staleTime: 0 });
  if (plan.isPending) return <ListSkeleton rows={4} label="Loading the treatment plan" />;
  const none = plan.error instanceof ApiError && plan.error.status === 404;
  if (none) {
    // No plan yet: the first save creates it.
    const empty: Plan = { triggers: [], coping_strategies: [], sobriety_plan: '', goals: [] };
    return <PlanEditor enrollmentId={enrollmentId} saved={empty} etag={null} editable={can(user.role, 'plan.edit')} />;
  }
  if (plan.error || !plan.data) return <ErrorState error={plan.error} onRetry={() => void plan.refetch()} />;
  return (
    <PlanEditor
      key={plan.data.etag ?? ''}
      enrollmentId={enrollmentId}
      saved={toWrite(plan.data.data)}
      etag={plan.data.etag}
      editable={can(user.role, 'plan.edit')}
    />
  );
}

function PlanEditor({ enrollmentId, saved, etag, editable }: { enrollmentId: string; saved: Plan; etag: string | null; editable: boolean }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Plan>(saved);
  const [triggers, setTriggers] = useState(saved.triggers.join('\n'));
  const [coping, setCoping] = useState(saved.coping_strategies.join('\n'));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const current: Plan = { ...draft, triggers: lines(triggers), coping_strategies: lines(coping) };
  const dirty = JSON.stringify(current) !== JSON.stringify(saved);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const put = async (body: Plan, ifMatch: string | null) =>
    okTagged(
      api.PUT('/api/v1/enrollments/{enrollment_id}/treatment-plan', {
        params: { path: { enrollment_id: enrollmentId }, header: { 'if-match': ifMatch ?? undefined } },
        body,
      }),
    );

  const save = async (body: Plan, ifMatch: string | null, base: Plan) => {
    setBusy(true);
    setError(null);
    try {
      const result = await put(body, ifMatch);
      queryClient.setQueryData(['treatment-plan', enrollmentId], result);
      setConflict(null);
      notifications.show({ color: 'teal', title: 'Treatment plan saved', message: 'The team sees the new version.' });
    } catch (caught) {
      // 412: their version was saved since this one was read. 428: the plan did not exist
      // when this editor opened, and someone else has created it since.
      const stale = caught instanceof ApiError && (caught.status === 412 || (caught.status === 428 && ifMatch === null));
      if (stale) {
        // Read straight from the API, not into the cache: the editor is keyed by the cached
        // version, and replacing it would close this conflict (and the draft) unseen.
        const latest = await planQuery(enrollmentId).queryFn();
        setConflict({ base, mine: body, theirs: toWrite(latest.data), etag: latest.etag });
      } else {
        setError(caught);
      }
    } finally {
      setBusy(false);
    }
  };

  if (conflict) {
    return <ConflictView conflict={conflict} busy={busy} onSave={(merged) => void save(merged, conflict.etag, conflict.theirs)} />;
  }
  const goalFields = draft.goals.flatMap((_, i) => [`goals.${i}.description`, `goals.${i}`]);
  const fields = fieldErrors(error, ['triggers', 'coping_strategies', 'sobriety_plan', 'goals', ...goalFields]);
  const problem = error ? describeError(error) : null;
  const setGoal = (index: number, goal: Partial<Plan['goals'][number]>) =>
    setDraft((d) => ({ ...d, goals: d.goals.map((g, i) => (i === index ? { ...g, ...goal } : g)) }));

  return (
    <Stack maw={900}>
      {problem ? (
        <Alert color="red" title={problem.title}>
          {problem.detail}
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Textarea label="Triggers" description="One per line" autosize minRows={4} value={triggers} onChange={(e) => setTriggers(e.currentTarget.value)} readOnly={!editable} error={fields.triggers} />
        <Textarea label="Coping strategies" description="One per line" autosize minRows={4} value={coping} onChange={(e) => setCoping(e.currentTarget.value)} readOnly={!editable} error={fields.coping_strategies} />
      </SimpleGrid>
      <Textarea
        label="Sobriety plan"
        autosize
        minRows={4}
        value={draft.sobriety_plan}
        onChange={(e) => {
          const value = e.currentTarget.value;
          setDraft((d) => ({ ...d, sobriety_plan: value }));
        }}
        readOnly={!editable}
        error={fields.sobriety_plan}
      />
      <Title order={3} size="h5">
        Goals
      </Title>
      {draft.goals.length === 0 ? <Text c="dimmed">No goals yet.</Text> : null}
      {draft.goals.map((goal, index) => (
        <Paper withBorder p="sm" key={index}>
          <Group align="flex-end" wrap="wrap">
            <TextInput label={`Goal ${index + 1}`} style={{ flex: 1, minWidth: 220 }} value={goal.description} onChange={(e) => setGoal(index, { description: e.currentTarget.value })} readOnly={!editable} error={fields[`goals.${index}.description`] ?? fields[`goals.${index}`]} />
            <Select
              label="Status"
              w={160}
              data={GOAL_STATUSES.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))}
              value={goal.status}
              onChange={(v) => v && setGoal(index, { status: v as Schemas['GoalStatus'] })}
              readOnly={!editable}
              comboboxProps={{ withinPortal: true }}
            />
            {editable ? (
              <Button variant="default" onClick={() => setDraft((d) => ({ ...d, goals: d.goals.filter((_, i) => i !== index) }))}>
                Remove
              </Button>
            ) : null}
          </Group>
        </Paper>
      ))}
      {editable ? (
        <Group justify="space-between">
          <Button variant="default" onClick={() => setDraft((d) => ({ ...d, goals: [...d.goals, { description: '', objectives: [], status: 'not_started' }] }))}>
            Add a goal
          </Button>
          <Group>
            {dirty ? <Text size="sm">Unsaved changes</Text> : null}
            <Button onClick={() => void save(current, etag, saved)} loading={busy} disabled={!dirty}>
              Save the plan
            </Button>
          </Group>
        </Group>
      ) : null}
    </Stack>
  );
}

export function ConflictView({ conflict, busy, onSave }: { conflict: Conflict; busy: boolean; onSave: (merged: Plan) => void }) {
  const diff = diffPlan(conflict.base, conflict.mine, conflict.theirs);
  const [choices, setChoices] = useState<Record<PlanField, Choice>>(() => defaultChoices(diff));
  const changed = PLAN_FIELDS.filter(({ key }) => diff[key] !== 'same');
  return (
    <Stack>
      <Alert color="orange" title="Someone else changed this plan while you were editing" role="alert">
        Their version was saved first. For each part both of you changed, choose which to keep; the parts only one of you changed are kept as they are. Then save.
      </Alert>
      {changed.map(({ key, label }) => (
        <Paper withBorder p="sm" key={key}>
          <Radio.Group
            label={`${label}${diff[key] === 'both' ? ' (changed by both of you)' : diff[key] === 'mine' ? ' (changed by you)' : ' (changed by them)'}`}
            value={choices[key]}
            onChange={(value) => setChoices((c) => ({ ...c, [key]: value as Choice }))}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
              <Paper withBorder p="xs" bg={choices[key] === 'mine' ? 'teal.0' : undefined}>
                <Radio value="mine" label="Keep yours" />
                <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }} data-testid={`mine-${key}`}>
                  {describeField(conflict.mine, key)}
                </Text>
              </Paper>
              <Paper withBorder p="xs" bg={choices[key] === 'theirs' ? 'teal.0' : undefined}>
                <Radio value="theirs" label="Take theirs" />
                <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }} data-testid={`theirs-${key}`}>
                  {describeField(conflict.theirs, key)}
                </Text>
              </Paper>
            </SimpleGrid>
          </Radio.Group>
        </Paper>
      ))}
      <Group justify="flex-end">
        <Button onClick={() => onSave(mergePlan(conflict.mine, conflict.theirs, choices))} loading={busy}>
          Save the merged plan
        </Button>
      </Group>
    </Stack>
  );
}
