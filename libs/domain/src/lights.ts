import {
  DEFAULT_LIGHTS,
  type Commitment,
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

/**
 * How many units of a limit of `n` must be used for the light to be at least blue / yellow:
 * blue from `blue` × n used; yellow from `yellow` × n used or with `yellowDaysLeft` or fewer
 * left (left = n − used). One rule for the light and for the timer that turns it, so they agree.
 * Shares are compared with a little slack, so 0.28 × 25 counts as 7, not as 7.000000000000001.
 */
export function lightThresholdDays(n: number, t: LightThresholds): { blue: number; yellow: number } {
  const share = (s: number) => Math.ceil(s * n - 1e-9);
  return { blue: share(t.blue), yellow: Math.min(share(t.yellow), n - t.yellowDaysLeft) };
}

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
  const overdue = clocked && Date.parse(now) > Date.parse(c!.dueAt);
  const statutoryBreach = breachedStatute(status, deadlines, now);
  if (hasBreach(ctx) || overdue) return { light: 'red', overdue, statutoryBreach };
  if (!clocked) return { light: 'green', overdue: false, statutoryBreach: false };
  const from = lightThresholdDays(limit, t);
  if (c!.used >= from.yellow) return { light: 'yellow', overdue, statutoryBreach };
  if (c!.used >= from.blue) return { light: 'blue', overdue, statutoryBreach };
  return { light: 'green', overdue, statutoryBreach };
}

function breachedStatute(
  status: ItemStatus,
  d: { statutory: ComputedDeadline | null },
  now: string,
): boolean {
  return CLOCKED.includes(status) && !!d.statutory && Date.parse(now) > Date.parse(d.statutory.dueAt);
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
  // The light turns at 00:00 of the day on which `used` reaches a threshold: the k-th unit's day.
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
  const from = lightThresholdDays(n, t);
  const candidates = [
    dayStart(from.blue),
    dayStart(from.yellow),
    after(committed.dueAt),
    after(statutory.dueAt),
  ].filter((c): c is string => c !== null && Date.parse(c) > Date.parse(now));
  return candidates.length ? candidates.sort()[0] : null;
}

/**
 * When a 容缺 commitment ends: its working days from the acceptance on the calendar as it stands
 * (so a year loaded since moves a date first counted on weekends alone, and such a date is
 * `provisional` until then), or, with no calendar, the date recorded at the acceptance.
 */
export function commitmentDue(
  c: Commitment,
  calc: DeadlineCalculator | undefined,
): { dueAt: string | null; provisional: boolean } {
  if (calc && c.openedAt && Number.isFinite(c.dueInWorkingDays))
    return calc.workingDaysAfter(c.openedAt, c.dueInWorkingDays);
  return { dueAt: c.dueAt, provisional: false };
}

/** The open commitments with their due dates, as `commitmentDue` counts them. */
export function openCommitmentDues(
  ctx: ItemContext,
  calc: DeadlineCalculator | undefined,
): { material: string; dueAt: string | null; provisional: boolean }[] {
  return ctx.commitments
    .filter((c) => c.status === 'open')
    .map((c) => ({ material: c.material, ...commitmentDue(c, calc) }));
}

/**
 * The instant after the earliest open commitment ends, when it is broken; with `now`, the
 * earliest such instant still after `now` (one already past is the clock evaluation's to break
 * at `now`, or — where the item's state takes no breach — nothing a timer could change).
 */
export function nextCommitmentDueAt(
  dues: { dueAt: string | null }[],
  now: string | undefined,
): string | null {
  const due = dues
    .filter((d): d is { dueAt: string } => d.dueAt !== null)
    .map((d) => new Date(Date.parse(d.dueAt) + 1).toISOString())
    .filter((at) => now === undefined || Date.parse(at) > Date.parse(now))
    .sort();
  return due[0] ?? null;
}

export function dueCommitments(
  ctx: ItemContext,
  now: string,
  calc: DeadlineCalculator | undefined,
): string[] {
  return openCommitmentDues(ctx, calc)
    .filter((d) => d.dueAt !== null && Date.parse(d.dueAt) < Date.parse(now))
    .map((d) => d.material);
}
