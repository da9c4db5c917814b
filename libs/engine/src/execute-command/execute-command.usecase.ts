import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  actorMetadata,
  assertCanCommand,
  canonicalJson,
  ConcurrencyError,
  decideCommand,
  DomainError,
  ErrorCode,
  NotFoundError,
  type Actor,
  type CommandRequest,
  type DeadlineCalculator,
  type ProcedureView,
  sha256Hex,
  type RecordedEvent,
} from '@qianqi/domain';
import { AppConfig } from '@qianqi/config';
import { ProcedureStore, type LoadedProcedure } from '@qianqi/persistence';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { ProcedureWriter, type WritePlan } from '../procedure-writer';
import { DEADLINES } from '../tokens';
import { ProcedureEffects } from './procedure-effects';
import { SnapshotCache } from './snapshot-cache';

export interface CommandContext {
  actor: Actor;
  requestId: string | null;
  idempotencyKey: string | null;
  ifMatch: number | null;
}

export interface CommandResult {
  procedure: ProcedureView;
  events: ApiEvent[];
}

export type ApiEvent = Pick<RecordedEvent, 'version' | 'type' | 'data' | 'metadata' | 'prevHash' | 'hash'>;

export function toApiEvent(e: RecordedEvent): ApiEvent {
  return {
    version: e.version,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/**
 * Every lost race means another command committed, so retrying always makes progress; the bound
 * only stops a command starved by a procedure under continuous fire.
 */
const MAX_ATTEMPTS = 32;

/**
 * Load → check the actor's right → the machine's pure transition → one statement appending the
 * events with the snapshot and read models → effects after commit. A lost race is re-decided on
 * the fresh state (and refused if the command no longer fits).
 *
 * The load is skipped when this process wrote the procedure last (SnapshotCache): the append is
 * conditional on the version either way, so a stale guess costs a lost race, and a refusal
 * decided on a guess is decided again on a fresh load before it is given.
 */
@Injectable()
export class ExecuteCommandUseCase {
  private readonly cache: SnapshotCache;

  constructor(
    private readonly store: ProcedureStore,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly effects: ProcedureEffects,
    private readonly writer: ProcedureWriter,
    config: AppConfig,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {
    this.cache = new SnapshotCache(config.SNAPSHOT_CACHE_SIZE);
  }

  async execute(
    procedureId: string,
    itemKey: string,
    cmd: CommandRequest,
    ctx: CommandContext,
  ): Promise<CommandResult> {
    const requestHash = ctx.idempotencyKey ? hashRequest(procedureId, itemKey, cmd) : null;
    let lostRaces = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const guess = attempt === 0 ? this.cache.get(procedureId) : undefined;
      const loaded = guess ?? (await this.store.load(procedureId));
      if (!loaded) throw new NotFoundError('procedure', procedureId);
      // After the load, not before: a twin request that committed first is answered here with its
      // answer, never refused by the state it left behind.
      if (ctx.idempotencyKey) {
        const prior = await this.replayed(ctx, procedureId, requestHash!);
        if (prior) return prior;
      }
      let plan: WritePlan;
      let at: string;
      try {
        at = this.clock.now();
        plan = this.decide(loaded, itemKey, cmd, ctx, at);
      } catch (err) {
        if (guess && err instanceof DomainError) {
          this.cache.delete(procedureId);
          continue;
        }
        throw err;
      }
      const response: CommandResult = { procedure: plan.after, events: plan.events.map(toApiEvent) };
      const armed = await this.writer
        .write(
          plan,
          undefined,
          ctx.idempotencyKey
            ? { actorId: ctx.actor.id, key: ctx.idempotencyKey, requestHash: requestHash!, response }
            : null,
        )
        .catch(async (err: unknown) => {
          this.cache.delete(procedureId);
          // The same key raced on another procedure and committed first: nothing of this
          // statement was written; answer as the key's owner says (IDEMPOTENCY_KEY_REUSED).
          if (ctx.idempotencyKey && isIdempotencyKeyTaken(err))
            await this.replayed(ctx, procedureId, requestHash!);
          throw err;
        });
      if (armed) {
        this.cache.set({
          ...loaded,
          ...plan.next,
          updatedAt: plan.events.length ? at : loaded.updatedAt,
        });
        await this.effects.afterCommit({ procedureId, plan, armed, at });
        return response;
      }
      this.cache.delete(procedureId);
      // A stale guess is not a race with a live contender: load again at once.
      if (!guess) await backoff(++lostRaces);
    }
    throw new ConcurrencyError(procedureId, -1);
  }

  /** The actor's right, If-Match, the machine's decision and the write it makes. */
  private decide(
    loaded: LoadedProcedure,
    itemKey: string,
    cmd: CommandRequest,
    ctx: CommandContext,
    at: string,
  ): WritePlan {
    const { logic } = this.definitions.get(loaded.definition);
    const item = logic.item(itemKey);
    if (!item) throw new NotFoundError('item', itemKey);
    assertCanCommand(ctx.actor, loaded.project, item, cmd.type);
    if (ctx.ifMatch !== null && ctx.ifMatch !== loaded.version) {
      throw new DomainError(
        ErrorCode.PRECONDITION_FAILED,
        `If-Match ${ctx.ifMatch} is stale: procedure is at version ${loaded.version}`,
        { expected: ctx.ifMatch, actual: loaded.version },
      );
    }
    const deadlines = this.deadlines;
    const decision = decideCommand(logic, loaded.state, itemKey, cmd, {
      at,
      commitmentDueAt: (from, days) => deadlines?.workingDaysAfter(from, days).dueAt ?? null,
    });
    return this.writer.plan(loaded, decision, at, {
      actor: actorMetadata(ctx.actor),
      requestId: ctx.requestId,
      idempotencyKey: ctx.idempotencyKey,
    });
  }

  private async replayed(
    ctx: CommandContext,
    procedureId: string,
    requestHash: string,
  ): Promise<CommandResult | null> {
    const prior = await this.store.findIdempotent(ctx.actor.id, ctx.idempotencyKey!);
    if (!prior) return null;
    if (prior.procedureId !== procedureId || prior.requestHash !== requestHash) {
      throw new DomainError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Idempotency-Key ${ctx.idempotencyKey} was already used for a different request`,
        { idempotencyKey: ctx.idempotencyKey },
      );
    }
    return prior.response as CommandResult;
  }
}

function isIdempotencyKeyTaken(err: unknown): boolean {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const pg = e.driverError ?? e;
  return pg.code === '23505' && pg.constraint === 'idempotency_keys_pkey';
}

/** After a lost race, a short random wait so the contenders do not collide again in step. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 32)));
}

function hashRequest(procedureId: string, itemKey: string, cmd: CommandRequest): string {
  return sha256Hex(canonicalJson({ procedureId, itemKey, cmd: { ...cmd } }));
}
