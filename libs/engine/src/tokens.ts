/** Injection tokens for values that are not classes. */
export const DEADLINES = Symbol('DeadlineCalculator');
