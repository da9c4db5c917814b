import { Global, Module } from '@nestjs/common';
import { EngineModule, NoQueueScheduler, TimerScheduler } from '@qianqi/engine';
import { DemoSeeder } from './demo-seeder.service';

/**
 * The seeder runs without a queue: the timers its commands arm stay in PostgreSQL, and the
 * worker's scheduler moves them to Redis when they come within its horizon.
 */
@Global()
@Module({
  providers: [{ provide: TimerScheduler, useClass: NoQueueScheduler }],
  exports: [TimerScheduler],
})
class DemoTimersModule {}

/** The engine as the API runs it, plus the demo seeder: the demo goes through the same use cases. */
@Module({
  imports: [EngineModule, DemoTimersModule],
  providers: [DemoSeeder],
})
export class DemoModule {}
