import { Alert, Avatar, Button, Group, NumberInput, Paper, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError } from '../../lib/problem';
import { initials, shortNames } from '../../lib/format';
import {
  canUndo,
  current,
  defaultMinutes,
  lastChangeLabel,
  needsMinutes,
  STATUSES,
  statusLabel,
  waiting,
  type AttendanceStatus,
  type Mark,
} from './attendanceQueue';
import { RollCallStore, type RollCallSnapshot } from './rollCallStore';

type RosterLine = Schemas['RosterLine'];

export function sendAttendance(sessionId: string) {
  return (writes: Schemas['AttendanceWrite'][]) =>
    ok(
      api.PUT('/api/v1/sessions/{session_id}/attendance', {
        params: { path: { session_id: sessionId } },
        body: writes,
      }),
    );
}

export function useRollCall(sessionId: string, roster: RosterLine[]) {
  const [store] = useState(() => {
    const saved: Record<string, Mark | null> = {};
    for (const line of roster) {
      saved[line.enrollment_id] = line.attendance_status
        ? { status: line.attendance_status, minutes: line.minutes_attended }
        : null;
    }
    return new RollCallStore(sessionId, saved, sendAttendance(sessionId));
  });
  useEffect(() => store.start(), [store]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return { store, snapshot };
}

export function AttendanceRoster({
  roster,
  durationMinutes,
  store,
  snapshot,
  canRecord,
}: {
  roster: RosterLine[];
  durationMinutes: number;
  store: RollCallStore;
  snapshot: RollCallSnapshot;
  canRecord: boolean;
}) {
  const rows = useRef<(HTMLDivElement | null)[]>([]);
  const { state } = snapshot;
  const unrecorded = roster.filter((line) => current(state, line.enrollment_id) === null);
  // Names as the room reads them, told apart where two would read alike.
  const short = shortNames(roster.map((line) => line.patient_name));
  const nameOf = (line: RosterLine) => short[roster.indexOf(line)] ?? line.patient_name;

  const setStatus = (line: RosterLine, status: AttendanceStatus) => {
    const before = current(state, line.enrollment_id);
    const minutes = needsMinutes(status)
      ? before && needsMinutes(before.status)
        ? before.minutes
        : defaultMinutes(status, durationMinutes)
      : null;
    store.mark(
      { [line.enrollment_id]: { status, minutes } },
      `${nameOf(line)}: ${statusLabel(status)}`,
    );
  };

  const markEveryonePresent = () => {
    const marks: Record<string, Mark> = {};
    for (const line of unrecorded) marks[line.enrollment_id] = { status: 'present', minutes: null };
    store.mark(marks, `${unrecorded.length} marked present`);
  };

  const onRowKey = (event: React.KeyboardEvent, index: number, line: RosterLine) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = rows.current[index + (event.key === 'ArrowDown' ? 1 : -1)];
      next?.focus();
      return;
    }
    const status = STATUSES.find((s) => s.key === event.key.toLowerCase());
    if (status && canRecord && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      setStatus(line, status.value);
    }
  };

  return (
    <Stack gap="sm">
      {canRecord ? (
        <Group justify="space-between">
          <Button
            size="lg"
            onClick={markEveryonePresent}
            disabled={unrecorded.length === 0}
            aria-describedby="present-hint"
          >
            Mark everyone present
          </Button>
          <Text id="present-hint" size="sm" c="dimmed">
            {unrecorded.length === 0
              ? 'Everyone has a status.'
              : `${unrecorded.length} of ${roster.length} not recorded yet. Then adjust the exceptions.`}
          </Text>
        </Group>
      ) : null}
      <SaveStatus store={store} snapshot={snapshot} />
      <Stack gap={6} role="list" aria-label="Roster">
        {roster.map((line, index) => {
          const mark = current(state, line.enrollment_id);
          const name = nameOf(line);
          return (
            <Paper
              key={line.enrollment_id}
              withBorder
              p="xs"
              role="listitem"
              className="roster-row"
              tabIndex={0}
              aria-label={`${name}, ${mark ? statusLabel(mark.status) : 'not recorded'}`}
              ref={(el: HTMLDivElement | null) => {
                rows.current[index] = el;
              }}
              onKeyDown={(e) => onRowKey(e, index, line)}
              data-testid="roster-row"
            >
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Group gap="sm" wrap="nowrap" miw={150}>
                  <Avatar color="teal" radius="xl" aria-hidden>
                    {initials(line.patient_name)}
                  </Avatar>
                  <Text fw={600}>{name}</Text>
                </Group>
                <Group gap={6} wrap="wrap" role="group" aria-label={`Attendance for ${name}`}>
                  {STATUSES.map((s) => {
                    const selected = mark?.status === s.value;
                    return (
                      <Button
                        key={s.value}
                        size="md"
                        mih={44}
                        px="sm"
                        variant={selected ? 'filled' : 'default'}
                        color={s.value.startsWith('absent') ? 'red.9' : 'teal.9'}
                        aria-pressed={selected}
                        disabled={!canRecord}
                        onClick={() => setStatus(line, s.value)}
                      >
                        {selected ? <span aria-hidden>✓&nbsp;</span> : null}
                        {s.label}
                      </Button>
                    );
                  })}
                </Group>
              </Group>
              {mark && needsMinutes(mark.status) ? (
                <Group mt="xs" justify="flex-end">
                  <NumberInput
                    label="Minutes attended"
                    w={180}
                    min={0}
                    max={durationMinutes}
                    value={mark.minutes ?? ''}
                    disabled={!canRecord}
                    onChange={(value) => {
                      const minutes = typeof value === 'number' ? value : null;
                      if (minutes === null) return;
                      store.mark(
                        { [line.enrollment_id]: { status: mark.status, minutes } },
                        `${name}: ${minutes} min`,
                      );
                    }}
                  />
                </Group>
              ) : null}
            </Paper>
          );
        })}
      </Stack>
    </Stack>
  );
}

function SaveStatus({ store, snapshot }: { store: RollCallStore; snapshot: RollCallSnapshot }) {
  const count = waiting(snapshot.state);
  const undoable = canUndo(snapshot.state);
  const label = lastChangeLabel(snapshot.state);
  let message: React.ReactNode = snapshot.savedAt ? 'Saved' : '';
  let color = 'teal';
  if (!snapshot.online && count > 0) {
    color = 'yellow';
    message = `Offline: ${count} ${count === 1 ? 'change' : 'changes'} waiting to send. They will be sent when the connection returns.`;
  } else if (snapshot.error) {
    const { title, detail } = describeError(snapshot.error);
    color = 'red';
    message = `Not saved: ${title}${detail ? `. ${detail}` : ''}`;
  } else if (count > 0) {
    message = `Saving ${count} ${count === 1 ? 'change' : 'changes'}…`;
  }
  return (
    <Alert
      color={color}
      variant="light"
      p="xs"
      role="status"
      aria-live="polite"
      data-testid="save-status"
      style={{ position: 'sticky', top: 64, zIndex: 5, minHeight: 48 }}
    >
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{message || 'Tap a status to record it; each tap is saved at once.'}</Text>
        <Group gap="xs" wrap="nowrap">
          {snapshot.error ? (
            <Button size="xs" color="red" onClick={() => void store.flush()}>
              Retry
            </Button>
          ) : null}
          {undoable && label ? (
            <Button size="xs" variant="default" onClick={() => store.undo()} aria-label={`Undo ${label}`}>
              Undo
            </Button>
          ) : null}
        </Group>
      </Group>
    </Alert>
  );
}
