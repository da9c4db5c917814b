export * from './data-source';
export * from './definition.store';
export * from './procedure.store';
export * from './project.queries';
export { DataSource } from 'typeorm';
