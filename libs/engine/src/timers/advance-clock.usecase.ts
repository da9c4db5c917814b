import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@qianqi/domain';
import { Clock, ManualClock } from '../clock';
import { FireTimerUseCase } from './fire-timer.usecase';

/**
 * CLOCK_MODE=manual: move the shared clock forward and run every timer that became due, in due
 * order, each as of its own due instant, before answering.
 *
 * The check, the move and the run happen under the manual firing lock, so two moves (or a move
 * and a worker's fire job) never interleave, and whoever holds the lock sees the clock either
 * before a move or after all of its timers ran.
 */
@Injectable()
export class AdvanceClockUseCase {
  private readonly logger = new Logger('ManualClock');

  constructor(
    private readonly clock: Clock,
    private readonly fire: FireTimerUseCase,
  ) {}

  async execute(now: string) {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) {
      throw new DomainError(
        ErrorCode.CLOCK_NOT_MANUAL,
        'the clock is the system clock; start with CLOCK_MODE=manual to move it',
      );
    }
    const target = new Date(now).toISOString();
    return this.fire.serialised(async (m) => {
      const previous = await clock.sync();
      const wasSet = clock.isSet;
      // Unset (a fresh database), the clock reads the system time: the first move may go anywhere.
      if (wasSet && target < previous) {
        throw new DomainError(
          ErrorCode.CLOCK_BACKWARDS,
          `the clock never moves back: it is ${previous}, ${target} is earlier`,
          {
            field: 'now',
            current: previous,
          },
        );
      }
      if (!(await clock.set(target))) {
        throw new DomainError(ErrorCode.CLOCK_BACKWARDS, `another process moved the clock past ${target}`, {
          field: 'now',
        });
      }
      if (!wasSet) this.logger.log(`manual clock set for the first time, to ${target}`);
      const timersFired = await this.fire.runInOrder(m, clock.now());
      return { now: clock.now(), previous: wasSet ? previous : null, timersFired };
    });
  }

  /** `set: false` while a manual clock has never been moved (it reads the system time until then). */
  async current() {
    const now = await this.clock.sync();
    return { now, mode: this.clock.manual ? 'manual' : 'system', set: this.clock.isSet };
  }
}
