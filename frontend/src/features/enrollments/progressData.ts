import type { Schemas } from '../../lib/api';
import { formatDay } from '../../lib/format';

type Progress = Schemas['ProgressRead'];

export interface WeekPoint {
  week: string;
  label: string;
  attended: number;
  scheduled: number;
  planned: number | null;
  minimum: number | null;
  phase: string | null;
  relapses: number;
  positiveScreens: number;
  unrecorded: number;
}

export interface PhaseBand {
  phase: string;
  from: string;
  to: string;
}

/** The chart's rows, one per week, with the phase bands and the events to mark. */
export function toChartData(progress: Progress, now = new Date()) {
  const points: WeekPoint[] = progress.weeks.map((week) => ({
    week: week.week_start,
    label: formatDay(week.week_start, now),
    attended: round1(week.hours_attended),
    scheduled: round1(week.hours_scheduled),
    planned: week.planned_hours_per_week,
    minimum: week.level_hours_min,
    phase: week.phase_name,
    relapses: week.events.filter((e) => e.kind === 'relapse').length,
    positiveScreens: week.events.filter((e) => e.kind === 'drug_screen' && e.result === 'positive')
      .length,
    unrecorded: week.unrecorded_sessions,
  }));
  const bands: PhaseBand[] = [];
  for (const point of points) {
    const last = bands[bands.length - 1];
    const phase = point.phase ?? 'No phase';
    if (last && last.phase === phase) last.to = point.label;
    else bands.push({ phase, from: point.label, to: point.label });
  }
  const markers = points.filter((p) => p.relapses > 0 || p.positiveScreens > 0);
  const yAxis = hoursAxis(points.flatMap((p) => [p.attended, p.planned ?? 0, p.minimum ?? 0]));
  return { points, bands, markers, yAxis };
}

export interface HoursAxis {
  max: number;
  ticks: number[];
}

/**
 * The hours axis: a round maximum at least a fifth above the largest value shown (hours
 * attended, planned or the minimum), so that no line runs along the top edge and the
 * phase names above the bars stay clear, with about five round steps up to it.
 */
export function hoursAxis(values: number[]): HoursAxis {
  const largest = Math.max(0, ...values.filter(Number.isFinite));
  const wanted = largest > 0 ? largest * 1.2 : 5;
  const raw = wanted / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const max = Math.ceil(wanted / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + 1e-9; i += 1) ticks.push(round1(i * step));
  return { max: round1(max), ticks };
}

export interface Rates {
  attended: number;
  scheduled: number;
  homeworkDone: number;
  homeworkDue: number;
  weeks: number;
}

/** Attendance (hours) and homework over the last `weeks` weeks, with their counts. */
export function recentRates(progress: Progress, weeks = 2): Rates {
  const recent = progress.weeks.slice(-weeks);
  return {
    attended: round1(recent.reduce((sum, w) => sum + w.hours_attended, 0)),
    scheduled: round1(recent.reduce((sum, w) => sum + w.hours_scheduled, 0)),
    homeworkDone: recent.reduce((sum, w) => sum + w.homework_completed, 0),
    homeworkDue: recent.reduce((sum, w) => sum + w.homework_due, 0),
    weeks: recent.length,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
