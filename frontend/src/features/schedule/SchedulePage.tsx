import { Alert, Anchor, Badge, Button, Checkbox, Group, Modal, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorState, ListSkeleton } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError, fieldErrors } from '../../lib/problem';
import { addDays, dateIn, differentZone, formatDate, formatTime, humanizeEnum } from '../../lib/format';
import { programsQuery } from '../programs/programs';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { countOccurrences } from './scheduleMath';

const TYPES: Schemas['SessionType'][] = ['group_therapy', 'individual_therapy', 'twelve_step', 'education', 'family', 'medical'];

function mondayOf(date: Date): string {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const day = (d.getUTCDay() + 6) % 7;
  return addDays(d.toISOString().slice(0, 10), -day);
}

export default function SchedulePage() {
  const user = useUser();
  const [week, setWeek] = useState(() => mondayOf(new Date()));
  const [programId, setProgramId] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [mine, setMine] = useState(false);
  const [creating, setCreating] = useState(false);
  const [generating, setGenerating] = useState(false);
  const programs = useQuery(programsQuery);
  // A day either side of the week: a session is placed on its day in its program's time
  // zone, which may start or end the week earlier or later than the device's.
  const from = new Date(`${addDays(week, -1)}T00:00:00Z`).toISOString();
  const to = new Date(`${addDays(week, 8)}T00:00:00Z`).toISOString();
  const zones = new Map((programs.data?.items ?? []).map((p) => [p.id, p.timezone]));
  const sessions = useQuery({
    queryKey: ['sessions', 'week', week, programId, type, mine],
    queryFn: () =>
      ok(
        api.GET('/api/v1/sessions', {
          params: {
            query: {
              from,
              to,
              limit: 200,
              program_id: programId ?? undefined,
              type: (type as Schemas['SessionType'] | null) ?? undefined,
              facilitator_id: mine ? user.id : undefined,
            },
          },
        }),
      ),
  });
  const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
  const byDay = new Map<string, Schemas['SessionSummary'][]>();
  for (const s of sessions.data?.items ?? []) {
    const key = dateIn(zones.get(s.program_id), new Date(s.starts_at));
    byDay.set(key, [...(byDay.get(key) ?? []), s]);
  }
  // Named once above the week when the programs shown keep another time than the device.
  const shownZones = [...new Set((sessions.data?.items ?? []).map((s) => zones.get(s.program_id)))];
  const otherZones = shownZones.flatMap((z) => {
    const label = differentZone(z);
    return label && z ? [`${label} (${z.replace(/_/g, ' ')})`] : [];
  });
  const programOptions = (programs.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Schedule</Title>
        <Group>
          {can(user.role, 'session.create') ? <Button variant="default" onClick={() => setCreating(true)}>New session</Button> : null}
          {can(user.role, 'schedule.generate') ? <Button onClick={() => setGenerating(true)}>Generate a schedule…</Button> : null}
        </Group>
      </Group>
      <Group align="flex-end" wrap="wrap">
        <Button variant="default" onClick={() => setWeek(addDays(week, -7))} aria-label="Previous week">←</Button>
        <Text fw={600} miw={170} ta="center" aria-live="polite">
          Week of {formatDate(week, 'UTC')}
        </Text>
        <Button variant="default" onClick={() => setWeek(addDays(week, 7))} aria-label="Next week">→</Button>
        <Select label="Program" placeholder="All programs" clearable data={programOptions} value={programId} onChange={setProgramId} w={220} comboboxProps={{ withinPortal: true }} />
        <Select label="Type" placeholder="All types" clearable data={TYPES.map((t) => ({ value: t, label: humanizeEnum(t) }))} value={type} onChange={setType} w={180} comboboxProps={{ withinPortal: true }} />
        <Checkbox label="Only sessions I facilitate" checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} mb={8} />
      </Group>
      {otherZones.length > 0 ? (
        <Text size="sm" c="dimmed">
          Times are in each program's time zone: {otherZones.join(', ')}. This device is on{' '}
          {Intl.DateTimeFormat().resolvedOptions().timeZone.replace(/_/g, ' ')}.
        </Text>
      ) : null}
      {sessions.isPending ? (
        <ListSkeleton rows={5} label="Loading the week" />
      ) : sessions.error ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 7 }} spacing="xs">
          {days.map((day) => (
            <Paper withBorder p="xs" key={day} component="section" aria-label={formatDate(day, 'UTC')}>
              <Text fw={700} size="sm" mb={4}>
                {formatDate(day, 'UTC')}
              </Text>
              <Stack gap={4}>
                {(byDay.get(day) ?? []).length === 0 ? <Text size="xs" c="dimmed">No sessions</Text> : null}
                {(byDay.get(day) ?? []).map((s) => (
                  <Anchor component={Link} to={`/sessions/${s.id}`} key={s.id} size="sm" underline="never">
                    <Paper p={6} bg={s.status === 'cancelled' ? 'gray.1' : 'teal.0'}>
                      <Text size="xs" fw={700} c="dark">
                        {formatTime(s.starts_at, zones.get(s.program_id))} {s.title}
                      </Text>
                      <Text size="xs" c="dark">
                        {s.roster_size} clients{s.room ? ` · ${s.room}` : ''}
                        {s.status === 'cancelled' ? ' · cancelled' : ''}
                      </Text>
                    </Paper>
                  </Anchor>
                ))}
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      )}
      {creating ? <NewSessionDialog programs={programs.data?.items ?? []} onClose={() => setCreating(false)} /> : null}
      {generating ? <GenerateDialog programs={programs.data?.items ?? []} onClose={() => setGenerating(false)} /> : null}
    </Stack>
  );
}

function NewSessionDialog({ programs, onClose }: { programs: Schemas['ProgramRead'][]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [programId, setProgramId] = useState<string | null>(programs[0]?.id ?? null);
  const [title, setTitle] = useState('');
  const [sessionType, setType] = useState<Schemas['SessionType']>('individual_therapy');
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [start, setStart] = useState('10:00');
  const [end, setEnd] = useState('11:00');
  const [room, setRoom] = useState('');
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/sessions', {
          body: {
            program_id: programId ?? '',
            session_type: sessionType,
            title,
            starts_at: new Date(`${date}T${start}:00`).toISOString(),
            ends_at: new Date(`${date}T${end}:00`).toISOString(),
            room: room || null,
            roster: [],
          },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
      onClose();
    },
  });
  const fields = fieldErrors(create.error, ['program_id', 'title', 'starts_at', 'ends_at', 'room', 'session_type']);
  return (
    <Modal opened onClose={onClose} title="New session">
      <Stack>
        {create.error ? <Alert color="red" title={describeError(create.error).title}>{fields[''] ?? describeError(create.error).detail}</Alert> : null}
        <Select label="Program" data={programs.map((p) => ({ value: p.id, label: p.name }))} value={programId} onChange={setProgramId} error={fields.program_id} comboboxProps={{ withinPortal: true }} />
        <Select label="Type" data={TYPES.map((t) => ({ value: t, label: humanizeEnum(t) }))} value={sessionType} onChange={(v) => v && setType(v as Schemas['SessionType'])} comboboxProps={{ withinPortal: true }} />
        <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={fields.title} />
        <SimpleGrid cols={3}>
          <TextInput label="Date" type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
          <TextInput label="Starts" type="time" value={start} onChange={(e) => setStart(e.currentTarget.value)} error={fields.starts_at} />
          <TextInput label="Ends" type="time" value={end} onChange={(e) => setEnd(e.currentTarget.value)} error={fields.ends_at} />
        </SimpleGrid>
        <TextInput label="Room" value={room} onChange={(e) => setRoom(e.currentTarget.value)} error={fields.room} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!programId || !title.trim()}>Create</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function GenerateDialog({ programs, onClose }: { programs: Schemas['ProgramRead'][]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [programId, setProgramId] = useState<string | null>(programs[0]?.id ?? null);
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 13));
  const program = useQuery({
    queryKey: ['program', programId],
    queryFn: () => ok(api.GET('/api/v1/programs/{program_id}', { params: { path: { program_id: programId ?? '' } } })),
    enabled: programId !== null,
  });
  const existing = useQuery({
    queryKey: ['sessions', 'generate-preview', programId, from, to],
    queryFn: () =>
      ok(api.GET('/api/v1/sessions', { params: { query: { program_id: programId ?? '', from: `${from}T00:00:00Z`, to: `${addDays(to, 1)}T12:00:00Z`, limit: 200 } } })),
    enabled: programId !== null && from <= to,
  });
  const generate = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/programs/{program_id}/schedule/generate', { params: { path: { program_id: programId ?? '' } }, body: { from, to } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const occurrences = program.data ? countOccurrences(program.data.slots, from, to) : null;
  const already = existing.data ? existing.data.items.filter((s) => s.slot_id !== null).length : null;
  return (
    <Modal opened onClose={onClose} title="Generate a program's schedule">
      <Stack>
        <Select label="Program" data={programs.map((p) => ({ value: p.id, label: p.name }))} value={programId} onChange={setProgramId} comboboxProps={{ withinPortal: true }} />
        <SimpleGrid cols={2}>
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </SimpleGrid>
        {generate.data ? (
          <Alert color="teal" title="Schedule generated" role="status">
            {generate.data.created} sessions created, {generate.data.existing} already there, {generate.data.rostered} places on rosters.
          </Alert>
        ) : (
          <Alert color="blue" variant="light" role="status" data-testid="generate-preview">
            {occurrences === null || already === null
              ? 'Counting…'
              : `${occurrences} slot occurrences in these dates; about ${Math.max(occurrences - already, 0)} new sessions will be created (${already} already exist). Running it again creates nothing new.`}
          </Alert>
        )}
        {generate.error ? <Alert color="red" title={describeError(generate.error).title}>{describeError(generate.error).detail}</Alert> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{generate.data ? 'Close' : 'Cancel'}</Button>
          {!generate.data ? (
            <Button onClick={() => generate.mutate()} loading={generate.isPending} disabled={!programId || from > to}>
              {generate.isPending ? 'Generating…' : 'Generate'}
            </Button>
          ) : null}
        </Group>
        {generate.isPending ? <Badge variant="light">Working: this can take a few seconds</Badge> : null}
      </Stack>
    </Modal>
  );
}
