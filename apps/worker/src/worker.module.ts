import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loadConfig } from '@qianqi/config';
import { EngineModule } from '@qianqi/engine';
import { QueueModule } from '@qianqi/queue';
import { TimerProcessor } from './timer.processor';

@Module({
  imports: [LoggerModule.forRoot({ pinoHttp: { level: loadConfig().LOG_LEVEL } }), EngineModule, QueueModule],
  providers: [TimerProcessor],
})
export class WorkerModule {}
