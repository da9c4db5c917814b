import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { DefinitionStore } from '@qianqi/persistence';
import {
  BUILT_IN_DEFINITIONS,
  DefinitionRegistry,
  DEPARTMENTS,
  pinnedDefinition,
  TASK_FORCES,
  type ProcedureDefinition,
  type RegisteredDefinition,
} from '@qianqi/workflows';
import { DomainError, ErrorCode, NotFoundError, thresholdsOf } from '@qianqi/domain';
import { EXTRA_DEFINITIONS } from './tokens';

/** The catalogue the processes run: validated at construction, pinned in the database at boot. */
@Injectable()
export class DefinitionsService implements OnModuleInit {
  readonly registry: DefinitionRegistry;

  /** `extra`: versions beyond the shipped catalogue (a locality's own, a new version under test). */
  constructor(
    private readonly store: DefinitionStore,
    @Optional() @Inject(EXTRA_DEFINITIONS) extra: ProcedureDefinition[] = [],
  ) {
    this.registry = new DefinitionRegistry([...BUILT_IN_DEFINITIONS, ...(extra ?? [])]);
  }

  async onModuleInit(): Promise<void> {
    await this.store.publish(
      this.registry.all().map((d) => ({
        ref: d.ref,
        id: d.definition.id,
        version: d.definition.version,
        hash: d.hash,
        content: d.definition,
      })),
    );
    for (const u of await this.unshipped())
      this.logger.warn(
        `${u.procedures} procedure(s) run ${u.definition}, which this deployment does not ship: ` +
          `they can be read, replayed and verified; their commands are refused and their timers wait`,
      );
  }

  private readonly logger = new Logger('DefinitionsService');

  /** Versions procedures run that this deployment does not ship (said at boot). */
  async unshipped(): Promise<{ definition: string; procedures: number }[]> {
    return (await this.store.procedureCounts()).filter((c) => !this.ships(c.definition));
  }

  /** Whether this deployment ships version `ref`, so decides the commands and timers of its procedures. */
  ships(ref: string): boolean {
    return this.registry.get(ref) !== undefined;
  }

  /** Every version this deployment ships. */
  shipped(): string[] {
    return this.registry.all().map((d) => d.ref);
  }

  /** The running version `ref` of a procedure's definition, which decides its commands and timers. */
  get(ref: string): RegisteredDefinition {
    const d = this.registry.get(ref);
    if (!d)
      throw new DomainError(
        ErrorCode.DEFINITION_RETIRED,
        `the procedure runs definition ${ref}, which this deployment no longer ships: ` +
          `it can be read, replayed, exported and verified, but not advanced`,
        { definition: ref },
      );
    return d;
  }

  private readonly retired = new Map<string, RegisteredDefinition>();

  /**
   * Any version a procedure ran on: the running catalogue's, or, for a version the code no longer
   * ships, the content pinned in the database (once it hashes to the pinned hash). For reading
   * what happened; commands run on the running catalogue alone (`get`).
   */
  async version(ref: string): Promise<RegisteredDefinition> {
    const known = this.registry.get(ref) ?? this.retired.get(ref);
    if (known) return known;
    const pin = await this.store.pinned(ref);
    const stored = pin && pinnedDefinition(ref, pin);
    if (!stored) throw new NotFoundError('definition', ref);
    this.retired.set(ref, stored);
    return stored;
  }

  resolve(refOrId: string): RegisteredDefinition | undefined {
    return this.registry.resolve(refOrId);
  }

  /** The public shape of GET /definitions. */
  describe(d: RegisteredDefinition) {
    const def = d.definition;
    return {
      id: def.id,
      version: def.version,
      ref: d.ref,
      hash: d.hash,
      name: def.name,
      description: def.description ?? null,
      /** The light thresholds this definition runs on (its own overrides over the defaults). */
      lights: thresholdsOf(def),
      items: def.items.map((i) => ({
        key: i.key,
        name: i.name,
        department: i.department,
        departmentName: DEPARTMENTS[i.department],
        stage: i.stage,
        limits: i.limits,
        materials: i.materials,
        prerequisites: i.prerequisites.map((p) => p.item),
        prerequisiteEdges: i.prerequisites,
        waivable: i.waivable,
        approvalModes: i.approvalModes ?? ['approval', 'verification', 'filing'],
        taskForce: i.taskForce,
        taskForceName: TASK_FORCES[i.taskForce],
        commitmentDays: i.commitmentDays ?? 5,
        breachPolicy: i.breachPolicy ?? 'withhold',
      })),
    };
  }
}
