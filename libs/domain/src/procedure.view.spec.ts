import {
  DEFAULT_CATALOGUE,
  ProcedureLogic,
  toMachineEvent,
  type ApprovalMode,
  type ItemEventType,
  type PersistedProcedure,
} from '@qianqi/workflows';
import { calculator, endOf, pastEndOf, sh } from './deadline.fixture';
import { procedureView, type ItemView } from './procedure.view';

/**
 * Item clocks as GET /procedures/:id shows them: computed from the snapshot, the definition's
 * limits and the calendar (bundled 2026: 春节 2/15–23 off, 调休 2/14 and 2/28 worked).
 * 水土保持方案 (soil_water): committed 10 WD, statutory 20 WD.
 */
const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const calc = calculator();

type Step = [item: string, type: ItemEventType, payload: Record<string, unknown>, at: string];

function run(steps: Step[], mode: ApprovalMode = 'verification'): PersistedProcedure {
  let state = logic.start({ procedureId: 'proc-1', projectId: 'proj-1', approvalMode: mode });
  for (const [item, type, payload, at] of steps) {
    const r = logic.apply(state, toMachineEvent(item, type, payload as never, at));
    if (!r.changed) throw new Error(`${item}.${type} refused at ${at}`);
    state = r.state;
  }
  return state;
}

function view(state: PersistedProcedure, now: string, key = 'soil_water', deadlines = calc): ItemView {
  return procedureView(
    logic,
    state,
    { id: 'proc-1', projectId: 'proj-1', version: 1 },
    { now, deadlines },
  ).items.find((i) => i.key === key)!;
}

const clockOf = (v: ItemView) => ({
  committedDueAt: v.committedDueAt,
  statutoryDueAt: v.statutoryDueAt,
  workingDaysUsed: v.workingDaysUsed,
  workingDaysLeft: v.workingDaysLeft,
  provisional: v.provisional,
});

const submitted: Step = [
  'soil_water',
  'SUBMIT',
  { materials: ['swc_plan', 'swc_commitment'] },
  sh('2026-02-09 09:00'),
];
const accepted: Step = ['soil_water', 'ACCEPT', {}, sh('2026-02-09 10:00')];

describe('procedureView — item clocks across 春节', () => {
  // Accepted Mon 2/9 (day 0): 2/10 1, 2/11 2, 2/12 3, 2/13 4, 2/14 (Sat, 调休) 5, 2/15–23 off,
  // 2/24 6, 2/25 7, 2/26 8, 2/27 9, 2/28 (Sat, 调休) 10 → committed due 2/28;
  // 3/2–3/6 11–15, 3/9–3/13 16–20 → statutory due 3/13.
  const state = run([submitted, accepted]);

  it('has no clock before acceptance', () => {
    expect(clockOf(view(run([submitted]), sh('2026-02-09 09:30')))).toEqual({
      committedDueAt: null,
      statutoryDueAt: null,
      workingDaysUsed: null,
      workingDaysLeft: null,
      provisional: false,
    });
  });

  it.each([
    ['on the day of acceptance', sh('2026-02-09 18:00'), 0],
    ['on Fri 2/13', sh('2026-02-13 10:00'), 4],
    ['mid-holiday (2/14 make-up counted, 2/15–20 not)', sh('2026-02-20 10:00'), 5],
    ['on the Saturday make-up due day 2/28', sh('2026-02-28 10:00'), 10],
    ['on Mon 3/2, overdue', sh('2026-03-02 10:00'), 11],
  ])('%s: used %i', (_label, now, used) => {
    expect(clockOf(view(state, now))).toEqual({
      committedDueAt: endOf('2026-02-28'),
      statutoryDueAt: endOf('2026-03-13'),
      workingDaysUsed: used,
      workingDaysLeft: 10 - used,
      provisional: false,
    });
  });

  it('freezes at the decision: approved on 2/26, the clock shows 8 used ever after', () => {
    const approved = run([
      submitted,
      accepted,
      ['soil_water', 'APPROVE', { documentNo: '衢水保〔2026〕3号' }, sh('2026-02-26 15:00')],
    ]);
    expect(clockOf(view(approved, sh('2026-04-01 10:00')))).toMatchObject({
      workingDaysUsed: 8,
      workingDaysLeft: 2,
    });
  });
});

describe('procedureView — clock stops move the due dates (行政许可法 §45)', () => {
  const paused: Step = [
    'soil_water',
    'START_SPECIAL_PROCEDURE',
    { kind: 'expert_review', reason: '组织专家评审' },
    sh('2026-02-12 10:00'),
  ];
  const resumed: Step = ['soil_water', 'END_SPECIAL_PROCEDURE', {}, sh('2026-02-25 10:00')];

  it('while paused the due date moves day by day and used stays put', () => {
    // Stopped Thu 2/12: 2/12 still counts (3 used). Seen on Tue 2/24 the stop removes 2/13, 2/14
    // and 2/24: 2/25 4, 2/26 5, 2/27 6, 2/28 7, 3/2 8, 3/3 9, 3/4 10 → due 3/4.
    const state = run([submitted, accepted, paused]);
    const v = view(state, sh('2026-02-24 10:00'));
    expect(v.status).toBe('paused');
    expect(v.clock).toMatchObject({ running: false, paused: true });
    expect(v.clock.pausedSpans).toEqual([
      { kind: 'expert_review', reason: '组织专家评审', from: sh('2026-02-12 10:00'), to: null },
    ]);
    expect(clockOf(v)).toMatchObject({
      committedDueAt: endOf('2026-03-04'),
      workingDaysUsed: 3,
      workingDaysLeft: 7,
    });
    // One working day later (Wed 2/25, still paused) the due date is one working day later too.
    expect(clockOf(view(state, sh('2026-02-25 09:00')))).toMatchObject({
      committedDueAt: endOf('2026-03-05'),
      workingDaysUsed: 3,
    });
  });

  it('once ended, the stopped working days are added to both limits', () => {
    // Removed: 2/13, 2/14, 2/24, 2/25 (the restart day does not count). 2/10–2/12 1–3, 2/26 4,
    // 2/27 5, 2/28 6, 3/2 7, 3/3 8, 3/4 9, 3/5 10 → committed 3/5; 3/6 11, 3/9–13 12–16,
    // 3/16 17, 3/17 18, 3/18 19, 3/19 20 → statutory 3/19 (without the stop: 2/28 and 3/13).
    const state = run([submitted, accepted, paused, resumed]);
    const v = view(state, sh('2026-02-26 10:00'));
    expect(v.clock.running).toBe(true);
    expect(clockOf(v)).toEqual({
      committedDueAt: endOf('2026-03-05'),
      statutoryDueAt: endOf('2026-03-19'),
      workingDaysUsed: 4,
      workingDaysLeft: 6,
      provisional: false,
    });
  });

  it('a correction during review stops the clock until resubmission', () => {
    // Returned Tue 2/10 (2/10 counts: 1), resubmitted Thu 2/12: 2/11 and 2/12 removed; 2/13 2,
    // 2/14 3, 2/24 4, 2/25 5, 2/26 6, 2/27 7, 2/28 8, 3/2 9, 3/3 10 → due 3/3.
    const returned: Step = [
      'soil_water',
      'RETURN_FOR_CORRECTION',
      { reason: '缴费凭证不清晰', missing: ['swc_commitment'] },
      sh('2026-02-10 10:00'),
    ];
    const correcting = run([submitted, accepted, returned]);
    expect(view(correcting, sh('2026-02-11 10:00')).clock).toMatchObject({ running: false, paused: true });
    const state = run([
      submitted,
      accepted,
      returned,
      ['soil_water', 'RESUBMIT', { materials: ['swc_commitment'] }, sh('2026-02-12 10:00')],
    ]);
    const v = view(state, sh('2026-02-13 10:00'));
    expect(v.status).toBe('in_review');
    expect(clockOf(v)).toMatchObject({
      committedDueAt: endOf('2026-03-03'),
      workingDaysUsed: 2,
      workingDaysLeft: 8,
    });
  });

  it('a correction before acceptance does not count: the clock starts at acceptance', () => {
    // Returned and resubmitted before acceptance on Tue 2/10 (day 0): 2/11 1 … 2/14 4,
    // 2/24 5 … 2/28 9, 3/2 10 → due 3/2.
    const state = run([
      ['soil_water', 'SUBMIT', { materials: ['swc_plan'] }, sh('2026-02-09 09:00')],
      [
        'soil_water',
        'RETURN_FOR_CORRECTION',
        { reason: '缺缴费凭证', missing: ['swc_commitment'] },
        sh('2026-02-09 11:00'),
      ],
      ['soil_water', 'RESUBMIT', { materials: ['swc_commitment'] }, sh('2026-02-10 09:00')],
      ['soil_water', 'ACCEPT', {}, sh('2026-02-10 10:00')],
    ]);
    expect(clockOf(view(state, sh('2026-02-13 10:00')))).toMatchObject({
      committedDueAt: endOf('2026-03-02'),
      workingDaysUsed: 3,
    });
  });
});

describe('procedureView — a deadline in a year the calendar does not know', () => {
  // Accepted Mon 2026-12-14; 2027 is not in the bundled data, so it counts weekends only:
  // 12/15–18 1–4, 12/21–25 5–9, 12/28–31 10–13, 1/1 (Fri) 14, 1/4–8 15–19, 1/11 20.
  const state = run([
    ['soil_water', 'SUBMIT', { materials: ['swc_plan', 'swc_commitment'] }, sh('2026-12-14 09:00')],
    ['soil_water', 'ACCEPT', {}, sh('2026-12-14 10:00')],
  ]);

  it('is provisional until the year is loaded, then moves onto its days off', () => {
    expect(clockOf(view(state, sh('2026-12-15 10:00')))).toMatchObject({
      statutoryDueAt: endOf('2027-01-11'),
      provisional: true,
    });
    // With 2027 loaded and 1/1 off: 1/4–8 14–18, 1/11 19, 1/12 20.
    const loaded = calculator([{ year: 2027, daysOff: ['2027-01-01'], workdays: [] }]);
    expect(clockOf(view(state, sh('2026-12-15 10:00'), 'soil_water', loaded))).toMatchObject({
      statutoryDueAt: endOf('2027-01-12'),
      provisional: false,
    });
  });

  it('the item is provisional when either of its limits reaches into the unknown year', () => {
    // Committed 10 WD ends 12/28, in 2026; the statutory 20 WD runs into 2027.
    const v = view(state, sh('2026-12-15 10:00'));
    expect(v.committedDueAt).toBe(endOf('2026-12-28'));
    expect(v.provisional).toBe(true);
  });
});

describe('procedureView — a 容缺 commitment counted into a year the calendar does not know', () => {
  // 环评 accepted with 容缺 Mon 2026-12-14, 15 WD to supply. Weekends only: 12/15–18 1–4,
  // 12/21–25 5–9, 12/28–31 10–13, 1/1 14, 1/4 15 → 1/4. With 1/1 and 1/4 off: 1/5 14, 1/6 15 → 1/6.
  const accepted: Step[] = [
    ['eia', 'SUBMIT', { materials: ['eia_report'] }, sh('2026-12-14 09:00')],
    [
      'eia',
      'ACCEPT_WITH_TOLERANCE',
      { dueInWorkingDays: 15, commitmentDueAt: calc.workingDaysAfter(sh('2026-12-14 10:00'), 15).dueAt },
      sh('2026-12-14 10:00'),
    ],
  ];
  const loaded = calculator([{ year: 2027, daysOff: ['2027-01-01', '2027-01-04'], workdays: [] }]);
  const dues = (v: ItemView) => v.commitments.map((c) => [c.status, c.dueAt, c.provisional]);

  it('is provisional while open, and moves when the year is loaded', () => {
    const state = run(accepted);
    const before = view(state, sh('2026-12-15 10:00'), 'eia');
    expect(dues(before)[0]).toEqual(['open', endOf('2027-01-04'), true]);
    expect(before.provisional).toBe(true);
    expect(dues(view(state, sh('2026-12-15 10:00'), 'eia', loaded))[0]).toEqual([
      'open',
      endOf('2027-01-06'),
      false,
    ]);
  });

  it('once broken, shows the date it was broken on, whatever is loaded later', () => {
    const state = run([
      ...accepted,
      [
        'eia',
        'BREACH_COMMITMENTS',
        { materials: ['public_participation', 'expert_opinion'] },
        pastEndOf('2027-01-04'),
      ],
    ]);
    expect(dues(view(state, sh('2027-01-05 09:00'), 'eia', loaded))[0]).toEqual([
      'breached',
      endOf('2027-01-04'),
      false,
    ]);
  });
});
