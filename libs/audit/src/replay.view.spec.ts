import { computeDeadline, endOfShanghaiDay, shanghaiDate, WorkingDayCalendar } from '@qianqi/calendar';
import { procedureView, ValidationError, type DeadlineCalculator } from '@qianqi/domain';
import { DEFAULT_CATALOGUE, ProcedureLogic } from '@qianqi/workflows';
import { auditScenario, buildStream, hour } from '../../../test/support/audit-stream';
import { parseAsOf, replayView } from './replay.view';

const calendar = WorkingDayCalendar.bundled();
const deadlines: DeadlineCalculator = {
  deadline: (input) => computeDeadline(calendar, input),
  workingDaysAfter: (at, days) => {
    const { date, provisional } = calendar.addWorkingDays(shanghaiDate(at), days);
    return { dueAt: endOfShanghaiDay(date), provisional };
  },
};
const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const steps = auditScenario();
const full = buildStream(DEFAULT_CATALOGUE, steps, {
  commitmentDueAt: (at, d) => deadlines.workingDaysAfter(at, d).dueAt,
});
const at = (asOf: string) =>
  replayView(logic, full.events, { procedureId: full.procedureId, asOf, until: asOf, deadlines });
const item = (view: ReturnType<typeof at>, key: string) => view!.items.find((i) => i.key === key)!;

describe('parseAsOf', () => {
  it.each([
    ['2026-03-05T10:00:00Z', '2026-03-05T10:00:00.000Z'],
    ['2026-03-05T10:00:00+08:00', '2026-03-05T02:00:00.000Z'],
    ['2026-03-05T10:00Z', '2026-03-05T10:00:00.000Z'],
    ['2026-03-05T10:00:00.123456-05:00', '2026-03-05T15:00:00.123Z'],
    ['2026-03-05', '2026-03-05T15:59:59.999Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseAsOf(input)).toBe(expected);
  });

  it.each([
    'yesterday',
    '2026-02-30',
    '2026-03-05T10:00:00',
    '2026-03-05T25:00:00Z',
    '2026-03-05 10:00:00Z',
    '',
  ])('refuses %p naming at', (input) => {
    try {
      parseAsOf(input);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).errors[0].field).toBe('at');
    }
  });
});

describe('replayView', () => {
  it('at the moment of each command is the view the command answered, computed from the stream up to it', () => {
    steps.forEach((step, i) => {
      const prefix = buildStream(DEFAULT_CATALOGUE, steps.slice(0, i + 1), {
        commitmentDueAt: (a, d) => deadlines.workingDaysAfter(a, d).dueAt,
      });
      const live = procedureView(
        logic,
        prefix.state,
        { id: prefix.procedureId, projectId: prefix.projectId, version: prefix.events.length },
        { now: step.at, deadlines },
      );
      expect({ step: i, view: at(step.at) }).toEqual({
        step: i,
        view: { ...live, asOf: step.at, eventsApplied: i + 2 },
      });
    });
  });

  it('before and after 容缺受理', () => {
    const before = at(new Date(Date.parse(hour(2)) - 1).toISOString());
    expect(item(before, 'eia')).toMatchObject({
      status: 'submitted',
      acceptedAt: null,
      commitments: [],
      committedDueAt: null,
    });
    const after = at(hour(2));
    expect(item(after, 'eia')).toMatchObject({
      status: 'in_review',
      acceptedAt: hour(2),
      missingMaterials: ['public_participation'],
    });
    expect(item(after, 'eia').commitments).toEqual([
      expect.objectContaining({ material: 'public_participation', status: 'open', dueInWorkingDays: 5 }),
    ]);
    expect(item(after, 'eia').committedDueAt).not.toBeNull();
  });

  it('during and after 补正: the item waits, then is submitted again', () => {
    expect(item(at(hour(5)), 'energy_review')).toMatchObject({
      status: 'correcting',
      correction: { reason: '缺评审意见', missing: ['energy_opinion'] },
    });
    expect(item(at(hour(24 + 1)), 'energy_review')).toMatchObject({ status: 'submitted', correction: null });
  });

  it('during a special procedure the clock stands still; after it, the days in it are not counted', () => {
    const during = item(at(hour(5 * 24)), 'eia');
    expect(during).toMatchObject({ status: 'paused', clock: { running: false, paused: true } });
    expect(during.clock.pausedSpans).toEqual([
      expect.objectContaining({ kind: 'expert_review', from: hour(48 + 1), to: null }),
    ]);
    const endOfPause = item(at(hour(7 * 24 + 1)), 'eia');
    expect(endOfPause.status).toBe('in_review');
    expect(endOfPause.clock.pausedSpans[0].to).toBe(hour(7 * 24 + 1));
    // Accepted Monday 03-02, paused Wednesday 03-04 until Monday 03-09: two working days used, not five.
    expect(endOfPause.workingDaysUsed).toBe(during.workingDaysUsed);
    expect(endOfPause.workingDaysUsed).toBeLessThanOrEqual(2);
  });

  it('to the end is the final state; before the registration there is nothing', () => {
    const end = replayView(logic, full.events, {
      procedureId: full.procedureId,
      asOf: hour(1000),
      until: null,
      deadlines,
    });
    expect(end!.version).toBe(full.events.length);
    expect(end!.eventsApplied).toBe(full.events.length);
    expect(item(end, 'eia').status).toBe('approved');
    expect(at('2026-01-01T00:00:00.000Z')).toBeNull();
  });
});
