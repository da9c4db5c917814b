import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  assertCanRead,
  NotFoundError,
  procedureView,
  type Actor,
  type DeadlineCalculator,
} from '@qianqi/domain';
import {
  ProcedureStore,
  ProjectQueries,
  type LoadedProcedure,
  type ProjectRecord,
} from '@qianqi/persistence';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { toApiEvent } from '../execute-command/execute-command.usecase';
import { DEADLINES } from '../tokens';

export interface ProjectListQuery {
  region?: string;
  q?: string;
  readyToStart?: boolean;
  light?: string;
  page: number;
  pageSize: number;
}

/** Read side: the live view comes from the snapshot, filters from the read-model tables. */
@Injectable()
export class ProcedureQueries {
  constructor(
    private readonly store: ProcedureStore,
    private readonly projects: ProjectQueries,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {}

  async loadReadable(actor: Actor, procedureId: string): Promise<LoadedProcedure> {
    const loaded = await this.store.load(procedureId);
    if (!loaded) throw new NotFoundError('procedure', procedureId);
    assertCanRead(actor, loaded.project);
    return loaded;
  }

  /** The live view, on the version the procedure runs (a retired one from its pinned content). */
  async viewOf(loaded: LoadedProcedure) {
    const { logic } = await this.definitions.version(loaded.definition);
    return procedureView(
      logic,
      loaded.state,
      { id: loaded.procedureId, projectId: loaded.projectId, version: loaded.version },
      { now: this.clock.now(), deadlines: this.deadlines },
    );
  }

  async procedure(actor: Actor, procedureId: string) {
    return this.viewOf(await this.loadReadable(actor, procedureId));
  }

  async events(actor: Actor, procedureId: string) {
    await this.loadReadable(actor, procedureId);
    return (await this.store.events(procedureId)).map(toApiEvent);
  }

  async project(actor: Actor, id: string) {
    const project = await this.projects.byId(id);
    if (!project) throw new NotFoundError('project', id);
    assertCanRead(actor, project);
    const loaded = await this.store.load(project.procedureId);
    const view = loaded ? await this.viewOf(loaded) : null;
    return { ...this.summary(project), procedure: view };
  }

  async listProjects(actor: Actor, q: ProjectListQuery) {
    const { items, total } = await this.projects.list({
      region: q.region,
      q: q.q,
      readyToStart: q.readyToStart,
      light: q.light,
      ownerOrg: actor.role === 'applicant' ? actor.org : undefined,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    return { items: items.map((p) => this.summary(p)), total, page: q.page, pageSize: q.pageSize };
  }

  private summary(p: ProjectRecord) {
    return {
      id: p.id,
      code: p.code,
      name: p.name,
      approvalMode: p.approvalMode,
      region: p.region,
      ownerOrg: p.ownerOrg,
      plannedStartDate: p.plannedStartDate,
      leader: p.leader,
      procedureId: p.procedureId,
      definition: p.definition,
      readyToStart: p.readyToStart,
      light: p.light,
      lightReasons: p.lightReasons,
      version: p.version,
      registeredAt: p.registeredAt,
      updatedAt: p.updatedAt,
    };
  }
}
