export * from './definition.types';
export * from './definition.validation';
export * from './definition.registry';
export * from './procedure.context';
export * from './procedure.events';
export * from './procedure.logic';
export { buildProcedureMachine, MACHINE_ID } from './machine.builder';
export { DEFAULT_CATALOGUE } from './catalogues/default.catalogue';
export { INDUSTRIAL_PARK_CATALOGUE } from './catalogues/industrial-park.catalogue';
