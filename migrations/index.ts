import { CoreRecord1763700000000 } from './1763700000000-core-record';
import { DeadlinesEscalation1763800000000 } from './1763800000000-deadlines-escalation';
import { AuditAccess1763900000000 } from './1763900000000-audit-access';
import { EscalationClimbStopped1764000000000 } from './1764000000000-escalation-climb-stopped';
import { BatchFiring1764100000000 } from './1764100000000-batch-firing';
import { IdempotentAnswerText1764200000000 } from './1764200000000-idempotent-answer-text';
import { StoredTexts1764300000000 } from './1764300000000-stored-texts';

/** Every migration, oldest first: listed, not globbed, so ts and compiled runs see the same set. */
export const MIGRATIONS = [
  CoreRecord1763700000000,
  DeadlinesEscalation1763800000000,
  AuditAccess1763900000000,
  EscalationClimbStopped1764000000000,
  BatchFiring1764100000000,
  IdempotentAnswerText1764200000000,
  StoredTexts1764300000000,
];
