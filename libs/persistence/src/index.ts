export * from './calendar.store';
export * from './data-source';
export * from './definition.store';
export * from './escalation.store';
export * from './procedure.store';
export * from './project.queries';
export * from './timer.store';
export { DataSource, EntityManager } from 'typeorm';
