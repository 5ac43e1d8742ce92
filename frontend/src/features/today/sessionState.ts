import type { Schemas } from '../../lib/api';

export type AttendanceState = 'not_started' | 'in_progress' | 'to_record' | 'partly' | 'done';

export const ATTENDANCE_STATE_LABEL: Record<AttendanceState, string> = {
  not_started: 'Not started',
  in_progress: 'Happening now',
  to_record: 'To record',
  partly: 'Partly recorded',
  done: 'Done',
};

export function attendanceState(session: Schemas['SessionSummary'], now: Date): AttendanceState {
  const { roster_size: size, attendance_recorded: recorded } = session;
  if (size > 0 && recorded >= size) return 'done';
  if (recorded > 0) return 'partly';
  if (now < new Date(session.starts_at)) return 'not_started';
  if (now < new Date(session.ends_at)) return 'in_progress';
  return size === 0 ? 'done' : 'to_record';
}
