import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  actorMetadata,
  assertCanCommand,
  chainEvents,
  ConcurrencyError,
  decideCommand,
  DomainError,
  ErrorCode,
  NotFoundError,
  procedureView,
  type Actor,
  type CommandRequest,
  type DeadlineCalculator,
  type ProcedureView,
  type RecordedEvent,
} from '@qianqi/domain';
import { ProcedureStore } from '@qianqi/persistence';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { changedRows, itemRows, projectLight } from '../read-model';
import { DEADLINES } from '../tokens';
import { ProcedureEffects } from './procedure-effects';

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
  return { version: e.version, type: e.type, data: e.data, metadata: e.metadata, prevHash: e.prevHash, hash: e.hash };
}

const MAX_ATTEMPTS = 8;

/**
 * Load → check the actor's right → the machine's pure transition → one statement appending the
 * events with the snapshot and read models → effects after commit. A lost race is re-decided on
 * the fresh state (and refused if the command no longer fits).
 */
@Injectable()
export class ExecuteCommandUseCase {
  constructor(
    private readonly store: ProcedureStore,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly effects: ProcedureEffects,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {}

  async execute(procedureId: string, itemKey: string, cmd: CommandRequest, ctx: CommandContext): Promise<CommandResult> {
    const requestHash = ctx.idempotencyKey ? hashRequest(procedureId, itemKey, cmd) : null;
    if (ctx.idempotencyKey) {
      const prior = await this.replayed(ctx, procedureId, requestHash!);
      if (prior) return prior;
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await this.store.load(procedureId);
      if (!loaded) throw new NotFoundError('procedure', procedureId);
      const { logic, definition } = this.definitions.get(loaded.definition);
      const item = logic.item(itemKey);
      if (!item) throw new NotFoundError('item', itemKey);
      assertCanCommand(ctx.actor, loaded.project, item, cmd.type);
      if (ctx.ifMatch !== null && ctx.ifMatch !== loaded.version) {
        throw new DomainError(ErrorCode.PRECONDITION_FAILED, `If-Match ${ctx.ifMatch} is stale: procedure is at version ${loaded.version}`, {
          expected: ctx.ifMatch,
          actual: loaded.version,
        });
      }

      const at = this.clock.now();
      const deadlines = this.deadlines;
      const decision = decideCommand(logic, loaded.state, itemKey, cmd, {
        at,
        commitmentDueAt: (from, days) => deadlines?.workingDaysAfter(from, days).dueAt ?? null,
      });
      const events = chainEvents(procedureId, loaded.version, loaded.lastHash, decision.events, {
        actor: actorMetadata(ctx.actor),
        requestId: ctx.requestId,
        idempotencyKey: ctx.idempotencyKey,
        occurredAt: at,
        definition: logic.ref,
      });
      const version = events[events.length - 1].version;
      const meta = { id: procedureId, projectId: loaded.projectId, version };
      const before = procedureView(logic, loaded.state, { ...meta, version: loaded.version }, { now: at, deadlines });
      const after = procedureView(logic, decision.state, meta, { now: at, deadlines });
      const response: CommandResult = { procedure: after, events: events.map(toApiEvent) };
      const light = projectLight(after);
      const written = await this.store.append({
        procedureId,
        expectedVersion: loaded.version,
        state: decision.state,
        events,
        items: changedRows(itemRows(definition, before), itemRows(definition, after)),
        project: { readyToStart: after.readyToStart, light: light.light, lightReasons: light.reasons },
        at,
        idempotency: ctx.idempotencyKey
          ? { actorId: ctx.actor.id, key: ctx.idempotencyKey, requestHash: requestHash!, response }
          : null,
      });
      if (written) {
        await this.effects.afterCommit({ procedureId, before, after, events });
        return response;
      }
      if (ctx.idempotencyKey) {
        const prior = await this.replayed(ctx, procedureId, requestHash!);
        if (prior) return prior;
      }
    }
    throw new ConcurrencyError(procedureId, -1);
  }

  private async replayed(ctx: CommandContext, procedureId: string, requestHash: string): Promise<CommandResult | null> {
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

function hashRequest(procedureId: string, itemKey: string, cmd: CommandRequest): string {
  return createHash('sha256')
    .update(canonicalize({ procedureId, itemKey, cmd: { ...cmd } }) as string)
    .digest('hex');
}
