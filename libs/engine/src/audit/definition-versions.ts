import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@qianqi/domain';
import { AuditStore } from '@qianqi/persistence';
import {
  contentHash,
  DefinitionRegistry,
  type ProcedureDefinition,
  type RegisteredDefinition,
} from '@qianqi/workflows';
import { DefinitionsService } from '../definitions.service';

/**
 * Any definition version a procedure ran on: the running catalogue's, or, for a version the code
 * no longer ships, the content pinned in the database (checked against its pinned hash).
 */
@Injectable()
export class DefinitionVersions {
  private readonly retired = new Map<string, RegisteredDefinition>();

  constructor(
    private readonly definitions: DefinitionsService,
    private readonly audit: AuditStore,
  ) {}

  async get(ref: string): Promise<RegisteredDefinition> {
    const running = this.definitions.registry.get(ref) ?? this.retired.get(ref);
    if (running) return running;
    const pin = (await this.audit.pinnedDefinitions()).find((d) => d.ref === ref);
    if (!pin || contentHash(pin.content as ProcedureDefinition) !== pin.hash)
      throw new NotFoundError('definition', ref);
    const [stored] = new DefinitionRegistry([pin.content as ProcedureDefinition]).all();
    this.retired.set(ref, stored);
    return stored;
  }
}
