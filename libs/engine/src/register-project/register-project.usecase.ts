import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  actorMetadata,
  assertCanRegister,
  chainEvents,
  DomainError,
  ErrorCode,
  desiredTimers,
  GENESIS_HASH,
  PROJECT_REGISTERED,
  procedureView,
  projectLight,
  ValidationError,
  type Actor,
  type DeadlineCalculator,
} from '@qianqi/domain';
import { ProcedureStore, ProjectQueries } from '@qianqi/persistence';
import { DEFAULT_DEFINITION_ID } from '@qianqi/workflows';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { itemRows } from '../read-model';
import { DEADLINES } from '../tokens';
import { TimerScheduler } from '../timers/timer-scheduler.port';
import type { RegisterProjectCommand } from './register-project.command';

export interface RegisterProjectContext {
  actor: Actor;
  requestId: string | null;
}

@Injectable()
export class RegisterProjectUseCase {
  constructor(
    private readonly store: ProcedureStore,
    private readonly projects: ProjectQueries,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly scheduler: TimerScheduler,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {}

  async execute(cmd: RegisterProjectCommand, ctx: RegisterProjectContext) {
    assertCanRegister(ctx.actor, cmd.ownerOrg);
    const def = this.definitions.resolve(cmd.definition ?? DEFAULT_DEFINITION_ID);
    if (!def) {
      throw new ValidationError(
        [
          {
            field: 'definition',
            rule: 'knownDefinition',
            message: `unknown definition ${cmd.definition}; known: ${this.definitions.registry
              .all()
              .map((d) => d.ref)
              .join(', ')}`,
          },
        ],
        ErrorCode.UNKNOWN_DEFINITION,
      );
    }
    if (await this.projects.codeTaken(cmd.code)) throw codeTaken(cmd.code);

    const at = this.clock.now();
    const projectId = randomUUID();
    const procedureId = randomUUID();
    const state = def.logic.start({ procedureId, projectId, approvalMode: cmd.approvalMode });
    const light = projectLight(def.logic, state, cmd, at);
    const [event] = chainEvents(
      procedureId,
      0,
      GENESIS_HASH,
      [
        {
          type: PROJECT_REGISTERED,
          data: {
            projectId,
            procedureId,
            code: cmd.code,
            name: cmd.name,
            approvalMode: cmd.approvalMode,
            region: cmd.region,
            ownerOrg: cmd.ownerOrg,
            plannedStartDate: cmd.plannedStartDate,
            leader: cmd.leader ?? null,
            light: light.light,
            lightReasons: light.reasons,
          },
        },
      ],
      {
        actor: actorMetadata(ctx.actor),
        requestId: ctx.requestId,
        idempotencyKey: null,
        occurredAt: at,
        definition: def.ref,
      },
    );
    const view = procedureView(
      def.logic,
      state,
      { id: procedureId, projectId, version: 1 },
      { now: at, deadlines: this.deadlines },
    );
    let armed;
    try {
      armed = await this.store.create(
        {
          id: projectId,
          code: cmd.code,
          name: cmd.name,
          approvalMode: cmd.approvalMode,
          region: cmd.region,
          ownerOrg: cmd.ownerOrg,
          plannedStartDate: cmd.plannedStartDate,
          leader: cmd.leader ?? null,
          procedureId,
          definition: def.ref,
          readyToStart: view.readyToStart,
          light: light.light,
          lightReasons: light.reasons,
          version: 1,
          registeredAt: at,
        },
        state,
        event,
        itemRows(def.definition, view),
        desiredTimers(def.logic, state, cmd, at, this.deadlines).map((t) => ({
          kind: t.kind,
          target: t.target,
          due_at: t.dueAt,
          provisional: t.provisional,
        })),
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505' && String((err as Error).message).includes('code'))
        throw codeTaken(cmd.code);
      throw err;
    }
    await this.scheduler.deliver(armed);
    return { id: projectId, code: cmd.code, procedureId, definition: def.ref };
  }
}

function codeTaken(code: string) {
  return new DomainError(ErrorCode.PROJECT_CODE_TAKEN, `a project with code ${code} is already registered`, {
    field: 'code',
    projectCode: code,
  });
}
