import { Global, Module } from '@nestjs/common';
import { TimerScheduler } from '@qianqi/engine';
import { TimerQueue } from './timer-queue';

/** The BullMQ side of the engine: the only module that knows about Redis queues. */
@Global()
@Module({
  providers: [TimerQueue, { provide: TimerScheduler, useExisting: TimerQueue }],
  exports: [TimerQueue, TimerScheduler],
})
export class QueueModule {}
