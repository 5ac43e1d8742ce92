import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../lib/api';
import { hoursAxis, recentRates, toChartData } from './progressData';

const week = (over: Partial<Schemas['ProgressWeek']>): Schemas['ProgressWeek'] => ({
  week_start: '2026-11-02',
  phase_id: 'p1',
  phase_name: 'Phase 1',
  planned_hours_per_week: 12,
  level_hours_min: 9,
  hours_scheduled: 12,
  hours_attended: 10.04,
  attendance_rate: 0.84,
  unrecorded_sessions: 0,
  homework_due: 5,
  homework_completed: 4,
  events: [],
  ...over,
});

const progress = (weeks: Schemas['ProgressWeek'][]): Schemas['ProgressRead'] => ({
  enrollment_id: 'e',
  program_id: 'p',
  timezone: 'America/Chicago',
  weeks,
  current: { as_of: '2026-11-30', metrics: [], unrecorded_sessions: 0 },
});

describe('the progress chart data', () => {
  const data = progress([
    week({}),
    week({ week_start: '2026-11-09', events: [{ id: 'x', kind: 'relapse', occurred_on: '2026-11-10', result: null }] }),
    week({
      week_start: '2026-11-16',
      phase_name: 'Phase 2',
      planned_hours_per_week: 9,
      hours_attended: 9,
      events: [
        { id: 'y', kind: 'drug_screen', occurred_on: '2026-11-17', result: 'positive' },
        { id: 'z', kind: 'drug_screen', occurred_on: '2026-11-18', result: 'negative' },
      ],
    }),
    week({ week_start: '2026-11-23', phase_name: 'Phase 2', planned_hours_per_week: 9, hours_attended: 6.5, homework_due: 4, homework_completed: 2 }),
  ]);

  it('maps each week to its hours attended, planned and the level-of-care minimum', () => {
    const { points } = toChartData(data, new Date('2026-12-01T12:00:00Z'));
    expect(points.map((p) => p.attended)).toEqual([10, 10, 9, 6.5]);
    expect(points.map((p) => p.planned)).toEqual([12, 12, 9, 9]);
    expect(points[0]?.label).toBe('Mon 2 Nov');
  });

  it('gives the level-of-care minimum to every week, before admission and in every phase', () => {
    const withPreAdmission = progress([
      week({ week_start: '2026-10-26', phase_id: null, phase_name: null, planned_hours_per_week: null, hours_scheduled: 0, hours_attended: 0 }),
      ...data.weeks,
    ]);
    const { points, bands } = toChartData(withPreAdmission, new Date('2026-12-01T12:00:00Z'));
    expect(points.map((p) => p.minimum)).toEqual([9, 9, 9, 9, 9]);
    expect(points.map((p) => p.planned)).toEqual([null, 12, 12, 9, 9]);
    expect(bands.map((b) => b.phase)).toEqual(['No phase', 'Phase 1', 'Phase 2']);
  });

  it('puts the top of the hours axis above the largest line or bar, on a round number', () => {
    // Planned 12 a week was the axis' maximum: its line ran along the chart's top edge.
    const { yAxis } = toChartData(data, new Date('2026-12-01T12:00:00Z'));
    expect(yAxis.max).toBeGreaterThan(12);
    expect(yAxis).toEqual({ max: 15, ticks: [0, 5, 10, 15] });
    const attendedMost = progress([week({ hours_attended: 14.6, planned_hours_per_week: 12 })]);
    expect(toChartData(attendedMost).yAxis.max).toBe(20);
  });

  it('rounds the hours axis for any program size, and still draws one with nothing attended', () => {
    expect(hoursAxis([36, 35, 9]).max).toBe(50);
    expect(hoursAxis([16, 9]).max).toBe(20);
    expect(hoursAxis([7, 9]).max).toBe(15);
    expect(hoursAxis([3]).ticks).toEqual([0, 1, 2, 3, 4]);
    expect(hoursAxis([0, 0])).toEqual({ max: 5, ticks: [0, 1, 2, 3, 4, 5] });
    for (const largest of [0.5, 2, 7, 9, 12, 16, 20, 36, 40, 100]) {
      const axis = hoursAxis([largest]);
      expect(axis.max).toBeGreaterThanOrEqual(largest * 1.2);
      expect(axis.ticks.at(-1)).toBe(axis.max);
      expect(axis.ticks.length).toBeLessThanOrEqual(7);
    }
  });

  it('makes one band per run of weeks in the same phase', () => {
    const { bands } = toChartData(data, new Date('2026-12-01T12:00:00Z'));
    expect(bands).toEqual([
      { phase: 'Phase 1', from: 'Mon 2 Nov', to: 'Mon 9 Nov' },
      { phase: 'Phase 2', from: 'Mon 16 Nov', to: 'Mon 23 Nov' },
    ]);
  });

  it('marks relapses and positive screens, not negative ones', () => {
    const { markers } = toChartData(data, new Date('2026-12-01T12:00:00Z'));
    expect(markers.map((m) => [m.week, m.relapses, m.positiveScreens])).toEqual([
      ['2026-11-09', 1, 0],
      ['2026-11-16', 0, 1],
    ]);
  });

  it('sums the last two weeks for the rates beside the chart', () => {
    expect(recentRates(data)).toEqual({ attended: 15.5, scheduled: 24, homeworkDone: 6, homeworkDue: 9, weeks: 2 });
  });
});
