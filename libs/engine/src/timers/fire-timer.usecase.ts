import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@qianqi/config';
import { SYSTEM_ACTOR } from '@qianqi/domain';
import {
  DataSource,
  ProcedureStore,
  TimerStore,
  type ArmedTimer,
  type EntityManager,
} from '@qianqi/persistence';
import { Clock } from '../clock';
import { EscalationService, type TicketRequest } from '../escalation/escalation.service';
import { ProcedureWriter } from '../procedure-writer';
import { TimerScheduler } from './timer-scheduler.port';

export type FireOutcome = 'fired' | 'stale' | 'not_due';

/**
 * One timer falling due. Re-reads the database and acts only if the timer is still the version
 * the job carried and still armed; whatever it writes, it writes in one transaction with the
 * procedure locked, so a job delivered twice (or retried after a crash) changes nothing twice.
 */
@Injectable()
export class FireTimerUseCase {
  private readonly logger = new Logger('FireTimer');

  constructor(
    private readonly ds: DataSource,
    private readonly timers: TimerStore,
    private readonly store: ProcedureStore,
    private readonly writer: ProcedureWriter,
    private readonly escalations: EscalationService,
    private readonly clock: Clock,
    private readonly scheduler: TimerScheduler,
    private readonly config: AppConfig,
  ) {}

  async execute(timerId: string, version: number): Promise<FireOutcome> {
    const now = await this.clock.sync();
    const result = await this.ds.transaction(async (m) => {
      const timer = await this.timers.byId(timerId, m);
      if (!timer || timer.version !== version || timer.status !== 'armed' || !timer.dueAt)
        return { outcome: 'stale' as const, armed: [] };
      if (timer.dueAt > now) return { outcome: 'not_due' as const, armed: [] };
      if (!(await this.timers.fire(timerId, version, m))) return { outcome: 'stale' as const, armed: [] };
      const armed =
        timer.kind === 'ESCALATION_LEVEL'
          ? await this.escalations.climbInTx(m, timer.target.replace(/^ticket:/, ''), timer.dueAt)
          : await this.tickInTx(m, timer.procedureId, timer.dueAt);
      // Test hook (NODE_ENV=test only): a job that is slow in the middle, its writes not committed.
      if (this.config.NODE_ENV === 'test' && this.config.TEST_JOB_DELAY_MS)
        await sleep(this.config.TEST_JOB_DELAY_MS);
      return { outcome: 'fired' as const, armed };
    });
    await this.scheduler.deliver(result.armed);
    return result.outcome;
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

  rowsOf(loaded: Parameters<ProcedureWriter['itemRowsOf']>[0], at: string) {
    return this.writer.itemRowsOf(loaded, at);
  }

  /** Every armed timer due at the clock's now, in due order (manual clock moves, tests). */
  async runDue(limit = 10_000): Promise<number> {
    const now = await this.clock.sync();
    let fired = 0;
    for (let round = 0; round < limit; round++) {
      const due = await this.timers.armedBefore(new Date(Date.parse(now) + 1).toISOString(), 100);
      if (!due.length) break;
      let progressed = false;
      for (const t of due) {
        if ((await this.execute(t.id, t.version)) === 'fired') {
          fired += 1;
          progressed = true;
        }
      }
      if (!progressed) break;
    }
    return fired;
  }
}
