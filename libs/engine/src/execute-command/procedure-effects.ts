import { Injectable } from '@nestjs/common';
import type { ProcedureView, RecordedEvent } from '@qianqi/domain';

export interface CommittedChange {
  procedureId: string;
  before: ProcedureView;
  after: ProcedureView;
  events: RecordedEvent[];
}

/**
 * What runs after a command committed (the machine's effects, executed outside the
 * transaction). The base has none; deadlines and escalation override it.
 */
@Injectable()
export class ProcedureEffects {
  async afterCommit(_change: CommittedChange): Promise<void> {}
}
