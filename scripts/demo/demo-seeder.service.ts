import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { TokenClaims } from '@qianqi/auth';
import { APPLICANT_COMMANDS, DomainError, ErrorCode, type Actor } from '@qianqi/domain';
import {
  DefinitionsService,
  ExecuteCommandUseCase,
  fieldProblems,
  parseCommandBody,
  ProcedureQueries,
  RegisterProjectCommand,
  RegisterProjectUseCase,
} from '@qianqi/engine';
import { ProjectQueries, type ProjectRecord } from '@qianqi/persistence';
import type { DepartmentCode, Limit, TaskForceCode } from '@qianqi/workflows';
import {
  ADMIN_CLAIMS,
  AUDITOR_CLAIMS,
  DEMO_LEADERS,
  DEMO_ORGS,
  applicantClaims,
  officerClaims,
} from './demo-personas.data';
import type { DemoCommandStep, DemoProject, DemoStep } from './demo-projects.data';

/**
 * Moves the shared clock between steps (CLOCK_MODE=manual). The timed demo of the deadlines
 * work passes one; without it `wait` steps are skipped and everything happens "now".
 */
export interface DemoClock {
  advance(by: Limit): Promise<void>;
}

export interface SeedOptions {
  clock?: DemoClock;
  log?: (line: string) => void;
}

export interface SeededProject {
  code: string;
  name: string;
  projectId: string;
  procedureId: string;
  /** false when the project was already there (a second run): its steps were replayed, not re-applied. */
  registered: boolean;
  /** Events this run appended to the procedure's stream (0 when every step was a replay). */
  appended: number;
  readyToStart: boolean;
}

export class DemoDataError extends Error {}

const REGISTER_FIELDS = [
  'code',
  'name',
  'approvalMode',
  'region',
  'ownerOrg',
  'plannedStartDate',
  'leader',
  'definition',
] as const;

export function actorOf(claims: TokenClaims): Actor {
  return {
    id: claims.sub,
    name: claims.name,
    role: claims.role,
    department: claims.department as DepartmentCode | undefined,
    taskForce: claims.taskForce as TaskForceCode | undefined,
    org: claims.org,
  };
}

const isWait = (step: DemoStep): step is Extract<DemoStep, { wait: Limit }> => 'wait' in step;

function commandBody(step: DemoCommandStep): Record<string, unknown> {
  const { item: _item, by: _by, ...body } = step;
  return body;
}

/**
 * Brings the demo projects to their stages through the engine's own use cases, as the people
 * who would act (the applicant submits, the owning department accepts…), so every step is an
 * event of the record with its actor and hash. Each step carries a fixed Idempotency-Key, so a
 * second run, or one resuming after a crash, replays instead of appending.
 */
@Injectable()
export class DemoSeeder {
  private readonly auditor = actorOf(AUDITOR_CLAIMS);

  constructor(
    private readonly registerProject: RegisterProjectUseCase,
    private readonly executeCommand: ExecuteCommandUseCase,
    private readonly procedures: ProcedureQueries,
    private readonly projects: ProjectQueries,
    private readonly definitions: DefinitionsService,
  ) {}

  /** Checks the whole demo against the catalogue and the API's validation before writing anything. */
  check(demo: DemoProject[]): void {
    const problems: string[] = [];
    const codes = new Set<string>();
    for (const p of demo) {
      const at = `${p.name} (${p.code})`;
      if (codes.has(p.code)) problems.push(`${at}: code used twice`);
      codes.add(p.code);
      const errors = validateSync(plainToInstance(RegisterProjectCommand, this.registration(p)), {
        whitelist: true,
        forbidNonWhitelisted: true,
      });
      problems.push(...fieldProblems(errors).map((e) => `${at}: ${e.field}: ${e.message}`));
      if (!DEMO_ORGS.some((o) => o.code === p.ownerOrg))
        problems.push(`${at}: ownerOrg ${p.ownerOrg} is not a demo org`);
      if (!DEMO_LEADERS.some((l) => l.sub === p.leader))
        problems.push(`${at}: leader ${p.leader} is not a demo leader`);
      const def = this.definitions.resolve(p.definition);
      if (!def) {
        problems.push(`${at}: unknown definition ${p.definition}`);
        continue;
      }
      p.steps.forEach((step, i) => {
        if (isWait(step)) return;
        if (!def.logic.item(step.item))
          problems.push(`${at}: step ${i + 1}: no item ${step.item} in ${def.ref}`);
        try {
          parseCommandBody(commandBody(step));
        } catch (err) {
          problems.push(`${at}: step ${i + 1} (${step.item} ${step.type}): ${(err as Error).message}`);
        }
      });
      for (const key of Object.keys(p.expect.items)) {
        if (!def.logic.item(key)) problems.push(`${at}: expect names no item ${key} of ${def.ref}`);
      }
    }
    if (problems.length) throw new DemoDataError(`the demo data is broken:\n  ${problems.join('\n  ')}`);
  }

  async seed(demo: DemoProject[], opts: SeedOptions = {}): Promise<SeededProject[]> {
    this.check(demo);
    const seeded: SeededProject[] = [];
    for (const project of demo) seeded.push(await this.seedProject(project, opts));
    return seeded;
  }

  /** The demo projects already in the database, by code. */
  async find(demo: DemoProject[]): Promise<ProjectRecord[]> {
    const found = await Promise.all(demo.map((p) => this.byCode(p.code)));
    return found.filter((p): p is ProjectRecord => p !== null);
  }

  private async seedProject(p: DemoProject, opts: SeedOptions): Promise<SeededProject> {
    const applicant = actorOf(applicantClaims(DEMO_ORGS.find((o) => o.code === p.ownerOrg)!));
    const { logic } = this.definitions.resolve(p.definition)!;
    let project = await this.byCode(p.code);
    let registered = false;
    const versionBefore = project?.version ?? 0;
    if (!project) {
      try {
        await this.registerProject.execute(plainToInstance(RegisterProjectCommand, this.registration(p)), {
          actor: applicant,
          requestId: `demo:${p.code}:register`,
        });
        registered = true;
      } catch (err) {
        // Another seeder registered it in the meantime: carry on with theirs, replaying.
        if (!(err instanceof DomainError && err.code === ErrorCode.PROJECT_CODE_TAKEN)) throw err;
      }
      project = await this.byCode(p.code);
      if (!project) throw new Error(`demo project ${p.code} vanished after registration`);
    }

    for (const [i, step] of p.steps.entries()) {
      if (isWait(step)) {
        if (opts.clock) await opts.clock.advance(step.wait);
        continue;
      }
      const actor =
        step.by === 'admin'
          ? actorOf(ADMIN_CLAIMS)
          : APPLICANT_COMMANDS.includes(step.type)
            ? applicant
            : actorOf(officerClaims(logic.item(step.item)!.department));
      try {
        await this.executeCommand.execute(
          project.procedureId,
          step.item,
          parseCommandBody(commandBody(step)),
          {
            actor,
            requestId: `demo:${p.code}:${i + 1}`,
            idempotencyKey: `demo:${p.code}:${i + 1}`,
            ifMatch: null,
          },
        );
      } catch (err) {
        throw new Error(
          `demo ${p.name} (${p.code}) step ${i + 1}, ${step.item} ${step.type}: ${(err as Error).message}`,
        );
      }
    }

    const view = await this.procedures.procedure(this.auditor, project.procedureId);
    const off = Object.entries(p.expect.items)
      .map(([key, want]) => ({ key, want, got: view.items.find((i) => i.key === key)?.status }))
      .filter((x) => x.got !== x.want)
      .map((x) => `${x.key} is ${x.got}, expected ${x.want}`);
    if (view.readyToStart !== p.expect.readyToStart) off.push(`readyToStart is ${view.readyToStart}`);
    if (off.length) {
      const message = `demo ${p.name} (${p.code}) did not reach its stage: ${off.join('; ')}`;
      // A project found already there may have moved on through the API since: say so, go on.
      if (registered) throw new Error(message);
      opts.log?.(`warning: ${message}`);
    }
    const appended = view.version - versionBefore;
    opts.log?.(
      `${registered ? 'loaded ' : 'present'} ${p.code} ${p.name}: ` +
        (appended ? `${appended} events appended` : 'already complete, nothing appended'),
    );
    return {
      code: p.code,
      name: p.name,
      projectId: project.id,
      procedureId: project.procedureId,
      registered,
      appended,
      readyToStart: view.readyToStart,
    };
  }

  private registration(p: DemoProject): Record<string, unknown> {
    return Object.fromEntries(REGISTER_FIELDS.map((f) => [f, p[f]]));
  }

  private async byCode(code: string): Promise<ProjectRecord | null> {
    const { items } = await this.projects.list({ q: code, limit: 10, offset: 0 });
    return items.find((p) => p.code === code) ?? null;
  }
}
