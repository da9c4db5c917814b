/**
 * Expected refusals, each with a stable code. One exception filter maps codes to HTTP statuses
 * and an application/problem+json body; nothing below the API knows about HTTP.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNKNOWN_MATERIAL = 'UNKNOWN_MATERIAL',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  PROJECT_CODE_TAKEN = 'PROJECT_CODE_TAKEN',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  MATERIALS_INCOMPLETE = 'MATERIALS_INCOMPLETE',
  TOLERANCE_NOT_ALLOWED = 'TOLERANCE_NOT_ALLOWED',
  NOT_WAIVABLE = 'NOT_WAIVABLE',
  NOTHING_TO_SUPPLY = 'NOTHING_TO_SUPPLY',
  CONCURRENCY_CONFLICT = 'CONCURRENCY_CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  UNKNOWN_DEFINITION = 'UNKNOWN_DEFINITION',
  CLOCK_NOT_MANUAL = 'CLOCK_NOT_MANUAL',
  CLOCK_BACKWARDS = 'CLOCK_BACKWARDS',
  INVALID_TICKET_STATE = 'INVALID_TICKET_STATE',
  TICKET_ALREADY_OPEN = 'TICKET_ALREADY_OPEN',
  INVALID_CALENDAR = 'INVALID_CALENDAR',
  CERTIFICATE_WITHHELD = 'CERTIFICATE_WITHHELD',
  /** APPROVE or a new SUBMIT while a prerequisite is not (or no longer) met. */
  PREREQUISITES_NOT_MET = 'PREREQUISITES_NOT_MET',
  /** A command on a procedure whose definition version this deployment no longer ships. */
  DEFINITION_RETIRED = 'DEFINITION_RETIRED',
}

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(errors: FieldProblem[], code: ErrorCode = ErrorCode.VALIDATION_FAILED) {
    super(code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), {}, errors);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.FORBIDDEN, message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { [what]: id });
  }
}

export class IllegalStateError extends DomainError {}

export class ConcurrencyError extends DomainError {
  constructor(streamId: string, expected: number) {
    super(ErrorCode.CONCURRENCY_CONFLICT, `procedure ${streamId} changed while the command ran`, {
      procedureId: streamId,
      expectedVersion: expected,
    });
  }
}
