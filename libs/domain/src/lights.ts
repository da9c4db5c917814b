import {
  DEFAULT_LIGHTS,
  type ItemContext,
  type ItemDefinition,
  type ItemStatus,
  type Light,
  type LightThresholds,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import type { ComputedDeadline, DeadlineCalculator } from './deadline.port';

export function thresholdsOf(def: ProcedureDefinition): LightThresholds {
  return { ...DEFAULT_LIGHTS, ...(def.lights ?? {}) };
}

/** Statuses in which an accepted item's clock counts (running or stopped). */
export const CLOCKED: ItemStatus[] = ['in_review', 'paused', 'correcting'];

export interface ItemLight {
  light: Light;
  overdue: boolean;
  statutoryBreach: boolean;
}

const DAY_MS = 86_400_000;

function hasBreach(ctx: ItemContext): boolean {
  return ctx.commitments.some((c) => c.status === 'breached');
}

/**
 * The light an item shows at `now`: green; blue at 50 % of the committed limit used; yellow at
 * 80 % or 2 working days left; red past the committed limit (or with a broken commitment not yet
 * made good); statutoryBreach past the statutory limit. Decided items show green.
 */
export function itemLight(
  status: ItemStatus,
  ctx: ItemContext,
  deadlines: { committed: ComputedDeadline | null; statutory: ComputedDeadline | null },
  limit: number,
  t: LightThresholds,
  now: string,
): ItemLight {
  const c = deadlines.committed;
  const clocked = CLOCKED.includes(status) && !!c;
  const overdue = clocked && now > c!.dueAt;
  const statutoryBreach = breachedStatute(status, deadlines, now);
  if (hasBreach(ctx) || overdue) return { light: 'red', overdue, statutoryBreach };
  if (!clocked) return { light: 'green', overdue: false, statutoryBreach: false };
  if (c!.used >= Math.ceil(t.yellow * limit) || c!.left <= t.yellowDaysLeft)
    return { light: 'yellow', overdue, statutoryBreach };
  if (c!.used >= Math.ceil(t.blue * limit)) return { light: 'blue', overdue, statutoryBreach };
  return { light: 'green', overdue, statutoryBreach };
}

function breachedStatute(
  status: ItemStatus,
  d: { statutory: ComputedDeadline | null },
  now: string,
): boolean {
  return CLOCKED.includes(status) && !!d.statutory && now > d.statutory.dueAt;
}

/**
 * When the light of a running item can next change: the start of the day on which the used share
 * crosses a threshold, or the instant after a limit ends. Null when the clock is not running.
 */
export function nextLightChangeAt(
  item: ItemDefinition,
  status: ItemStatus,
  ctx: ItemContext,
  calc: DeadlineCalculator,
  t: LightThresholds,
  now: string,
): string | null {
  if (status !== 'in_review' || !ctx.acceptedAt) return null;
  const stops = ctx.stops.filter((s) => s.to === null || s.to > ctx.acceptedAt!);
  const n = item.limits.committed.n;
  const dayStart = (k: number) => {
    if (k <= 0) return null;
    const end = calc.deadline({
      startedAt: ctx.acceptedAt!,
      limit: { n: k, unit: item.limits.committed.unit },
      stops,
      now,
    });
    return new Date(Date.parse(end.dueAt) - DAY_MS + 1000).toISOString();
  };
  const after = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();
  const committed = calc.deadline({ startedAt: ctx.acceptedAt, limit: item.limits.committed, stops, now });
  const statutory = calc.deadline({ startedAt: ctx.acceptedAt, limit: item.limits.statutory, stops, now });
  const candidates = [
    dayStart(Math.ceil(t.blue * n)),
    dayStart(Math.min(Math.ceil(t.yellow * n), n - t.yellowDaysLeft)),
    after(committed.dueAt),
    after(statutory.dueAt),
  ].filter((c): c is string => c !== null && c > now);
  return candidates.length ? candidates.sort()[0] : null;
}

/** The earliest due instant of an open commitment, after which it is broken. */
export function nextCommitmentDueAt(ctx: ItemContext): string | null {
  const due = ctx.commitments
    .filter((c) => c.status === 'open' && c.dueAt)
    .map((c) => new Date(Date.parse(c.dueAt!) + 1).toISOString())
    .sort();
  return due[0] ?? null;
}

export function dueCommitments(ctx: ItemContext, now: string): string[] {
  return ctx.commitments
    .filter((c) => c.status === 'open' && c.dueAt && c.dueAt < now)
    .map((c) => c.material);
}
