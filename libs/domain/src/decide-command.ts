import {
  DEFAULT_BREACH_POLICY,
  DEFAULT_COMMITMENT_DAYS,
  isOutstanding,
  ProcedureLogic,
  toMachineEvent,
  type CommandPayloads,
  type CommandType,
  type ItemDefinition,
  type PersistedProcedure,
  type UnmetPrerequisite,
} from '@qianqi/workflows';
import { DomainError, ErrorCode, NotFoundError, ValidationError } from './domain.errors';
import { EVENT_OF_COMMAND, PROVISIONAL_APPROVAL_EVENT, type NewEvent } from './procedure-event';

export interface CommandRequest {
  type: CommandType;
  [field: string]: unknown;
}

/** What decide needs from outside, as values and pure functions: the time and the calendar. */
export interface DecideContext {
  at: string;
  /** Due instant of a commitment of `days` working days from `at`, or null without a calendar. */
  commitmentDueAt(at: string, days: number): string | null;
}

export interface Decision {
  state: PersistedProcedure;
  events: NewEvent[];
}

function materialKeys(item: ItemDefinition, field: string, given: unknown): string[] {
  const list = Array.isArray(given) ? given.map(String) : [];
  const byName = new Map(item.materials.map((m) => [m.name, m.key]));
  const known = new Set(item.materials.map((m) => m.key));
  const keys = list.map((m) => byName.get(m) ?? m);
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ValidationError(
      [
        {
          field,
          rule: 'knownMaterial',
          message: `unknown material(s) ${unknown.join(', ')} for ${item.key}; known: ${[...known].join(', ')}`,
        },
      ],
      ErrorCode.UNKNOWN_MATERIAL,
    );
  }
  return [...new Set(keys)];
}

/** Turns a validated request into the machine's payload, completing what the engine computes. */
function payloadOf(item: ItemDefinition, cmd: CommandRequest, ctx: DecideContext): Record<string, unknown> {
  switch (cmd.type) {
    case 'SUBMIT':
    case 'RESUBMIT':
    case 'SUPPLY_MATERIALS':
      return { materials: materialKeys(item, 'materials', cmd.materials) };
    case 'RETURN_FOR_CORRECTION':
      return { reason: cmd.reason, missing: materialKeys(item, 'missing', cmd.missing ?? []) };
    case 'ACCEPT_WITH_TOLERANCE': {
      const days =
        (cmd.dueInWorkingDays as number | undefined) ?? item.commitmentDays ?? DEFAULT_COMMITMENT_DAYS;
      const payload: CommandPayloads['ACCEPT_WITH_TOLERANCE'] = {
        dueInWorkingDays: days,
        commitmentDueAt: ctx.commitmentDueAt(ctx.at, days),
      };
      return payload as never;
    }
    case 'APPROVE':
      return { documentNo: cmd.documentNo };
    case 'START_SPECIAL_PROCEDURE':
      return { kind: cmd.kind, reason: cmd.reason };
    case 'REFUSE':
    case 'DENY':
    case 'WITHDRAW':
      return { reason: cmd.reason };
    case 'WAIVE':
      return { basis: cmd.basis, reason: cmd.reason };
    default:
      return {};
  }
}

function describeUnmet(unmet: UnmetPrerequisite[]): string {
  return unmet
    .map((p) => {
      const why =
        p.status === 'provisionally_approved' && p.breached.length
          ? `provisionally approved, certificate withheld: committed material(s) ${p.breached.join(', ')} not supplied`
          : p.status;
      return `${p.item} (${p.name}) is ${why}`;
    })
    .join('; ');
}

/** Why the machine refused, as the most specific error the state allows us to name. */
function refusal(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  item: ItemDefinition,
  cmd: CommandRequest,
  payload: Record<string, unknown>,
): DomainError {
  const status = logic.status(state, item.key);
  const ctx = state.context.items[item.key];
  const missing = item.materials.filter((m) => !ctx.materials.includes(m.key));
  const accepted = logic.commandsAccepted(status, item.key);
  if (cmd.type === 'WAIVE' && !item.waivable) {
    return new DomainError(ErrorCode.NOT_WAIVABLE, `${item.name} may not be waived`, { itemKey: item.key });
  }
  if (accepted.includes(cmd.type)) {
    const breached = ctx.commitments.filter((c) => c.status === 'breached').map((c) => c.material);
    if (
      cmd.type === 'APPROVE' &&
      breached.length &&
      (item.breachPolicy ?? DEFAULT_BREACH_POLICY) === 'withhold'
    ) {
      return new DomainError(
        ErrorCode.CERTIFICATE_WITHHELD,
        `${item.name}: the certificate is withheld until the committed material(s) ${breached.join(', ')} are supplied`,
        { itemKey: item.key, breached },
      );
    }
    const unmet = logic.unmetPrerequisites(state, item.key);
    if ((cmd.type === 'APPROVE' || cmd.type === 'SUBMIT') && unmet.length) {
      return new DomainError(
        ErrorCode.PREREQUISITES_NOT_MET,
        `${item.name}: ${cmd.type} waits for its prerequisite(s): ${describeUnmet(unmet)}`,
        {
          itemKey: item.key,
          itemStatus: status,
          command: cmd.type,
          prerequisites: unmet.map((p) => p.item),
          unmetPrerequisites: unmet,
        },
      );
    }
    if (cmd.type === 'ACCEPT' && missing.length) {
      return new DomainError(
        ErrorCode.MATERIALS_INCOMPLETE,
        `${item.name}: materials missing: ${missing.map((m) => `${m.key} (${m.name})`).join(', ')}`,
        { itemKey: item.key, missing: missing.map((m) => m.key) },
      );
    }
    if (cmd.type === 'ACCEPT_WITH_TOLERANCE') {
      const essential = missing.filter((m) => !m.tolerable);
      return new DomainError(
        ErrorCode.TOLERANCE_NOT_ALLOWED,
        `${item.name}: essential material(s) missing, 容缺 not allowed: ${essential.map((m) => `${m.key} (${m.name})`).join(', ')}`,
        { itemKey: item.key, essentialMissing: essential.map((m) => m.key) },
      );
    }
    if (cmd.type === 'SUPPLY_MATERIALS') {
      const open = ctx.commitments.filter(isOutstanding).map((c) => c.material);
      return new DomainError(
        ErrorCode.NOTHING_TO_SUPPLY,
        `${item.name}: none of ${String(payload.materials)} closes an open commitment (open: ${open.join(', ') || 'none'})`,
        { itemKey: item.key, openCommitments: open },
      );
    }
  }
  // A locked item says what it waits for, though the refusal stays INVALID_TRANSITION.
  const waiting = status === 'locked' ? logic.unmetPrerequisites(state, item.key) : [];
  return new DomainError(
    ErrorCode.INVALID_TRANSITION,
    `${item.name} is ${status}; ${cmd.type} is not accepted (accepted: ${accepted.join(', ') || 'none'})` +
      (waiting.length ? `; waiting for: ${describeUnmet(waiting)}` : ''),
    {
      itemKey: item.key,
      itemStatus: status,
      command: cmd.type,
      accepted,
      ...(waiting.length ? { prerequisites: waiting.map((p) => p.item) } : {}),
    },
  );
}

/** Decides one command on one item: the machine's pure transition, or a typed refusal. */
export function decideCommand(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  itemKey: string,
  cmd: CommandRequest,
  ctx: DecideContext,
): Decision {
  const item = logic.item(itemKey);
  if (!item || logic.status(state, itemKey) === 'not_applicable') throw new NotFoundError('item', itemKey);
  const payload = payloadOf(item, cmd, ctx);
  const { state: next, changed } = logic.apply(
    state,
    toMachineEvent(itemKey, cmd.type, payload as never, ctx.at),
  );
  if (!changed) throw refusal(logic, state, item, cmd, payload);

  let type = EVENT_OF_COMMAND[cmd.type];
  if (cmd.type === 'APPROVE' && logic.status(next, itemKey) === 'provisionally_approved')
    type = PROVISIONAL_APPROVAL_EVENT;
  const data: Record<string, unknown> = { itemKey, ...payload };
  if (cmd.type === 'ACCEPT_WITH_TOLERANCE') {
    data.missing = next.context.items[itemKey].commitments.map((c) => c.material);
  }
  const events: NewEvent[] = [{ type, data }];
  // 补正 resubmitted with a committed material among the rest: the commitment is made good too,
  // as SUPPLY_MATERIALS would (one more event, so the record says so and replay agrees).
  if (cmd.type === 'RESUBMIT') {
    const given = new Set(payload.materials as string[]);
    const owed = next.context.items[itemKey].commitments
      .filter((c) => isOutstanding(c) && given.has(c.material))
      .map((c) => c.material);
    if (owed.length) {
      const supply = payloadOf(item, { type: 'SUPPLY_MATERIALS', materials: owed }, ctx);
      const r = logic.apply(next, toMachineEvent(itemKey, 'SUPPLY_MATERIALS', supply as never, ctx.at));
      if (r.changed) {
        events.push({ type: EVENT_OF_COMMAND.SUPPLY_MATERIALS, data: { itemKey, ...supply } });
        return { state: r.state, events };
      }
    }
  }
  return { state: next, events };
}
