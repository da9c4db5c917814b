import { Logger } from '@nestjs/common';
import { SYSTEM_ACTOR } from '@qianqi/domain';
import {
  TimerBatchOutOfStep,
  TimerBatchStore,
  type ArmedTimer,
  type DataSource,
  type EntityManager,
  type TickWrite,
} from '@qianqi/persistence';
import type { ProcedureWriter } from '../procedure-writer';
import type { TimerFiring } from './timer-firing';
import { retryTransient } from './transient-retry';

/**
 * Procedures a round takes at once: larger rounds cost less per tick (a day-end cluster of 10,000
 * is some five rounds of four statements per firer; measured, 250 a round took half as long again).
 */
const BATCH = 1000;
/** A bound against a bug re-arming a timer at an instant already past, in one sweep. */
const MAX_ROUNDS_PER_PROCEDURE = 100;

export interface SweepResult {
  fired: number;
  armed: ArmedTimer[];
  /** True when the sweep's last look found no armed timer due at all by `now`. */
  clear: boolean;
}

/**
 * Fires what is due on the system clock many procedures at a time, for the instants when
 * thousands of timers fall due together (day ends: lights, commitments, planned starts).
 *
 * A round, in one transaction: find the procedures with the earliest due timers, lock and load a
 * batch of them (SKIP LOCKED), and for each decide its tick as of its earliest due timer's own
 * due instant — the same `ProcedureWriter.plan` a single fire runs — then write every tick, the
 * fired timers with them, in one statement. Rounds repeat until
 * nothing is due, so a procedure with several due timers fires them in due order, one a round.
 * Whatever a batch cannot write alone goes to the one-procedure path (TimerFiring) after the
 * batch commits: a ticket's level timer, and a tick that opens tickets (an item turned red, a
 * commitment broke). A quiet procedure (nothing on the clock, no commitment unfulfilled: most of
 * those whose planned start passes unready) is ticked from its project row, its state left unread.
 */
export class BatchFiring {
  private readonly logger = new Logger('BatchFiring');
  private readonly batches = new TimerBatchStore();

  constructor(
    private readonly ds: DataSource,
    private readonly writer: ProcedureWriter,
    private readonly firing: TimerFiring,
  ) {}

  /** Every timer due by `now`. `beforeCommit` runs in each round's transaction (a test hook). */
  async sweep(now: string, beforeCommit?: () => Promise<void>): Promise<SweepResult> {
    const result: SweepResult = { fired: 0, armed: [], clear: false };
    const rounds = new Map<string, number>();
    for (const size = BATCH; ;) {
      const round = await retryTransient(
        () => this.ds.transaction((m) => this.round(m, now, size, rounds, beforeCommit)),
        6,
        (err) => err instanceof TimerBatchOutOfStep,
      );
      result.fired += round.fired;
      result.armed.push(...round.armed);
      for (const procedureId of round.alone) {
        const one = await this.firing.bringUpTo(this.ds.manager, procedureId, now, beforeCommit);
        result.fired += one.fired.length;
        result.armed.push(...one.armed);
      }
      // Nothing due, or all of it held by other firers (they will fire it): done.
      if (!round.fired && !round.alone.length) return { ...result, clear: round.clear ?? false };
    }
  }

  private async round(
    m: EntityManager,
    now: string,
    size: number,
    rounds: Map<string, number>,
    beforeCommit?: () => Promise<void>,
  ): Promise<{ fired: number; armed: ArmedTimer[]; alone: string[]; clear?: boolean }> {
    // Twice a batch of candidates: another firer locking some of them still leaves this one a batch.
    await this.batches.tuneRound(m);
    const due = await this.batches.dueProcedures(now, size * 2, m, this.writer.shipped());
    if (!due.length) return { fired: 0, armed: [], alone: [], clear: true };
    const orphans = [...new Set(due.filter((d) => !d.known).map((d) => d.procedureId))];
    const gone = orphans.length ? await this.batches.fireOrphans(orphans, now, m) : 0;
    const candidates = [...new Set(due.filter((d) => d.known).map((d) => d.procedureId))];
    const loaded = candidates.length ? await this.batches.loadLocked(candidates, size, m) : [];
    if (!loaded.length) return { fired: gone, armed: [], alone: [] };
    const earliest = new Map(
      (
        await this.batches.earliestDue(
          loaded.map((l) => l.procedureId),
          now,
          m,
        )
      ).map((t) => [t.procedureId, t]),
    );
    const ticks: TickWrite[] = [];
    const alone: string[] = [];
    for (const procedure of loaded) {
      const timer = earliest.get(procedure.procedureId);
      if (!timer) continue; // fired meanwhile
      const n = (rounds.get(procedure.procedureId) ?? 0) + 1;
      rounds.set(procedure.procedureId, n);
      if (n > MAX_ROUNDS_PER_PROCEDURE) {
        this.logger.warn(`procedure ${procedure.procedureId}: ${n} rounds in one sweep, left for later`);
        continue;
      }
      if (timer.kind === 'ESCALATION_LEVEL') {
        alone.push(procedure.procedureId);
        continue;
      }
      const at = procedure.updatedAt > timer.dueAt! ? procedure.updatedAt : timer.dueAt!;
      const meta = { actor: SYSTEM_ACTOR, requestId: null, idempotencyKey: null };
      if (procedure.quiet) {
        const quiet = this.writer.planQuiet(procedure, procedure.readyToStart, at, meta, timer);
        ticks.push({
          procedureId: procedure.procedureId,
          fired: { id: timer.id, version: timer.version, ...quiet.slot },
          expectedVersion: procedure.version,
          state: null,
          events: quiet.events,
          items: [],
          timers: [],
          project: quiet.project,
          at,
        });
        continue;
      }
      const plan = this.writer.plan(procedure, { state: procedure.state, events: [] }, at, meta, {
        refire: timer,
      });
      if (plan.turnedRed.length || plan.breached.length) {
        alone.push(procedure.procedureId);
        continue;
      }
      const timers = plan.append.timers ?? [];
      const slot = timers.find((t) => t.kind === timer.kind && t.target === timer.target);
      ticks.push({
        procedureId: procedure.procedureId,
        fired: {
          id: timer.id,
          version: timer.version,
          dueAt: slot?.due_at ?? null,
          provisional: slot?.provisional ?? false,
        },
        expectedVersion: procedure.version,
        state: plan.next.state === procedure.state ? null : plan.next.state,
        events: plan.events,
        items: plan.append.items,
        timers: timers.filter((t) => t !== slot),
        project: plan.append.project,
        at,
      });
    }
    if (!ticks.length) return { fired: gone, armed: [], alone };
    const written = await this.batches.writeTicks(ticks, m);
    const moved = ticks.filter((t) => t.events.length).length;
    // Everything written is locked by this transaction: anything else means another writer
    // ignored the locks, and the round is undone rather than half-written.
    if (written.fired !== ticks.length || written.updated !== moved)
      throw new TimerBatchOutOfStep(
        `timer batch out of step: ${written.fired}/${ticks.length} fired, ${written.updated}/${moved} moved`,
      );
    if (beforeCommit) await beforeCommit();
    return { fired: gone + ticks.length, armed: written.armed, alone };
  }
}
