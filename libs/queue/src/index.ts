export * from './job-catalogue';
export * from './queue.module';
export * from './timer-queue';
