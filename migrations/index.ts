import { CoreRecord1763700000000 } from './1763700000000-core-record';

/** Every migration, oldest first: listed, not globbed, so ts and compiled runs see the same set. */
export const MIGRATIONS = [CoreRecord1763700000000];
