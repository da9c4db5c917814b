import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import {
  SPECIAL_PROCEDURES as SPECIAL_PROCEDURE_NAMES,
  WAIVER_BASES as WAIVER_BASIS_NAMES,
} from '@qianqi/audit';
import { ValidationError } from '@qianqi/domain';
import { COMMAND_TYPES, SPECIAL_PROCEDURE_KINDS, WAIVER_BASES, type CommandType } from '@qianqi/workflows';
import type { CommandRequest } from '@qianqi/domain';
import { AcceptNames, fieldProblems, IsNotBlank, oncePerField, Required, screenInput } from './field.rules';

export * from './field.rules';

const names = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([code, name]) => `${code} (${name})`)
    .join(', ');

/**
 * Bodies of POST /procedures/:id/items/:itemKey/commands, one class per command type. The
 * decorator nearest the property runs first; reports pick the most basic failure anyway
 * (`fieldProblems`).
 */
export class CommandBody {
  @ApiProperty({ enum: COMMAND_TYPES })
  @Required()
  @IsIn(COMMAND_TYPES)
  type: CommandType;
}

class MaterialsBody extends CommandBody {
  @ApiProperty({ type: [String], description: 'material keys (or Chinese names) of the item', maxItems: 100 })
  @Required()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  materials: string[];
}

class ReasonBody extends CommandBody {
  @ApiProperty({ maxLength: 2000, description: 'not blank' })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(2000)
  reason: string;
}

export class SubmitBody extends MaterialsBody {}
export class ResubmitBody extends MaterialsBody {}
export class SupplyMaterialsBody extends MaterialsBody {}
export class AcceptBody extends CommandBody {}
export class EndSpecialProcedureBody extends CommandBody {}
export class RefuseBody extends ReasonBody {}
export class DenyBody extends ReasonBody {}
export class WithdrawBody extends ReasonBody {}

export class AcceptWithToleranceBody extends CommandBody {
  @ApiPropertyOptional({
    description: 'commitment due in working days (definition default otherwise)',
    minimum: 1,
    maximum: 365,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  dueInWorkingDays?: number;
}

export class ReturnForCorrectionBody extends ReasonBody {
  @ApiProperty({ type: [String], description: 'material keys (or names) to correct', maxItems: 100 })
  @Required()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  missing: string[];
}

export class StartSpecialProcedureBody extends ReasonBody {
  @ApiProperty({
    enum: SPECIAL_PROCEDURE_KINDS,
    description: `特别程序: ${names(SPECIAL_PROCEDURE_NAMES)}; the Chinese name is accepted too and stored as the code`,
  })
  @AcceptNames(SPECIAL_PROCEDURE_NAMES)
  @Required()
  @IsIn(SPECIAL_PROCEDURE_KINDS)
  kind: (typeof SPECIAL_PROCEDURE_KINDS)[number];
}

export class ApproveBody extends CommandBody {
  @ApiProperty({ example: '衢环建〔2026〕12号', maxLength: 200, description: '文号, not blank' })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  documentNo: string;
}

export class WaiveBody extends ReasonBody {
  @ApiProperty({
    enum: WAIVER_BASES,
    description: `${names(WAIVER_BASIS_NAMES)}; the Chinese name is accepted too and stored as the code`,
  })
  @AcceptNames(WAIVER_BASIS_NAMES)
  @Required()
  @IsIn(WAIVER_BASES)
  basis: (typeof WAIVER_BASES)[number];
}

export const COMMAND_BODIES: Record<CommandType, new () => CommandBody> = {
  SUBMIT: SubmitBody,
  ACCEPT: AcceptBody,
  ACCEPT_WITH_TOLERANCE: AcceptWithToleranceBody,
  RETURN_FOR_CORRECTION: ReturnForCorrectionBody,
  RESUBMIT: ResubmitBody,
  REFUSE: RefuseBody,
  START_SPECIAL_PROCEDURE: StartSpecialProcedureBody,
  END_SPECIAL_PROCEDURE: EndSpecialProcedureBody,
  APPROVE: ApproveBody,
  DENY: DenyBody,
  SUPPLY_MATERIALS: SupplyMaterialsBody,
  WITHDRAW: WithdrawBody,
  WAIVE: WaiveBody,
};

/**
 * Validates a command body against the class of its type: whitelist, no unknown fields (own
 * keys checked before class-transformer, which would drop `constructor` and the like unseen).
 */
export function parseCommandBody(body: unknown): CommandRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([
      { field: 'body', rule: 'isObject', message: 'body must be a JSON object { type, … }' },
    ]);
  }
  const type = (body as { type?: unknown }).type;
  if (type === undefined || type === null) {
    throw new ValidationError([{ field: 'type', rule: 'isDefined', message: 'type is required' }]);
  }
  // Own keys only: `toString` or `__proto__` must not find Object.prototype's members.
  const cls =
    typeof type === 'string' && Object.hasOwn(COMMAND_BODIES, type)
      ? COMMAND_BODIES[type as CommandType]
      : undefined;
  if (!cls) {
    throw new ValidationError([
      { field: 'type', rule: 'isIn', message: `type must be one of ${COMMAND_TYPES.join(', ')}` },
    ]);
  }
  const { problems, rest } = screenInput(body, cls);
  const instance = plainToInstance(cls, rest);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (problems.length || errors.length)
    throw new ValidationError(oncePerField(problems, fieldProblems(errors)));
  return instance as unknown as CommandRequest;
}
