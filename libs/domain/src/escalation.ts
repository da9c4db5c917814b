import type { ItemContext, ItemStatus, TaskForceCode } from '@qianqi/workflows';
import type { Actor } from './actor';
import { ForbiddenError } from './domain.errors';
import { CLOCKED } from './lights';

export type EscalationReason = 'OVERDUE' | 'COMMITMENT_BREACHED';
export type EscalationStatus = 'open' | 'acknowledged' | 'closed';
export const MAX_LEVEL = 4;
/** Response limits of levels 1–3 in working days; level 4 (挂牌督办) is the top and does not climb. */
export const DEFAULT_LEVEL_LIMITS = [3, 3, 5];

export const ESCALATION_EVENTS = {
  opened: 'EscalationOpened',
  climbed: 'EscalationClimbed',
  acknowledged: 'EscalationAcknowledged',
  noted: 'EscalationNoteAdded',
  closed: 'EscalationClosed',
  reopened: 'EscalationReopened',
  /** The level ran out but the cause no longer held: the ticket stays open for 销号, climbing no further. */
  climbStopped: 'EscalationClimbStopped',
  /** The cause came back while the ticket was still open: its level's response limit runs again. */
  climbResumed: 'EscalationClimbResumed',
} as const;

export interface TicketNote {
  at: string;
  actorId: string;
  actorName: string;
  text: string;
}

export interface Ticket {
  id: string;
  projectId: string;
  procedureId: string;
  itemKey: string;
  reason: EscalationReason;
  taskForce: TaskForceCode;
  level: number;
  status: EscalationStatus;
  openedAt: string;
  dueAt: string | null;
  acknowledgedAt: string | null;
  closedAt: string | null;
  resolution: string | null;
  /** When the ticket stopped climbing because its cause no longer held; null while it climbs. */
  climbStoppedAt: string | null;
  notes: TicketNote[];
  history: { at: string; action: string; level: number; actorId: string | null; detail?: string }[];
}

/** Who holds a level: 1 the routed 专班, 2 督导服务专班, 3 and 4 the project's 包抓领导. */
export function holderOf(ticket: Pick<Ticket, 'level' | 'taskForce'>): {
  taskForce?: TaskForceCode;
  leader?: true;
} {
  if (ticket.level <= 1) return { taskForce: ticket.taskForce };
  if (ticket.level === 2) return { taskForce: 'supervision' };
  return { leader: true };
}

/** Members of the holding task force, the project's leader from level 3, admin; others are refused. */
export function assertCanHandle(
  actor: Actor,
  ticket: Pick<Ticket, 'level' | 'taskForce' | 'id'>,
  projectLeader: string | null,
): void {
  if (actor.role === 'admin') return;
  const holder = holderOf(ticket);
  if (holder.taskForce && actor.role === 'taskforce' && actor.taskForce === holder.taskForce) return;
  if (holder.leader && actor.role === 'leader' && projectLeader !== null && actor.id === projectLeader)
    return;
  const who = holder.taskForce ? `task force ${holder.taskForce}` : "the project's leader";
  throw new ForbiddenError(`ticket ${ticket.id} is at level ${ticket.level}, held by ${who}`, {
    level: ticket.level,
  });
}

/** Whether an actor may read a ticket (lists are filtered the same way). */
export function canSeeTicket(
  actor: Actor,
  ticket: Pick<Ticket, 'taskForce' | 'level'>,
  projectLeader: string | null,
  ownerOrg: string,
): boolean {
  switch (actor.role) {
    case 'applicant':
      return actor.org === ownerOrg;
    case 'leader':
      return actor.id === projectLeader;
    default:
      return true;
  }
}

export function levelLimit(level: number, limits: number[] = DEFAULT_LEVEL_LIMITS): number | null {
  return level >= 1 && level <= limits.length ? limits[level - 1] : null;
}

/** Statuses in which a broken commitment can no longer be made good: the application is gone. */
const ABANDONED: ItemStatus[] = ['withdrawn', 'denied'];

/**
 * Whether what opened a ticket still holds, so an unclosed ticket should climb: for OVERDUE the
 * item is still past its committed limit with its clock counting (not decided, withdrawn…); for
 * COMMITMENT_BREACHED a broken commitment of the item is still not made good. The item's state
 * is as the stream last left it; time alone never ends either cause, so it is current.
 */
export function ticketCauseHolds(
  reason: EscalationReason,
  status: ItemStatus,
  item: Pick<ItemContext, 'overdue' | 'commitments'>,
): boolean {
  if (reason === 'OVERDUE') return CLOCKED.includes(status) && item.overdue;
  return !ABANDONED.includes(status) && item.commitments.some((c) => c.status === 'breached');
}
