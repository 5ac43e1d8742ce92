import type { Schemas } from '../../lib/api';

export type AttendanceStatus = Schemas['AttendanceStatus'];

export interface Mark {
  status: AttendanceStatus;
  minutes: number | null;
}

interface Change {
  label: string;
  before: Record<string, Mark | null>;
}

/**
 * The roll call as the facilitator sees it: what the server has, what is waiting to be
 * sent (the latest tap per client), what is being sent, and the taps that can be undone.
 */
export interface RollCall {
  saved: Record<string, Mark | null>;
  pending: Record<string, Mark>;
  inFlight: Record<string, Mark>;
  history: Change[];
}

export const STATUSES: { value: AttendanceStatus; label: string; key: string }[] = [
  { value: 'present', label: 'Present', key: 'p' },
  { value: 'late', label: 'Late', key: 'l' },
  { value: 'left_early', label: 'Left early', key: 'e' },
  { value: 'absent_excused', label: 'Excused', key: 'x' },
  { value: 'absent_unexcused', label: 'Unexcused', key: 'u' },
];

export function needsMinutes(status: AttendanceStatus | undefined): boolean {
  return status === 'late' || status === 'left_early';
}

export function statusLabel(status: AttendanceStatus): string {
  return STATUSES.find((s) => s.value === status)?.label ?? status;
}

/** A first guess at the minutes for a late arrival or an early leave, which the facilitator adjusts. */
export function defaultMinutes(status: AttendanceStatus, durationMinutes: number): number | null {
  if (status === 'late') return Math.max(durationMinutes - 15, 0);
  if (status === 'left_early') return Math.max(durationMinutes - 30, 0);
  return null;
}

export function startRollCall(
  saved: Record<string, Mark | null>,
  stored: Record<string, Mark> = {},
): RollCall {
  return { saved, pending: { ...stored }, inFlight: {}, history: [] };
}

export function current(state: RollCall, id: string): Mark | null {
  return state.pending[id] ?? state.inFlight[id] ?? state.saved[id] ?? null;
}

export function waiting(state: RollCall): number {
  return new Set([...Object.keys(state.pending), ...Object.keys(state.inFlight)]).size;
}

export function mark(state: RollCall, marks: Record<string, Mark>, label: string): RollCall {
  const ids = Object.keys(marks).filter((id) => !sameMark(current(state, id), marks[id] ?? null));
  if (ids.length === 0) return state;
  const before: Record<string, Mark | null> = {};
  const pending = { ...state.pending };
  for (const id of ids) {
    before[id] = current(state, id);
    pending[id] = marks[id] as Mark;
  }
  return { ...state, pending, history: [...state.history, { label, before }].slice(-20) };
}

/**
 * Whether the last change can be taken back. A client who had no status can return to
 * none only while the tap is still waiting: the API records a status, it never clears one.
 */
export function canUndo(state: RollCall): boolean {
  const last = state.history[state.history.length - 1];
  if (!last) return false;
  return Object.entries(last.before).every(
    ([id, before]) => before !== null || !(id in state.inFlight || state.saved[id]),
  );
}

export function lastChangeLabel(state: RollCall): string | null {
  return state.history[state.history.length - 1]?.label ?? null;
}

export function undo(state: RollCall): RollCall {
  const last = state.history[state.history.length - 1];
  if (!last || !canUndo(state)) return state;
  const pending = { ...state.pending };
  for (const [id, before] of Object.entries(last.before)) {
    if (before === null) delete pending[id];
    else if (sameMark(state.inFlight[id] ?? state.saved[id] ?? null, before)) delete pending[id];
    else pending[id] = before;
  }
  return { ...state, pending, history: state.history.slice(0, -1) };
}

export function beginSend(state: RollCall): RollCall {
  return { ...state, inFlight: { ...state.inFlight, ...state.pending }, pending: {} };
}

export function sendSucceeded(state: RollCall, sent: Record<string, Mark>): RollCall {
  const saved = { ...state.saved, ...sent };
  const inFlight = { ...state.inFlight };
  for (const id of Object.keys(sent)) delete inFlight[id];
  return { ...state, saved, inFlight };
}

export function sendFailed(state: RollCall, sent: Record<string, Mark>): RollCall {
  const inFlight = { ...state.inFlight };
  const pending = { ...state.pending };
  for (const [id, value] of Object.entries(sent)) {
    delete inFlight[id];
    // A tap made while the send was out is newer than the one that failed.
    if (!(id in pending)) pending[id] = value;
  }
  return { ...state, pending, inFlight };
}

export function toWrites(marks: Record<string, Mark>): Schemas['AttendanceWrite'][] {
  return Object.entries(marks).map(([enrollment_id, m]) => ({
    enrollment_id,
    status: m.status,
    minutes_attended: needsMinutes(m.status) ? m.minutes : null,
  }));
}

function sameMark(a: Mark | null, b: Mark | null): boolean {
  if (a === null || b === null) return a === b;
  return a.status === b.status && (!needsMinutes(a.status) || a.minutes === b.minutes);
}

const STORE_PREFIX = 'homeward.attendance.';

/** Unsent taps survive a reload or a closed tab: ids and statuses only, no names. */
export function storeUnsent(sessionId: string, state: RollCall): void {
  const unsent = { ...state.inFlight, ...state.pending };
  if (Object.keys(unsent).length === 0) localStorage.removeItem(STORE_PREFIX + sessionId);
  else localStorage.setItem(STORE_PREFIX + sessionId, JSON.stringify(unsent));
}

export function loadUnsent(sessionId: string): Record<string, Mark> {
  try {
    const raw = localStorage.getItem(STORE_PREFIX + sessionId);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, Mark> = {};
    for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (isMark(value)) out[id] = value;
    }
    return out;
  } catch {
    return {};
  }
}

function isMark(value: unknown): value is Mark {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { status?: unknown; minutes?: unknown };
  return (
    STATUSES.some((s) => s.value === candidate.status) &&
    (candidate.minutes === null || typeof candidate.minutes === 'number')
  );
}
