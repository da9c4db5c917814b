import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@qianqi/domain';
import { Clock, ManualClock } from '../clock';
import { FireTimerUseCase } from './fire-timer.usecase';

/** CLOCK_MODE=manual: move the shared clock forward and run every timer that became due. */
@Injectable()
export class AdvanceClockUseCase {
  constructor(
    private readonly clock: Clock,
    private readonly fire: FireTimerUseCase,
  ) {}

  async execute(now: string) {
    if (!(this.clock instanceof ManualClock)) {
      throw new DomainError(
        ErrorCode.CLOCK_NOT_MANUAL,
        'the clock is the system clock; start with CLOCK_MODE=manual to move it',
      );
    }
    const target = new Date(now).toISOString();
    const previous = await this.clock.sync();
    if (target < previous) {
      throw new DomainError(
        ErrorCode.CLOCK_BACKWARDS,
        `the clock never moves back: it is ${previous}, ${target} is earlier`,
        {
          field: 'now',
          current: previous,
        },
      );
    }
    if (!(await this.clock.set(target))) {
      throw new DomainError(ErrorCode.CLOCK_BACKWARDS, `another process moved the clock past ${target}`, {
        field: 'now',
      });
    }
    const timersFired = await this.fire.runDue();
    return { now: this.clock.now(), previous, timersFired };
  }

  async current() {
    return { now: await this.clock.sync(), mode: this.clock.manual ? 'manual' : 'system' };
  }
}
