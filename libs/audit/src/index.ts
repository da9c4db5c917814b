/**
 * @qianqi/audit — pure: replay to a moment, the timeline, verification of a stream and of an
 * export, the export format. No Nest, no database, no clock; the engine feeds it.
 */
export * from './audit.types';
export * from './chain.check';
export * from './definition.runtimes';
export { canonicalJson, eventHash, sha256Hex, type HashableEvent } from '@qianqi/domain';
export * from './export.format';
export * from './export.verification';
export * from './record.verification';
export * from './replay.view';
export * from './state.diff';
export * from './stream.verification';
export * from './table.replay';
export * from './timeline';
export * from './timeline.messages';
export * from './machine.regions';
export * from './transition.table';
