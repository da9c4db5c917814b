import type { Actor } from './actor';
import { DomainError, ErrorCode } from './domain.errors';
import {
  assertCanHandle,
  canSeeTicket,
  DEFAULT_LEVEL_LIMITS,
  holderOf,
  levelLimit,
  MAX_LEVEL,
  ticketCauseHolds,
} from './escalation';

/** The ladder of a 督办件 and who may act on it at each level (the API maps FORBIDDEN to 403). */
const LEADER = 'leader-zhang';
const ticket = (level: number) => ({ id: 't-1', level, taskForce: 'land' as const });

const who: Record<string, Actor> = {
  landTaskForce: { id: 'tf-land', name: '用地专班', role: 'taskforce', taskForce: 'land' },
  ecologyTaskForce: { id: 'tf-eco', name: '环保专班', role: 'taskforce', taskForce: 'ecology' },
  supervision: { id: 'tf-sup', name: '督导服务专班', role: 'taskforce', taskForce: 'supervision' },
  projectLeader: { id: LEADER, name: '包抓领导', role: 'leader' },
  otherLeader: { id: 'leader-li', name: '另一位领导', role: 'leader' },
  officer: { id: 'dep-1', name: '审批科员', role: 'department', department: 'natural-resources' },
  applicant: { id: 'app-1', name: '项目单位', role: 'applicant', org: 'org-a' },
  auditor: { id: 'aud-1', name: '审计员', role: 'auditor' },
  admin: { id: 'adm-1', name: '管理员', role: 'admin' },
};

function mayHandle(actor: Actor, level: number, leader: string | null = LEADER): boolean {
  try {
    assertCanHandle(actor, ticket(level), leader);
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.code === ErrorCode.FORBIDDEN) return false;
    throw err;
  }
}

describe('the escalation ladder', () => {
  it('has four levels with 3, 3 and 5 working days to respond; the top does not climb', () => {
    expect(MAX_LEVEL).toBe(4);
    expect(DEFAULT_LEVEL_LIMITS).toEqual([3, 3, 5]);
    expect([1, 2, 3, 4].map((l) => levelLimit(l))).toEqual([3, 3, 5, null]);
    expect(levelLimit(2, [1, 2, 3])).toBe(2);
  });

  it('is held by the routed 专班, then 督导服务专班, then the project leader', () => {
    expect(holderOf(ticket(1))).toEqual({ taskForce: 'land' });
    expect(holderOf(ticket(2))).toEqual({ taskForce: 'supervision' });
    expect(holderOf(ticket(3))).toEqual({ leader: true });
    expect(holderOf(ticket(4))).toEqual({ leader: true });
  });
});

describe('assertCanHandle — acknowledge, note, close, reopen', () => {
  it.each([
    // actor,            level 1, level 2, level 3, level 4
    ['landTaskForce', [true, false, false, false]],
    ['ecologyTaskForce', [false, false, false, false]],
    ['supervision', [false, true, false, false]],
    ['projectLeader', [false, false, true, true]],
    ['otherLeader', [false, false, false, false]],
    ['officer', [false, false, false, false]],
    ['applicant', [false, false, false, false]],
    ['auditor', [false, false, false, false]],
    ['admin', [true, true, true, true]],
  ] as const)('%s', (name, expected) => {
    expect([1, 2, 3, 4].map((level) => mayHandle(who[name], level))).toEqual(expected);
  });

  it('a project without a leader leaves levels 3 and 4 to admin', () => {
    expect(mayHandle(who.projectLeader, 3, null)).toBe(false);
    expect(mayHandle(who.admin, 3, null)).toBe(true);
  });

  it('the refusal names the holder', () => {
    expect(() => assertCanHandle(who.landTaskForce, ticket(2), LEADER)).toThrow(
      /level 2, held by task force supervision/,
    );
    expect(() => assertCanHandle(who.supervision, ticket(3), LEADER)).toThrow(/held by the project's leader/);
  });
});

describe('canSeeTicket', () => {
  it('applicants see their own projects, leaders the projects they lead, everyone else all', () => {
    const t = ticket(1);
    expect(canSeeTicket(who.applicant, t, LEADER, 'org-a')).toBe(true);
    expect(canSeeTicket(who.applicant, t, LEADER, 'org-b')).toBe(false);
    expect(canSeeTicket(who.projectLeader, t, LEADER, 'org-b')).toBe(true);
    expect(canSeeTicket(who.otherLeader, t, LEADER, 'org-b')).toBe(false);
    for (const name of ['ecologyTaskForce', 'officer', 'auditor', 'admin']) {
      expect(canSeeTicket(who[name], t, LEADER, 'org-b')).toBe(true);
    }
  });
});

describe('ticketCauseHolds — an unclosed ticket climbs only while what opened it still holds', () => {
  const commitment = (status: 'open' | 'fulfilled' | 'breached') => ({
    material: 'm',
    openedAt: '2026-03-02T02:00:00.000Z',
    dueAt: '2026-03-05T15:59:59.000Z',
    dueInWorkingDays: 3,
    status,
    fulfilledAt: status === 'fulfilled' ? '2026-03-09T02:00:00.000Z' : null,
    breachedAt: status === 'open' ? null : '2026-03-05T15:59:59.001Z',
  });
  const item = (overdue: boolean, ...statuses: ('open' | 'fulfilled' | 'breached')[]) => ({
    overdue,
    commitments: statuses.map(commitment),
  });

  it('OVERDUE: while the item is past its limit with its clock counting (running or stopped)', () => {
    for (const status of ['in_review', 'paused', 'correcting'] as const) {
      expect(ticketCauseHolds('OVERDUE', status, item(true))).toBe(true);
      expect(ticketCauseHolds('OVERDUE', status, item(false))).toBe(false);
    }
    // Decided, withdrawn or back to the applicant: nothing left for the department to be late with.
    for (const status of ['approved', 'provisionally_approved', 'denied', 'withdrawn', 'ready'] as const) {
      expect(ticketCauseHolds('OVERDUE', status, item(true))).toBe(false);
    }
  });

  it('COMMITMENT_BREACHED: while a broken commitment is not made good, whatever the item status', () => {
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'provisionally_approved', item(false, 'breached'))).toBe(
      true,
    );
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'in_review', item(false, 'fulfilled', 'breached'))).toBe(
      true,
    );
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'approved', item(false, 'fulfilled'))).toBe(false);
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'in_review', item(true, 'open'))).toBe(false);
    // The application is gone: the commitment can no longer be made good.
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'withdrawn', item(false, 'breached'))).toBe(false);
    expect(ticketCauseHolds('COMMITMENT_BREACHED', 'denied', item(false, 'breached'))).toBe(false);
  });
});
