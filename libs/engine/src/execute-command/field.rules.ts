import { Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsDefined,
  ValidateBy,
  type ValidationError as ClassValidationError,
  type ValidationOptions,
} from 'class-validator';
import { isStorableText, type FieldProblem } from '@qianqi/domain';

/**
 * Field rules shared by every request body and query: what class-validator's own decorators
 * leave open (blank strings, impossible dates, keys that class-transformer silently drops) and
 * how their failures are reported.
 */

/**
 * An instant's `+hh:mm` offset as a URL query carries it when the caller did not encode it: the
 * `+` arrives as a space (`?at=2026-03-05T10:00:00+08:00` pasted into curl). Only a space right
 * before the offset at the end of an ISO date-time is read back as `+`; nothing else changes.
 */
export const PlusOffset = (): PropertyDecorator =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2')
      : value,
  );

/** A required field: a missing or null one is reported as `isDefined`, not by its other rules. */
export const Required = (): PropertyDecorator =>
  IsDefined({ message: ({ property }) => `${property} is required` });

/**
 * Text that says something: refuses strings of only whitespace (including the full-width space
 * U+3000 of Chinese input). Values are kept as sent, never trimmed, so the record holds exactly
 * what the officer typed.
 */
export function IsNotBlank(options: ValidationOptions = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value) => typeof value === 'string' && /\S/.test(value),
        defaultMessage: (args) =>
          options.each
            ? `each value in ${args?.property} must not be blank`
            : `${args?.property} must not be blank`,
      },
    },
    options,
  );
}

export const CALENDAR_YEARS = { min: 2000, max: 2100 } as const;

/** YYYY-MM-DD naming a day that exists (no 2027-02-29), in a year the calendar can reason about. */
export function isCalendarDate(
  value: unknown,
  years: { min: number; max: number } = CALENDAR_YEARS,
): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < years.min || y > years.max) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function IsCalendarDate(options: ValidationOptions = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value) => isCalendarDate(value),
        defaultMessage: (args) =>
          `${args?.property} must be a real calendar date YYYY-MM-DD in the years ${CALENDAR_YEARS.min}–${CALENDAR_YEARS.max}`,
      },
    },
    options,
  );
}

/**
 * Accepts a code or one of its Chinese names (专家评审 → expert_review) and keeps the code, so
 * the record holds one spelling whichever the caller used.
 */
export function AcceptNames(names: Record<string, string>): PropertyDecorator {
  const byName = new Map(Object.entries(names).map(([code, name]) => [name, code]));
  return Transform(({ value }) => (typeof value === 'string' ? (byName.get(value) ?? value) : value));
}

/**
 * The properties a DTO class declares (any validation decorator, optional ones included): what
 * whitelist allows. Cached per class: metadata is fixed once the class is loaded.
 */
const declared = new WeakMap<object, Set<string>>();
export function declaredProperties(cls: new () => object): Set<string> {
  let props = declared.get(cls);
  if (!props) {
    const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    props = new Set(metas.map((m) => m.propertyName));
    declared.set(cls, props);
  }
  return props;
}

/**
 * Own keys of a parsed body or query the class does not declare. Checked before
 * class-transformer runs: it skips keys that name an inherited member (`constructor`,
 * `toString`, `__proto__`…), so whitelist alone would never see them.
 */
export function undeclaredKeys(value: object, cls: new () => object): FieldProblem[] {
  const props = declaredProperties(cls);
  return Object.keys(value)
    .filter((k) => !props.has(k))
    .map((k) => ({ field: k, rule: 'whitelistValidation', message: `property ${k} should not exist` }));
}

/**
 * Strings PostgreSQL cannot store, anywhere in a parsed body or query: a NUL (text and jsonb
 * refuse it) or an unpaired UTF-16 surrogate (not UTF-8 at all). Named by the field holding them:
 * a list of strings by the list's name (as class-validator names its elements), a key inside an
 * object, in a list or not, by its path `a.b`.
 */
export function unstorableText(value: object): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const visit = (v: unknown, field: string, depth: number): boolean => {
    if (typeof v === 'string') return !isStorableText(v);
    if (typeof v !== 'object' || v === null || depth > 32) return false;
    if (Array.isArray(v)) return v.some((x) => visit(x, field, depth + 1));
    for (const [k, x] of Object.entries(v)) {
      if (visit(x, `${field}.${k}`, depth + 1)) add(`${field}.${k}`);
    }
    return false;
  };
  const add = (field: string) =>
    problems.push({
      field,
      rule: 'isStorableText',
      message: `${field} must not contain NUL (\\u0000) or unpaired surrogate characters`,
    });
  for (const [k, x] of Object.entries(value)) if (visit(x, k, 0)) add(k);
  return problems;
}

/**
 * What a body or query is refused for before its class's own rules run: keys the class does not
 * declare, then text that cannot be stored — each field once. `rest` is the value without the
 * undeclared keys, for the class's rules to check next, so one answer names every offending field.
 */
export function screenInput(
  value: object,
  cls: new () => object,
): { problems: FieldProblem[]; rest: Record<string, unknown> } {
  const unknown = undeclaredKeys(value, cls);
  const drop = new Set(unknown.map((p) => p.field));
  return {
    problems: oncePerField(unknown, unstorableText(value)),
    rest: drop.size
      ? Object.fromEntries(Object.entries(value).filter(([k]) => !drop.has(k)))
      : (value as Record<string, unknown>),
  };
}

/** Problems of a request's fields, each field once: the first list to name a field wins. */
export function oncePerField(...lists: FieldProblem[][]): FieldProblem[] {
  const seen = new Set<string>();
  return lists.flat().filter((p) => !seen.has(p.field) && seen.add(p.field));
}

/**
 * Which failure to report when a field breaks several rules: presence first, then its type, then
 * its content, then its size. A missing `materials` is "required", not "must contain no more
 * than 100 elements".
 */
const RULE_ORDER = [
  'whitelistValidation',
  'isDefined',
  'isObject',
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isIn',
  'isEnum',
  'isUuid',
  'isIso8601',
  'isNotBlank',
  'isNotEmpty',
  'matches',
  'isCalendarDate',
  'min',
  'max',
  'arrayMinSize',
  'arrayMaxSize',
  'minLength',
  'maxLength',
];
const rank = (rule: string) => {
  const i = RULE_ORDER.indexOf(rule);
  return i < 0 ? RULE_ORDER.length : i;
};

/** One problem per field: the rule that matters most among those it failed. */
export function fieldProblems(errors: ClassValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {})
      .map(([rule, message]) => ({ field, rule, message }))
      .sort((a, b) => rank(a.rule) - rank(b.rule))
      .slice(0, 1);
    return [...own, ...fieldProblems(e.children ?? [], field)];
  });
}
