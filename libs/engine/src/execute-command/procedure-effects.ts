import type { ArmedTimer } from '@qianqi/persistence';
import type { WritePlan } from '../procedure-writer';

export interface CommittedChange {
  procedureId: string;
  plan: WritePlan;
  armed: ArmedTimer[];
  at: string;
}

/**
 * What runs after a procedure write committed (the machine's effects, executed outside the
 * transaction): deliver the timers it armed, open tickets for items that turned red.
 */
export abstract class ProcedureEffects {
  abstract afterCommit(change: CommittedChange): Promise<void>;
}
