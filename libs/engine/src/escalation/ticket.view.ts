import type { Ticket } from '@qianqi/domain';
import { TASK_FORCES, type TaskForceCode } from '@qianqi/workflows';

/**
 * The public shape of a ticket, the same from every route (GET and the actions): its fields plus
 * the task force's Chinese name and who holds the current level.
 */
export function ticketView(t: Ticket) {
  const holder = t.level === 1 ? t.taskForce : t.level === 2 ? 'supervision' : 'leader';
  return {
    ...t,
    taskForceName: TASK_FORCES[t.taskForce as TaskForceCode] ?? t.taskForce,
    holder,
  };
}

export type TicketView = ReturnType<typeof ticketView>;
