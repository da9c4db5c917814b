export * from './actor';
export * from './authorization.policy';
export * from './deadline.port';
export * from './decide-command';
export * from './domain.errors';
export * from './procedure-event';
export * from './procedure.view';
export * from './replay';
