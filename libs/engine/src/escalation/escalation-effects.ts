import { Injectable } from '@nestjs/common';
import { ProcedureEffects, type CommittedChange } from '../execute-command/procedure-effects';
import { TimerScheduler } from '../timers/timer-scheduler.port';
import { EscalationService } from './escalation.service';

/** After a command: its timers go to the queue, and what it turned red gets its ticket. */
@Injectable()
export class DeadlineEffects extends ProcedureEffects {
  constructor(
    private readonly scheduler: TimerScheduler,
    private readonly escalations: EscalationService,
  ) {
    super();
  }

  async afterCommit({ procedureId, plan, armed, at }: CommittedChange): Promise<void> {
    await this.scheduler.deliver(armed);
    await this.escalations.openAfterCommit(
      procedureId,
      [
        ...plan.turnedRed.map((itemKey) => ({ itemKey, reason: 'OVERDUE' as const })),
        ...plan.breached.map((b) => ({
          itemKey: b.itemKey,
          reason: 'COMMITMENT_BREACHED' as const,
          detail: { materials: b.materials },
        })),
      ],
      at,
    );
  }
}
