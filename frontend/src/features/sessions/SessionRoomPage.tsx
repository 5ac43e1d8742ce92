import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorState, ListSkeleton } from '../../components/states';
import { api, ok, type Schemas } from '../../lib/api';
import { formatDate, formatTime, formatTimeRange } from '../../lib/format';
import { useNow } from '../../lib/useNow';
import { useDeferredQuery } from '../../lib/useDeferredQuery';
import { whenIdle } from '../../lib/whenIdle';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';
import { programQuery } from '../programs/programs';
import { waiting } from './attendanceQueue';
import { AttendanceRoster, useRollCall } from './AttendanceRoster';
import { loader } from '../../lib/loader';

// The dialogs (and the modal, select and text area code they need) are fetched once the
// room has drawn, not before it: the tablet may have lost its Wi-Fi by the time they open.
const loadGroupNote = loader(() => import('./GroupNoteDialog'));
const loadHomework = loader(() => import('./HomeworkDialog'));
const GroupNoteDialog = lazy(loadGroupNote);
const HomeworkDialog = lazy(loadHomework);

export function sessionQuery(sessionId: string) {
  return {
    queryKey: ['session', sessionId],
    queryFn: () =>
      ok(api.GET('/api/v1/sessions/{session_id}', { params: { path: { session_id: sessionId } } })),
  };
}

export default function SessionRoomPage() {
  const { sessionId = '' } = useParams();
  const sessionQueryResult = useQuery(sessionQuery(sessionId));
  const programId = sessionQueryResult.data?.program_id;
  const programQueryResult = useQuery({
    ...programQuery(programId ?? ''),
    enabled: programId !== undefined,
  });
  // The roster is the room's heaviest drawing: in slices, so that the first tap is not kept waiting.
  const session = useDeferredQuery(sessionQueryResult);
  const program = useDeferredQuery(programQueryResult);

  if (session.isPending || (programId && program.isPending)) {
    return <ListSkeleton rows={6} label="Loading the group" />;
  }
  if (session.error || !session.data) {
    return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  }
  return <SessionRoom session={session.data} timezone={program.data?.timezone} />;
}

function SessionRoom({ session, timezone }: { session: Schemas['SessionRead']; timezone?: string }) {
  const user = useUser();
  const roster = session.roster;
  const { store, snapshot } = useRollCall(session.id, roster);
  const [noteOpen, setNoteOpen] = useState(false);
  const [homeworkOpen, setHomeworkOpen] = useState(false);
  useEffect(
    () => whenIdle(() => void Promise.all([loadGroupNote(), loadHomework()]).catch(() => undefined)),
    [],
  );
  const cancelled = session.status === 'cancelled';
  const now = useNow();
  const notStarted = now < new Date(session.starts_at).getTime();
  const canRecord = can(user.role, 'attendance.record') && !cancelled && !notStarted;
  const duration = Math.round(
    (new Date(session.ends_at).getTime() - new Date(session.starts_at).getTime()) / 60_000,
  );
  const unsent = waiting(snapshot.state);
  const present = roster.filter((line) => {
    const status =
      snapshot.state.pending[line.enrollment_id]?.status ??
      snapshot.state.inFlight[line.enrollment_id]?.status ??
      snapshot.state.saved[line.enrollment_id]?.status;
    return status === 'present' || status === 'late' || status === 'left_early';
  }).length;

  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to="/" size="sm">
        ← Today
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>{session.title}</Title>
          <Text>
            {formatDate(session.starts_at, timezone)} · {formatTimeRange(session.starts_at, session.ends_at, timezone)}
            {session.room ? ` · ${session.room}` : ''} · {roster.length} on the roster
          </Text>
        </div>
        <Group gap="xs">
          {can(user.role, 'session.note') && !cancelled ? (
            <Button variant="default" size="md" onClick={() => setNoteOpen(true)}>
              {session.group_note ? 'Group note (written)' : 'Group note'}
            </Button>
          ) : null}
          {can(user.role, 'homework.assign') && !cancelled ? (
            <Button variant="default" size="md" onClick={() => setHomeworkOpen(true)}>
              Assign tonight's homework
            </Button>
          ) : null}
        </Group>
      </Group>
      {cancelled ? (
        <Alert color="red" title="This session was cancelled">
          {session.cancel_reason ?? 'Attendance cannot be recorded.'}
        </Alert>
      ) : null}
      {notStarted && !cancelled ? (
        <Alert color="blue" title="This session has not started">
          Attendance can be recorded from {formatTime(session.starts_at, timezone)}.
        </Alert>
      ) : null}
      {roster.length === 0 ? (
        <Text>No clients are on this session's roster.</Text>
      ) : (
        <AttendanceRoster
          roster={roster}
          durationMinutes={duration}
          store={store}
          snapshot={snapshot}
          canRecord={canRecord}
        />
      )}
      <Text size="sm" c="dimmed">
        Keyboard: ↑ and ↓ move between clients; P present, L late, E left early, X excused, U
        unexcused.
      </Text>
      <Suspense fallback={null}>
        {noteOpen ? <GroupNoteDialog session={session} onClose={() => setNoteOpen(false)} /> : null}
        {homeworkOpen ? (
          <HomeworkDialog
            session={session}
            present={present}
            unsent={unsent}
            onSend={() => store.flush()}
            onClose={() => setHomeworkOpen(false)}
          />
        ) : null}
      </Suspense>
    </Stack>
  );
}
