import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  validateSync,
  type ValidationError as ClassValidationError,
} from 'class-validator';
import { ValidationError, type FieldProblem } from '@qianqi/domain';
import { COMMAND_TYPES, SPECIAL_PROCEDURE_KINDS, WAIVER_BASES, type CommandType } from '@qianqi/workflows';
import type { CommandRequest } from '@qianqi/domain';

/** Bodies of POST /procedures/:id/items/:itemKey/commands, one class per command type. */
export class CommandBody {
  @ApiProperty({ enum: COMMAND_TYPES })
  @IsIn(COMMAND_TYPES)
  type: CommandType;
}

class MaterialsBody extends CommandBody {
  @ApiProperty({ type: [String], description: 'material keys (or names) of the item' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  materials: string[];
}

class ReasonBody extends CommandBody {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
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
  @ApiPropertyOptional({ description: 'commitment due in working days (definition default otherwise)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  dueInWorkingDays?: number;
}

export class ReturnForCorrectionBody extends ReasonBody {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  missing: string[];
}

export class StartSpecialProcedureBody extends ReasonBody {
  @ApiProperty({ enum: SPECIAL_PROCEDURE_KINDS })
  @IsIn(SPECIAL_PROCEDURE_KINDS)
  kind: (typeof SPECIAL_PROCEDURE_KINDS)[number];
}

export class ApproveBody extends CommandBody {
  @ApiProperty({ example: '衢环建〔2026〕12号' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  documentNo: string;
}

export class WaiveBody extends ReasonBody {
  @ApiProperty({ enum: WAIVER_BASES })
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

export function fieldProblems(errors: ClassValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...fieldProblems(e.children ?? [], field)];
  });
}

/** Validates a command body against the class of its type: whitelist, no unknown fields. */
export function parseCommandBody(body: unknown): CommandRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([
      { field: 'body', rule: 'isObject', message: 'body must be a JSON object { type, … }' },
    ]);
  }
  const type = (body as { type?: unknown }).type;
  const cls = typeof type === 'string' ? COMMAND_BODIES[type as CommandType] : undefined;
  if (!cls) {
    throw new ValidationError([
      { field: 'type', rule: 'isIn', message: `type must be one of ${COMMAND_TYPES.join(', ')}` },
    ]);
  }
  const instance = plainToInstance(cls, body);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new ValidationError(fieldProblems(errors));
  return instance as unknown as CommandRequest;
}
