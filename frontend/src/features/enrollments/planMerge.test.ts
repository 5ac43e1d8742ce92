import { describe, expect, it } from 'vitest';
import { defaultChoices, diffPlan, mergePlan, type Plan } from './planMerge';

const base: Plan = {
  triggers: ['payday'],
  coping_strategies: ['call sponsor'],
  sobriety_plan: 'Meetings three times a week.',
  goals: [{ description: 'Return to work', objectives: [], status: 'in_progress' }],
};

describe('the treatment plan merge after a 412', () => {
  const mine: Plan = { ...base, triggers: ['payday', 'old friends'], sobriety_plan: 'Meetings daily.' };
  const theirs: Plan = { ...base, coping_strategies: ['call sponsor', 'walk'], sobriety_plan: 'Meetings four times a week.' };

  it('says who changed each field', () => {
    expect(diffPlan(base, mine, theirs)).toEqual({
      triggers: 'mine',
      coping_strategies: 'theirs',
      sobriety_plan: 'both',
      goals: 'same',
    });
  });

  it('keeps each side’s own changes and, by default, my version where both changed', () => {
    const choices = defaultChoices(diffPlan(base, mine, theirs));
    expect(mergePlan(mine, theirs, choices)).toEqual({
      ...base,
      triggers: ['payday', 'old friends'],
      coping_strategies: ['call sponsor', 'walk'],
      sobriety_plan: 'Meetings daily.',
    });
  });

  it('takes their version of a field when chosen', () => {
    const choices = { ...defaultChoices(diffPlan(base, mine, theirs)), sobriety_plan: 'theirs' as const };
    expect(mergePlan(mine, theirs, choices).sobriety_plan).toBe('Meetings four times a week.');
  });

  it('treats the same edit on both sides as no conflict', () => {
    const same: Plan = { ...base, sobriety_plan: 'Meetings daily.' };
    expect(diffPlan(base, same, same).sobriety_plan).toBe('same');
  });
});
