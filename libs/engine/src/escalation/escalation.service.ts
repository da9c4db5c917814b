import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  actorMetadata,
  assertCanHandle,
  chainEvents,
  DEFAULT_LEVEL_LIMITS,
  DomainError,
  ErrorCode,
  ESCALATION_EVENTS,
  levelLimit,
  MAX_LEVEL,
  NotFoundError,
  SYSTEM_ACTOR,
  ticketCauseHolds,
  type Actor,
  type DeadlineCalculator,
  type EscalationReason,
  type EventMetadata,
  type NewEvent,
  type Ticket,
} from '@qianqi/domain';
import {
  DataSource,
  EscalationStore,
  ProcedureStore,
  TimerStore,
  type ArmedTimer,
  type EntityManager,
  type LoadedProcedure,
} from '@qianqi/persistence';
import type { TaskForceCode } from '@qianqi/workflows';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { TimerScheduler } from '../timers/timer-scheduler.port';
import { retryTransient } from '../timers/transient-retry';
import { DEADLINES } from '../tokens';
import { ticketView, type TicketView } from './ticket.view';

export const LEVEL_LIMITS = Symbol('EscalationLevelLimits');

export interface TicketRequest {
  itemKey: string;
  reason: EscalationReason;
  detail?: Record<string, unknown>;
}

/**
 * 督办件: opened when an item turns red or a commitment breaks, routed to a 专班, climbing a
 * ladder of levels until 销号 — while its cause holds: a level that runs out after the item was
 * decided or the commitment made good stops the climb (the ticket stays open for 销号), and the
 * cause coming back resumes it. Each change is an event in the procedure's stream and a row in
 * the tickets read model, written in one transaction with the procedure locked first (then the
 * ticket, then timers: the one lock order of every writer).
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly ds: DataSource,
    private readonly tickets: EscalationStore,
    private readonly store: ProcedureStore,
    private readonly timers: TimerStore,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly scheduler: TimerScheduler,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
    @Optional() @Inject(LEVEL_LIMITS) private readonly limits: number[] = DEFAULT_LEVEL_LIMITS,
  ) {}

  private dueFor(level: number, at: string): string | null {
    const days = levelLimit(level, this.limits);
    if (days === null || !this.deadlines) return null;
    return this.deadlines.workingDaysAfter(at, days).dueAt;
  }

  /** Opens the tickets not already open, inside the caller's transaction; returns their events. */
  async openInTx(
    manager: EntityManager,
    loaded: LoadedProcedure,
    requests: TicketRequest[],
    at: string,
  ): Promise<{ events: NewEvent[]; armed: ArmedTimer[] }> {
    const { logic } = this.definitions.get(loaded.definition);
    const events: NewEvent[] = [];
    const armed: ArmedTimer[] = [];
    for (const req of requests) {
      const item = logic.item(req.itemKey);
      if (!item) continue;
      const routed = await this.tickets.routeFor(item.department, loaded.project.region, manager);
      const ticket: Ticket = {
        id: randomUUID(),
        projectId: loaded.projectId,
        procedureId: loaded.procedureId,
        itemKey: req.itemKey,
        reason: req.reason,
        taskForce: (routed ?? item.taskForce) as TaskForceCode,
        level: 1,
        status: 'open',
        openedAt: at,
        dueAt: this.dueFor(1, at),
        acknowledgedAt: null,
        closedAt: null,
        resolution: null,
        climbStoppedAt: null,
        notes: [],
        history: [{ at, action: 'opened', level: 1, actorId: null }],
      };
      const opened = await this.tickets.openIfAbsent(ticket, manager);
      if (!opened) {
        const resumed = await this.resumeInTx(manager, loaded.procedureId, req, at);
        if (resumed) {
          events.push(resumed.event);
          if (resumed.timer) armed.push(resumed.timer);
        }
        continue;
      }
      events.push({
        type: ESCALATION_EVENTS.opened,
        data: {
          ticketId: ticket.id,
          itemKey: ticket.itemKey,
          reason: ticket.reason,
          taskForce: ticket.taskForce,
          level: 1,
          dueAt: ticket.dueAt,
          ...req.detail,
        },
      });
      const timer = await this.armLevel(manager, ticket);
      if (timer) armed.push(timer);
    }
    return { events, armed };
  }

  /** After a command: open tickets for what it turned red (the timer path does this in its own write). */
  async openAfterCommit(procedureId: string, requests: TicketRequest[], at: string): Promise<void> {
    if (!requests.length) return;
    const armed = await this.ds.transaction(async (m) => {
      const loaded = await this.store.load(procedureId, { manager: m, forUpdate: true });
      if (!loaded) return [];
      const opened = await this.openInTx(m, loaded, requests, at);
      if (opened.events.length) await this.appendTicketEvents(m, loaded, opened.events, at, SYSTEM_ACTOR);
      return opened.armed;
    });
    await this.scheduler.deliver(armed);
  }

  /**
   * The cause of an open ticket came back (the item went red again, another commitment broke)
   * while it had stopped climbing: its level's response limit runs again from `at`.
   */
  private async resumeInTx(
    manager: EntityManager,
    procedureId: string,
    req: TicketRequest,
    at: string,
  ): Promise<{ event: NewEvent; timer: ArmedTimer | null } | null> {
    const ticket = await this.tickets.openFor(procedureId, req.itemKey, req.reason, manager);
    if (!ticket || !ticket.climbStoppedAt) return null;
    ticket.climbStoppedAt = null;
    ticket.dueAt = this.dueFor(ticket.level, at);
    ticket.history.push({ at, action: 'climb_resumed', level: ticket.level, actorId: null });
    await this.tickets.save(ticket, at, manager);
    const timer = await this.armLevel(manager, ticket);
    return {
      event: {
        type: ESCALATION_EVENTS.climbResumed,
        data: {
          ticketId: ticket.id,
          itemKey: ticket.itemKey,
          reason: ticket.reason,
          level: ticket.level,
          dueAt: ticket.dueAt,
          ...req.detail,
        },
      },
      timer,
    };
  }

  /**
   * The ESCALATION_LEVEL timer ran out: an unclosed ticket climbs one level, to a new holder who
   * must acknowledge it afresh — if its cause still holds. If not (the item was decided or
   * withdrawn, the broken commitment made good), it stays open at its level for 销号 and stops
   * climbing, its level timer cancelled. The caller holds the procedure's lock.
   */
  async climbInTx(manager: EntityManager, ticketId: string, at: string): Promise<ArmedTimer[]> {
    const ticket = await this.tickets.byId(ticketId, manager, true);
    if (!ticket || ticket.status === 'closed' || ticket.level >= MAX_LEVEL) return [];
    const loaded = await this.store.load(ticket.procedureId, { manager, forUpdate: true });
    if (!loaded) return [];
    const when = loaded.updatedAt > at ? loaded.updatedAt : at;
    const { logic } = this.definitions.get(loaded.definition);
    const status = logic.status(loaded.state, ticket.itemKey);
    const item = loaded.state.context.items[ticket.itemKey];
    if (!item || !ticketCauseHolds(ticket.reason, status, item)) {
      ticket.dueAt = null;
      ticket.climbStoppedAt = when;
      ticket.history.push({ at: when, action: 'climb_stopped', level: ticket.level, actorId: null });
      await this.tickets.save(ticket, when, manager);
      await this.appendTicketEvents(
        manager,
        loaded,
        [
          {
            type: ESCALATION_EVENTS.climbStopped,
            data: {
              ticketId,
              itemKey: ticket.itemKey,
              reason: ticket.reason,
              level: ticket.level,
              itemStatus: status,
            },
          },
        ],
        when,
        SYSTEM_ACTOR,
      );
      await this.armLevel(manager, ticket);
      return [];
    }
    ticket.level += 1;
    ticket.dueAt = this.dueFor(ticket.level, when);
    // A new holder: the acknowledgement of the level below was not theirs.
    ticket.status = 'open';
    ticket.acknowledgedAt = null;
    ticket.history.push({ at: when, action: 'climbed', level: ticket.level, actorId: null });
    await this.tickets.save(ticket, when, manager);
    await this.appendTicketEvents(
      manager,
      loaded,
      [
        {
          type: ESCALATION_EVENTS.climbed,
          data: { ticketId, itemKey: ticket.itemKey, level: ticket.level, dueAt: ticket.dueAt },
        },
      ],
      when,
      SYSTEM_ACTOR,
    );
    const timer = await this.armLevel(manager, ticket);
    return timer ? [timer] : [];
  }

  /** Arms the ticket's level timer for just after its due time, or cancels it (no due time, closed). */
  private armLevel(manager: EntityManager, t: Ticket): Promise<ArmedTimer | null> {
    return this.timers.arm(
      {
        kind: 'ESCALATION_LEVEL',
        procedureId: t.procedureId,
        target: `ticket:${t.id}`,
        dueAt: t.status === 'closed' || !t.dueAt ? null : after(t.dueAt),
      },
      manager,
    );
  }

  async acknowledge(actor: Actor, id: string) {
    return this.act(actor, id, (t, at) => {
      if (t.status !== 'open') throw ticketState(t, 'acknowledge', ['open']);
      t.status = 'acknowledged';
      t.acknowledgedAt = at;
      return { type: ESCALATION_EVENTS.acknowledged, data: {} };
    });
  }

  async addNote(actor: Actor, id: string, text: string) {
    return this.act(actor, id, (t, at) => {
      if (t.status === 'closed') throw ticketState(t, 'add a note to', ['open', 'acknowledged']);
      t.notes.push({ at, actorId: actor.id, actorName: actor.name, text });
      return { type: ESCALATION_EVENTS.noted, data: { text } };
    });
  }

  async close(actor: Actor, id: string, resolution: string) {
    return this.act(actor, id, (t, at) => {
      if (t.status === 'closed') throw ticketState(t, 'close', ['open', 'acknowledged']);
      t.status = 'closed';
      t.closedAt = at;
      t.resolution = resolution;
      t.dueAt = null;
      return { type: ESCALATION_EVENTS.closed, data: { resolution } };
    });
  }

  async reopen(actor: Actor, id: string, reason: string) {
    return this.act(actor, id, (t, at) => {
      if (t.status !== 'closed') throw ticketState(t, 'reopen', ['closed']);
      t.status = 'open';
      t.closedAt = null;
      t.resolution = null;
      t.acknowledgedAt = null;
      t.climbStoppedAt = null;
      t.dueAt = this.dueFor(t.level, at);
      return { type: ESCALATION_EVENTS.reopened, data: { reason } };
    });
  }

  private async act(
    actor: Actor,
    id: string,
    change: (t: Ticket, at: string) => NewEvent,
  ): Promise<TicketView> {
    const at = this.clock.now();
    const found = await this.tickets.byId(id);
    if (!found) throw new NotFoundError('escalation', id);
    const { ticket, armed } = await retryTransient(() =>
      this.ds.transaction(async (m) => {
        // The procedure first, then the ticket: the order a climb takes them in.
        const loaded = await this.store.load(found.procedureId, { manager: m, forUpdate: true });
        if (!loaded) throw new NotFoundError('procedure', found.procedureId);
        const t = (await this.tickets.byId(id, m, true))!;
        assertCanHandle(actor, t, loaded.project.leader);
        const when = loaded.updatedAt > at ? loaded.updatedAt : at;
        const event = change(t, when);
        t.history.push({ at: when, action: event.type, level: t.level, actorId: actor.id });
        await this.tickets.save(t, when, m);
        await this.appendTicketEvents(
          m,
          loaded,
          [{ type: event.type, data: { ticketId: t.id, itemKey: t.itemKey, level: t.level, ...event.data } }],
          when,
          actorMetadata(actor),
        );
        const timer = await this.armLevel(m, t);
        return { ticket: t, armed: timer ? [timer] : [] };
      }),
    ).catch((err: { code?: string; constraint?: string }) => {
      if (err.code === '23505' && err.constraint === 'escalations_one_open_idx') {
        throw new DomainError(
          ErrorCode.TICKET_ALREADY_OPEN,
          `another ticket is already open for this item and reason`,
          { ticketId: id },
        );
      }
      throw err;
    });
    await this.scheduler.deliver(armed);
    return ticketView(ticket);
  }

  async appendEvents(
    m: EntityManager,
    loaded: LoadedProcedure,
    events: NewEvent[],
    at: string,
  ): Promise<void> {
    await this.appendTicketEvents(m, loaded, events, at, SYSTEM_ACTOR);
  }

  /** Ticket events go into the procedure's stream: same chain, same version check, state unchanged. */
  private async appendTicketEvents(
    m: EntityManager,
    loaded: LoadedProcedure,
    events: NewEvent[],
    at: string,
    actor: EventMetadata['actor'],
  ) {
    const chained = chainEvents(loaded.procedureId, loaded.version, loaded.lastHash, events, {
      actor,
      requestId: null,
      idempotencyKey: null,
      occurredAt: at,
      definition: loaded.definition,
    });
    const ok = await this.store.append(
      {
        procedureId: loaded.procedureId,
        expectedVersion: loaded.version,
        state: loaded.state,
        events: chained,
        items: [],
        project: {
          readyToStart: false,
          light: loaded.project.light,
          lightReasons: loaded.project.lightReasons,
        },
        at,
        keepProject: true,
      },
      m,
    );
    if (!ok) throw new Error(`procedure ${loaded.procedureId} moved while locked`);
    loaded.version = chained[chained.length - 1].version;
    loaded.lastHash = chained[chained.length - 1].hash;
    loaded.updatedAt = at;
  }
}

function after(iso: string): string {
  return new Date(Date.parse(iso) + 1).toISOString();
}

function ticketState(t: Ticket, action: string, allowed: string[]) {
  return new DomainError(
    ErrorCode.INVALID_TICKET_STATE,
    `ticket ${t.id} is ${t.status}; cannot ${action} it (allowed when ${allowed.join(' or ')})`,
    {
      ticketId: t.id,
      status: t.status,
    },
  );
}
