import { Logger } from '@nestjs/common';
import { SYSTEM_ACTOR } from '@qianqi/domain';
import {
  ProcedureStore,
  TimerStore,
  type ArmedTimer,
  type EntityManager,
  type TimerRecord,
} from '@qianqi/persistence';
import type { EscalationService, TicketRequest } from '../escalation/escalation.service';
import type { ProcedureWriter } from '../procedure-writer';
import { retryTransient } from './transient-retry';

/** A bound against a bug re-arming timers due in the past forever; real procedures fire a handful. */
const MAX_FIRES_PER_PROCEDURE = 1000;

export interface ProcedureFiring {
  /** The timers fired, in the order they ran. */
  fired: TimerRecord[];
  /** Timers the fires armed or moved: what the queue may now need. */
  armed: ArmedTimer[];
}

/**
 * What a due timer does, in one place for every path that fires timers (a queue job, a manual
 * clock move, a future batched runner): with the procedure's snapshot row locked first, mark the
 * timer fired at the version read and act as of its own due instant — a clock tick for light,
 * commitment and plan timers, a climb for a ticket's level timer.
 */
export class TimerFiring {
  private readonly logger = new Logger('TimerFiring');

  constructor(
    private readonly timers: TimerStore,
    private readonly store: ProcedureStore,
    private readonly writer: ProcedureWriter,
    private readonly escalations: EscalationService,
  ) {}

  /**
   * Brings one procedure up to `through`: fires its armed timers due at or before it, earliest
   * first, re-selecting after every fire so a timer armed by an earlier one that is itself due
   * takes its place in the order. One transaction on `on` (a manager without a transaction of its
   * own: the pool's, or the connection holding the manual firing lock), run again if PostgreSQL
   * aborts it as a deadlock victim. `beforeCommit` runs inside it, after the writes.
   */
  async bringUpTo(
    on: EntityManager,
    procedureId: string,
    through: string,
    beforeCommit?: () => Promise<void>,
  ): Promise<ProcedureFiring> {
    return retryTransient(() =>
      on.transaction(async (m) => {
        const result: ProcedureFiring = { fired: [], armed: [] };
        // The snapshot row first, before any timer row of the procedure: the order a command's
        // append and a ticket action take them in too.
        const locked = await this.timers.lockProcedure(procedureId, m);
        // A version this deployment no longer ships cannot be decided: its timers wait (as the
        // batch firing leaves them), rather than fail the job again and again. (Said at boot; the
        // reconciler hands its timers to the queue again every period, so not said each time.)
        if (locked && !this.writer.decides(locked.definition)) {
          this.logger.debug(
            `procedure ${procedureId} runs ${locked.definition}, which this deployment does not ship: its timers wait`,
          );
          return result;
        }
        for (let n = 0; n < MAX_FIRES_PER_PROCEDURE; n++) {
          const next = await this.timers.earliestArmed(through, { procedureId, manager: m });
          if (!next) break;
          if (!(await this.timers.fire(next.id, next.version, m))) break;
          result.fired.push(next);
          result.armed.push(...(await this.act(m, next)));
          if (n === MAX_FIRES_PER_PROCEDURE - 1)
            this.logger.warn(`procedure ${procedureId}: ${n + 1} timers due by ${through}, stopped`);
        }
        if (beforeCommit) await beforeCommit();
        return result;
      }),
    );
  }

  private act(m: EntityManager, timer: TimerRecord): Promise<ArmedTimer[]> {
    return timer.kind === 'ESCALATION_LEVEL'
      ? this.escalations.climbInTx(m, timer.target.replace(/^ticket:/, ''), timer.dueAt!)
      : this.tickInTx(m, timer.procedureId, timer.dueAt!);
  }

  /**
   * Time moved for a procedure: lights, broken commitments, the plan date. Runs as of the timer's
   * due instant (never before the stream's last event), so replay shows when a light turned.
   */
  async tickInTx(m: EntityManager, procedureId: string, dueAt: string): Promise<ArmedTimer[]> {
    const loaded = await this.store.load(procedureId, { manager: m, forUpdate: true });
    if (!loaded) return [];
    const at = loaded.updatedAt > dueAt ? loaded.updatedAt : dueAt;
    const plan = this.writer.plan(
      loaded,
      { state: loaded.state, events: [] },
      at,
      {
        actor: SYSTEM_ACTOR,
        requestId: null,
        idempotencyKey: null,
      },
      { allTimers: true },
    );
    const armed = (await this.writer.write(plan, m)) ?? [];
    const requests: TicketRequest[] = [
      ...plan.turnedRed.map((itemKey) => ({ itemKey, reason: 'OVERDUE' as const })),
      ...plan.breached.map((b) => ({
        itemKey: b.itemKey,
        reason: 'COMMITMENT_BREACHED' as const,
        detail: { materials: b.materials },
      })),
    ];
    if (requests.length) {
      const after = plan.events.length ? (await this.store.load(procedureId, { manager: m }))! : loaded;
      const opened = await this.escalations.openInTx(m, after, requests, at);
      if (opened.events.length) await this.escalations.appendEvents(m, after, opened.events, at);
      armed.push(...opened.armed);
    }
    this.logger.debug(
      `tick ${procedureId} at ${at}: ${plan.events.length} events, ${requests.length} tickets`,
    );
    return armed;
  }
}
