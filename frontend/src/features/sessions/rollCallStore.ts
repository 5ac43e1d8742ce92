import type { Schemas } from '../../lib/api';
import {
  beginSend,
  canUndo,
  mark,
  sendFailed,
  sendSucceeded,
  startRollCall,
  storeUnsent,
  loadUnsent,
  toWrites,
  undo,
  type Mark,
  type RollCall,
} from './attendanceQueue';

type Send = (writes: Schemas['AttendanceWrite'][]) => Promise<unknown>;

export interface RollCallSnapshot {
  state: RollCall;
  online: boolean;
  sending: boolean;
  error: unknown;
  savedAt: number | null;
}

const SEND_DELAY_MS = 600;
// While taps wait after a failure, they are tried again this often (and at once when the
// browser says it is back online).
const RETRY_MS = 30_000;

/**
 * The roll call's state outside React, so that taps, sends and their answers never race:
 * every change is applied synchronously here and the screen re-renders from a snapshot.
 */
export class RollCallStore {
  private snapshot: RollCallSnapshot;
  private listeners = new Set<() => void>();
  private timer: number | undefined;
  private retry: number | undefined;
  private readonly sessionId: string;
  private readonly send: Send;

  constructor(sessionId: string, saved: Record<string, Mark | null>, send: Send) {
    this.sessionId = sessionId;
    this.send = send;
    this.snapshot = {
      state: startRollCall(saved, loadUnsent(sessionId)),
      online: typeof navigator === 'undefined' ? true : navigator.onLine,
      sending: false,
      error: null,
      savedAt: null,
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RollCallSnapshot => this.snapshot;

  start(): () => void {
    const onOnline = () => {
      this.update({ online: true });
      void this.flush();
    };
    const onOffline = () => this.update({ online: false });
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    this.retry = window.setInterval(() => void this.flush(), RETRY_MS);
    if (Object.keys(this.snapshot.state.pending).length > 0) this.schedule();
    return () => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.clearInterval(this.retry);
      window.clearTimeout(this.timer);
    };
  }

  mark(marks: Record<string, Mark>, label: string): void {
    this.setState(mark(this.snapshot.state, marks, label));
    this.schedule();
  }

  undo(): void {
    if (!canUndo(this.snapshot.state)) return;
    this.setState(undo(this.snapshot.state));
    this.schedule();
  }

  /** Sends every waiting tap in one request; a failure puts them back to wait. */
  async flush(): Promise<void> {
    window.clearTimeout(this.timer);
    const { state, sending } = this.snapshot;
    if (sending || Object.keys(state.pending).length === 0) return;
    if (!navigator.onLine) {
      this.update({ online: false });
      return;
    }
    const batch = state.pending;
    this.snapshot = { ...this.snapshot, state: beginSend(state), sending: true };
    this.emit();
    try {
      await this.send(toWrites(batch));
      this.snapshot = {
        ...this.snapshot,
        state: sendSucceeded(this.snapshot.state, batch),
        sending: false,
        error: null,
        savedAt: Date.now(),
      };
    } catch (error) {
      const offline = error instanceof TypeError || !navigator.onLine;
      this.snapshot = {
        ...this.snapshot,
        state: sendFailed(this.snapshot.state, batch),
        sending: false,
        online: !offline,
        error: offline ? null : error,
      };
    }
    storeUnsent(this.sessionId, this.snapshot.state);
    this.emit();
    if (!this.snapshot.error && Object.keys(this.snapshot.state.pending).length > 0) {
      this.schedule();
    }
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.flush(), SEND_DELAY_MS);
  }

  private setState(state: RollCall): void {
    this.snapshot = { ...this.snapshot, state };
    storeUnsent(this.sessionId, state);
    this.emit();
  }

  private update(values: Partial<RollCallSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...values };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
