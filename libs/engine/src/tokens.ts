/** Injection tokens for values that are not classes. */
export const DEADLINES = Symbol('DeadlineCalculator');
/** Definition versions to run beside the built-in catalogue (ProcedureDefinition[]). */
export const EXTRA_DEFINITIONS = Symbol('ExtraDefinitions');
