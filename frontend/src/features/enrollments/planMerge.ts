import type { Schemas } from '../../lib/api';

export type Plan = Schemas['TreatmentPlanWrite'];
export type PlanField = keyof Plan;
export type Change = 'same' | 'mine' | 'theirs' | 'both';
export type Choice = 'mine' | 'theirs';

export const PLAN_FIELDS: { key: PlanField; label: string }[] = [
  { key: 'triggers', label: 'Triggers' },
  { key: 'coping_strategies', label: 'Coping strategies' },
  { key: 'sobriety_plan', label: 'Sobriety plan' },
  { key: 'goals', label: 'Goals' },
];

export function toWrite(plan: Schemas['TreatmentPlanRead'] | Plan): Plan {
  return {
    triggers: [...plan.triggers],
    coping_strategies: [...plan.coping_strategies],
    sobriety_plan: plan.sobriety_plan,
    goals: plan.goals.map((g) => ({ description: g.description, objectives: [...g.objectives], status: g.status })),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Who changed each field since the version both started from: me, them, both, or nobody. */
export function diffPlan(base: Plan, mine: Plan, theirs: Plan): Record<PlanField, Change> {
  const out = {} as Record<PlanField, Change>;
  for (const { key } of PLAN_FIELDS) {
    const mineChanged = !same(base[key], mine[key]);
    const theirsChanged = !same(base[key], theirs[key]);
    if (mineChanged && theirsChanged) out[key] = same(mine[key], theirs[key]) ? 'same' : 'both';
    else if (mineChanged) out[key] = 'mine';
    else if (theirsChanged) out[key] = 'theirs';
    else out[key] = 'same';
  }
  return out;
}

/** A field only one side changed keeps that change; a field both changed starts as mine. */
export function defaultChoices(diff: Record<PlanField, Change>): Record<PlanField, Choice> {
  const out = {} as Record<PlanField, Choice>;
  for (const { key } of PLAN_FIELDS) out[key] = diff[key] === 'theirs' ? 'theirs' : 'mine';
  return out;
}

export function mergePlan(mine: Plan, theirs: Plan, choices: Record<PlanField, Choice>): Plan {
  return {
    triggers: choices.triggers === 'mine' ? mine.triggers : theirs.triggers,
    coping_strategies: choices.coping_strategies === 'mine' ? mine.coping_strategies : theirs.coping_strategies,
    sobriety_plan: choices.sobriety_plan === 'mine' ? mine.sobriety_plan : theirs.sobriety_plan,
    goals: choices.goals === 'mine' ? mine.goals : theirs.goals,
  };
}

export function describeField(plan: Plan, key: PlanField): string {
  const value = plan[key];
  if (key === 'goals') {
    return plan.goals.length === 0
      ? '(none)'
      : plan.goals.map((g) => `${g.description} (${g.status.replace(/_/g, ' ')})`).join('\n');
  }
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join('\n');
  return typeof value === 'string' && value ? value : '(empty)';
}
