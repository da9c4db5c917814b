import { and, assign, not, or, setup, stateIn, type AnyStateMachine } from 'xstate';
import { definitionRef, type ItemDefinition, type ProcedureDefinition } from './definition.types';
import {
  canLosePrerequisites,
  certificateWithheld,
  DONE_STATUSES,
  edgeSkipped,
  isOutstanding,
} from './prerequisite.rules';
import {
  copyItemContext,
  emptyItemContext,
  type Commitment,
  type ItemContext,
  type ProcedureContext,
  type ProcedureInput,
} from './procedure.context';
import { machineEventType as ev, type ProcedureEvent } from './procedure.events';

export const MACHINE_ID = 'procedure';

/**
 * The guards below whose answer depends on nothing but the procedure's approval mode (and the
 * definition and their params), never on what has happened: bulk replay keeps their answers per
 * mode instead of asking again at every event. A guard that reads anything else of the context
 * or the event must not be listed.
 */
export const MODE_GUARDS: ReadonlySet<string> = new Set(['notApplicable', 'edgeSkipped', 'waivable']);

type ItemParams = { item: string };
type Args = { context: ProcedureContext; event: ProcedureEvent };

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const openCommitments = (item: ItemContext) => item.commitments.filter(isOutstanding);

/**
 * The context's change when one item becomes `next`: the other items are shared, and nothing a
 * snapshot already holds is mutated.
 */
function withItem(context: ProcedureContext, key: string, next: ItemContext) {
  const items = Object.assign({}, context.items);
  items[key] = next;
  return { items };
}

/**
 * `withItem` with a fresh copy of the item as `edit` changes it. (Copied member by member and
 * written field by field: a literal that spreads and then adds members, or spreads twice, is
 * built member by member through V8's slow path, most of the time a bulk replay spent here.)
 */
function editItem(
  context: ProcedureContext,
  key: string,
  edit: (next: ItemContext, current: ItemContext) => void,
) {
  const current = context.items[key];
  const next = copyItemContext(current);
  edit(next, current);
  return withItem(context, key, next);
}

/** A fresh copy of a commitment as `edit` changes it. */
function editCommitment(c: Commitment, edit: (next: Commitment) => void): Commitment {
  const next = { ...c };
  edit(next);
  return next;
}

function closeOpenStop(item: ItemContext, at: string): ItemContext['stops'] {
  return item.stops.map((s) =>
    s.to === null ? { kind: s.kind, reason: s.reason, from: s.from, to: at } : s,
  );
}

/**
 * Compiles a definition into one XState machine: a parallel state with a region per item, each
 * running the item lifecycle of DESIGN.md; prerequisites are `stateIn` guards on other regions.
 * Guards and actions are named and pure; the event carries the time.
 */
export function buildProcedureMachine(def: ProcedureDefinition): AnyStateMachine {
  const items = new Map(def.items.map((i) => [i.key, i]));
  const itemDef = (key: string): ItemDefinition => items.get(key)!;
  const missingOf = (key: string, item: ItemContext) =>
    itemDef(key).materials.filter((m) => !item.materials.includes(m.key));

  const machineSetup = setup({
    types: {} as { context: ProcedureContext; events: ProcedureEvent; input: ProcedureInput },
    guards: {
      notApplicable: ({ context }: Args, { item }: ItemParams) => {
        const modes = itemDef(item).approvalModes;
        return !!modes && !modes.includes(context.approvalMode);
      },
      edgeSkipped: ({ context }: Args, p: { item: string; prerequisite: string }) => {
        const edge = itemDef(p.item).prerequisites.find((e) => e.item === p.prerequisite);
        return !!edge && edgeSkipped(edge, context.approvalMode);
      },
      // (Asked at every acceptance and approval: answered without building the lists they test.)
      materialsComplete: ({ context }: Args, { item }: ItemParams) => {
        const given = context.items[item].materials;
        return itemDef(item).materials.every((m) => given.includes(m.key));
      },
      onlyTolerableMissing: ({ context }: Args, { item }: ItemParams) => {
        const given = context.items[item].materials;
        return itemDef(item).materials.every((m) => m.tolerable || given.includes(m.key));
      },
      noOpenCommitments: ({ context }: Args, { item }: ItemParams) =>
        !context.items[item].commitments.some(isOutstanding),
      wasAccepted: ({ context }: Args, { item }: ItemParams) => context.items[item].acceptedAt !== null,
      waivable: (_: Args, { item }: ItemParams) => itemDef(item).waivable,
      suppliesAllCommitments: ({ context, event }: Args, { item }: ItemParams) => {
        const supplied = strings(event.materials);
        return openCommitments(context.items[item]).every((c) => supplied.includes(c.material));
      },
      suppliesSomeCommitment: ({ context, event }: Args, { item }: ItemParams) => {
        const supplied = strings(event.materials);
        return openCommitments(context.items[item]).some((c) => supplied.includes(c.material));
      },
      /** `withhold`: a broken commitment not yet made good withholds the certificate. */
      notWithheld: ({ context }: Args, { item }: ItemParams) =>
        !certificateWithheld(itemDef(item), context.items[item]),
      revokesOnBreach: ({ context, event }: Args, { item }: ItemParams) => {
        const breached = strings(event.materials);
        return (
          itemDef(item).breachPolicy === 'revoke' &&
          context.items[item].commitments.some((c) => c.status === 'open' && breached.includes(c.material))
        );
      },
    },
    actions: {
      recordSubmission: assign(({ context, event }: Args, { item }: ItemParams) => {
        const next = emptyItemContext();
        next.attempt = context.items[item].attempt + 1;
        next.materials = strings(event.materials);
        next.submittedAt = event.at;
        return withItem(context, item, next);
      }),
      recordResubmission: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.materials = [...new Set([...i.materials, ...strings(event.materials)])];
          next.stops = closeOpenStop(i, event.at);
          next.correction = null;
        }),
      ),
      recordAcceptance: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next) => {
          next.acceptedAt = event.at;
        }),
      ),
      recordToleranceAcceptance: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.acceptedAt = event.at;
          next.commitments = missingOf(item, i).map((m) => ({
            material: m.key,
            openedAt: event.at,
            dueAt: (event.commitmentDueAt as string | null) ?? null,
            dueInWorkingDays: Number(event.dueInWorkingDays),
            status: 'open' as const,
            fulfilledAt: null,
            breachedAt: null,
          }));
        }),
      ),
      recordCorrection: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.correction = { reason: String(event.reason), missing: strings(event.missing) };
          next.stops = [
            ...i.stops,
            { kind: 'correction' as const, reason: String(event.reason), from: event.at, to: null },
          ];
        }),
      ),
      recordRefusal: assign(({ context, event }: Args, { item }: ItemParams) => {
        const next = emptyItemContext();
        next.attempt = context.items[item].attempt;
        next.reason = String(event.reason);
        return withItem(context, item, next);
      }),
      recordSpecialStart: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.stops = [
            ...i.stops,
            { kind: event.kind as never, reason: String(event.reason), from: event.at, to: null },
          ];
        }),
      ),
      recordSpecialEnd: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.stops = closeOpenStop(i, event.at);
        }),
      ),
      recordDecision: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next) => {
          next.decidedAt = event.at;
          next.documentNo = (event.documentNo as string | undefined) ?? null;
          next.reason = (event.reason as string | undefined) ?? null;
        }),
      ),
      recordSupply: assign(({ context, event }: Args, { item }: ItemParams) => {
        const supplied = strings(event.materials);
        return editItem(context, item, (next, i) => {
          next.materials = [...new Set([...i.materials, ...supplied])];
          next.commitments = i.commitments.map((c) =>
            isOutstanding(c) && supplied.includes(c.material)
              ? editCommitment(c, (n) => {
                  n.status = 'fulfilled';
                  n.fulfilledAt = event.at;
                })
              : c,
          );
        });
      }),
      recordBreach: assign(({ context, event }: Args, { item }: ItemParams) => {
        const breached = strings(event.materials);
        return editItem(context, item, (next, i) => {
          next.commitments = i.commitments.map((c) =>
            c.status === 'open' && breached.includes(c.material)
              ? editCommitment(c, (n) => {
                  n.status = 'breached';
                  n.breachedAt = event.at;
                })
              : c,
          );
        });
      }),
      /** A denied or withdrawn application's commitments can no longer be supplied nor broken. */
      recordCancellation: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.commitments = i.commitments.map((c) =>
            isOutstanding(c)
              ? editCommitment(c, (n) => {
                  n.status = 'cancelled';
                  n.cancelledAt = event.at;
                })
              : c,
          );
        }),
      ),
      recordRevocation: assign(({ context }: Args, { item }: ItemParams) =>
        editItem(context, item, (next) => {
          next.decidedAt = null;
          next.documentNo = null;
          next.reason = '容缺承诺逾期未补齐';
        }),
      ),
      recordWithdrawal: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next, i) => {
          next.reason = String(event.reason);
          next.decidedAt = event.at;
          next.stops = closeOpenStop(i, event.at);
        }),
      ),
      recordWaiver: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next) => {
          next.waiver = { basis: event.basis as never, reason: String(event.reason) };
          next.decidedAt = event.at;
        }),
      ),
      recordLight: assign(({ context, event }: Args, { item }: ItemParams) =>
        editItem(context, item, (next) => {
          next.light = event.light as never;
          next.overdue = Boolean(event.overdue);
          next.statutoryBreach = Boolean(event.statutoryBreach);
        }),
      ),
    },
  });

  const p = (item: string) => ({ item });
  const act = (type: string, item: string) => ({ type, params: p(item) }) as never;
  const guard = (type: string, item: string) => ({ type, params: p(item) }) as never;

  /** The rules of prerequisite.rules.ts (`edgeMet`) as guards: `stateIn` on the other regions. */
  const prerequisitesMet = (item: ItemDefinition) =>
    and(
      item.prerequisites.map((edge) => {
        const done: unknown[] = DONE_STATUSES.map((s) => stateIn(`#${MACHINE_ID}.${edge.item}.${s}`));
        if (edge.allowProvisional) {
          done.push(
            and([
              stateIn(`#${MACHINE_ID}.${edge.item}.provisionally_approved`),
              { type: 'notWithheld', params: { item: edge.item } } as never,
            ]),
          );
        }
        done.push({ type: 'edgeSkipped', params: { item: item.key, prerequisite: edge.item } });
        return or(done as never);
      }) as never,
    );

  const region = (item: ItemDefinition) => {
    const k = item.key;
    const on = (type: Parameters<typeof ev>[1]) => ev(k, type);
    // 容缺后置: a prerequisite met by a provisional approval stops being met when its commitment is
    // broken (withhold) or the approval revoked. Only such items need the guards below.
    const losable = canLosePrerequisites(item);
    /** `named`, and prerequisites met where they can be lost. */
    const unlocked = (named: never) => (losable ? and([prerequisitesMet(item), named]) : named) as never;
    const submit = { target: 'submitted', actions: act('recordSubmission', k) };
    /** A new application after a denial or withdrawal needs its prerequisites, as from `ready`. */
    const submitAgain = losable ? { ...submit, guard: prerequisitesMet(item) } : submit;
    const withdraw = {
      target: 'withdrawn',
      actions: [act('recordWithdrawal', k), act('recordCancellation', k)],
    };
    const supply = { guard: guard('suppliesSomeCommitment', k), actions: act('recordSupply', k) };
    const breach = { actions: act('recordBreach', k) };
    return {
      initial: 'locked',
      on: { [on('SET_LIGHT')]: { actions: act('recordLight', k) } },
      states: {
        locked: {
          always: [
            { guard: guard('notApplicable', k), target: 'not_applicable' },
            ...(item.prerequisites.length
              ? [{ guard: prerequisitesMet(item), target: 'ready' }]
              : [{ target: 'ready' }]),
          ],
          on: {
            [on('WAIVE')]: { guard: guard('waivable', k), target: 'waived', actions: act('recordWaiver', k) },
          },
        },
        not_applicable: { type: 'final' },
        ready: {
          // Nothing submitted yet: back to locked until the prerequisite is made good again.
          ...(losable ? { always: [{ guard: not(prerequisitesMet(item)), target: 'locked' }] } : {}),
          on: {
            [on('SUBMIT')]: submit,
            [on('WAIVE')]: { guard: guard('waivable', k), target: 'waived', actions: act('recordWaiver', k) },
          },
        },
        submitted: {
          on: {
            [on('ACCEPT')]: {
              guard: guard('materialsComplete', k),
              target: 'in_review',
              actions: act('recordAcceptance', k),
            },
            [on('ACCEPT_WITH_TOLERANCE')]: {
              guard: guard('onlyTolerableMissing', k),
              target: 'in_review',
              actions: act('recordToleranceAcceptance', k),
            },
            [on('RETURN_FOR_CORRECTION')]: { target: 'correcting', actions: act('recordCorrection', k) },
            [on('REFUSE')]: { target: 'ready', actions: act('recordRefusal', k) },
            [on('WITHDRAW')]: withdraw,
          },
        },
        correcting: {
          on: {
            // Returned during review: the clock resumes where it stopped.
            [on('RESUBMIT')]: [
              { guard: guard('wasAccepted', k), target: 'in_review', actions: act('recordResubmission', k) },
              { target: 'submitted', actions: act('recordResubmission', k) },
            ],
            // A commitment runs regardless of the item clock, so it can break during 补正 too.
            [on('BREACH_COMMITMENTS')]: breach,
            [on('WITHDRAW')]: withdraw,
          },
        },
        in_review: {
          on: {
            [on('START_SPECIAL_PROCEDURE')]: { target: 'paused', actions: act('recordSpecialStart', k) },
            [on('RETURN_FOR_CORRECTION')]: { target: 'correcting', actions: act('recordCorrection', k) },
            // No certificate while a prerequisite is not met (its own certificate withheld, or its
            // provisional approval revoked): review goes on, the decision waits.
            [on('APPROVE')]: [
              {
                guard: unlocked(guard('noOpenCommitments', k)),
                target: 'approved',
                actions: act('recordDecision', k),
              },
              {
                guard: unlocked(guard('notWithheld', k)),
                target: 'provisionally_approved',
                actions: act('recordDecision', k),
              },
            ],
            [on('DENY')]: {
              target: 'denied',
              actions: [act('recordDecision', k), act('recordCancellation', k)],
            },
            [on('SUPPLY_MATERIALS')]: supply,
            [on('BREACH_COMMITMENTS')]: breach,
            [on('WITHDRAW')]: withdraw,
          },
        },
        paused: {
          on: {
            [on('END_SPECIAL_PROCEDURE')]: { target: 'in_review', actions: act('recordSpecialEnd', k) },
            [on('SUPPLY_MATERIALS')]: supply,
            [on('BREACH_COMMITMENTS')]: breach,
            [on('WITHDRAW')]: withdraw,
          },
        },
        provisionally_approved: {
          on: {
            [on('SUPPLY_MATERIALS')]: [
              {
                guard: and([guard('suppliesSomeCommitment', k), guard('suppliesAllCommitments', k)]),
                target: 'approved',
                actions: act('recordSupply', k),
              },
              supply,
            ],
            [on('BREACH_COMMITMENTS')]: [
              {
                guard: guard('revokesOnBreach', k),
                target: 'in_review',
                actions: [act('recordBreach', k), act('recordRevocation', k)],
              },
              breach,
            ],
          },
        },
        approved: {},
        denied: { on: { [on('SUBMIT')]: submitAgain } },
        withdrawn: { on: { [on('SUBMIT')]: submitAgain } },
        waived: {},
      },
    };
  };

  const machine = machineSetup.createMachine({
    id: MACHINE_ID,
    type: 'parallel',
    context: ({ input }) => ({
      procedureId: input.procedureId,
      projectId: input.projectId,
      approvalMode: input.approvalMode,
      definition: definitionRef(def),
      items: Object.fromEntries(def.items.map((i) => [i.key, emptyItemContext()])),
    }),
    states: Object.fromEntries(def.items.map((i) => [i.key, region(i)])) as never,
  });
  return machine as unknown as AnyStateMachine;
}
