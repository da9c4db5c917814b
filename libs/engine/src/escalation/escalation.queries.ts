import { Injectable } from '@nestjs/common';
import { NotFoundError, ForbiddenError, canSeeTicket, type Actor } from '@qianqi/domain';
import { EscalationStore, ProjectQueries } from '@qianqi/persistence';
import { TASK_FORCES, type TaskForceCode } from '@qianqi/workflows';
import { ticketView } from './ticket.view';

export { ticketView } from './ticket.view';

export interface TicketListQuery {
  taskForce?: string;
  level?: number;
  status?: string;
  projectId?: string;
  page: number;
  pageSize: number;
}

@Injectable()
export class EscalationQueries {
  constructor(
    private readonly tickets: EscalationStore,
    private readonly projects: ProjectQueries,
  ) {}

  async list(actor: Actor, q: TicketListQuery) {
    const { items, total } = await this.tickets.list({
      taskForce: q.taskForce,
      level: q.level,
      status: q.status,
      projectId: q.projectId,
      leader: actor.role === 'leader' ? actor.id : undefined,
      ownerOrg: actor.role === 'applicant' ? actor.org : undefined,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    return { items: items.map(ticketView), total, page: q.page, pageSize: q.pageSize };
  }

  async one(actor: Actor, id: string) {
    const t = await this.tickets.byId(id);
    if (!t) throw new NotFoundError('escalation', id);
    const project = await this.projects.byId(t.projectId);
    if (!project || !canSeeTicket(actor, t, project.leader, project.ownerOrg)) {
      throw new ForbiddenError(`ticket ${id} is not visible to ${actor.role} ${actor.id}`);
    }
    return ticketView(t);
  }

  /** 销号率 = closed / opened, per task force, for tickets opened in [from, to). */
  async stats(from: string, to: string) {
    const rows = await this.tickets.stats(from, to);
    return rows.map((r) => ({
      taskForce: r.taskForce,
      taskForceName: TASK_FORCES[r.taskForce as TaskForceCode] ?? r.taskForce,
      opened: r.opened,
      closed: r.closed,
      closeRate: r.opened ? Math.round((r.closed / r.opened) * 10_000) / 10_000 : 0,
    }));
  }
}
