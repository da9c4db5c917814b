import { Injectable } from '@nestjs/common';
import { shanghaiDate } from '@qianqi/calendar';
import { ForbiddenError, type Actor } from '@qianqi/domain';
import { ItemQueries } from '@qianqi/persistence';
import { CalendarDeadlines } from '../calendar-deadlines';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';

export interface ItemListQuery {
  department?: string;
  status?: string;
  light?: string;
  page: number;
  pageSize: number;
}

/** What an officer's desk shows: each item, its light and the working days left. */
@Injectable()
export class ItemDeskQueries {
  constructor(
    private readonly items: ItemQueries,
    private readonly definitions: DefinitionsService,
    private readonly deadlines: CalendarDeadlines,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, q: ItemListQuery) {
    // An officer's desk is their own department's: asking for another is refused, not ignored.
    if (actor.role === 'department' && q.department && q.department !== actor.department) {
      throw new ForbiddenError(
        `department ${actor.department ?? 'none'} may not list the items of ${q.department}`,
        { field: 'department', department: q.department },
      );
    }
    const department = actor.role === 'department' ? actor.department : q.department;
    const { items, total } = await this.items.list({
      department,
      status: q.status,
      light: q.light,
      ownerOrg: actor.role === 'applicant' ? actor.org : undefined,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    const today = shanghaiDate(this.clock.now());
    const cal = this.deadlines.current;
    return {
      total,
      page: q.page,
      pageSize: q.pageSize,
      items: items.map((i) => {
        const def = this.definitions.registry.get(i.definition)?.logic.item(i.itemKey);
        let workingDaysLeft: number | null = null;
        if (i.committedDueAt && ['in_review', 'paused', 'correcting'].includes(i.status)) {
          const due = shanghaiDate(i.committedDueAt);
          workingDaysLeft =
            due >= today ? cal.workingDaysBetween(today, due).days : -cal.workingDaysBetween(due, today).days;
        }
        return { ...i, name: def?.name ?? i.itemKey, workingDaysLeft };
      }),
    };
  }
}
