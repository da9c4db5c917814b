import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COMMAND_TYPES, DEPARTMENTS, ITEM_STATUSES, SPECIAL_PROCEDURE_KINDS } from '@qianqi/workflows';

/**
 * Shapes of the answers, for the OpenAPI document only: the use cases return plain objects of
 * these shapes (ProcedureView, the recorded events, RFC 9457 problems).
 */

export class FieldProblemDto {
  @ApiProperty({ example: 'materials', description: 'the offending field (or header, path, body)' })
  field: string;

  @ApiProperty({ example: 'isDefined', description: 'the rule it broke (class-validator names)' })
  rule: string;

  @ApiProperty({ example: 'materials is required' })
  message: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'stable code; the README lists them all' })
  code: string;

  @ApiProperty({ example: 'materials: materials is required' })
  detail: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'one entry per offending field' })
  errors?: FieldProblemDto[];

  @ApiPropertyOptional({ example: '/procedures/…/items/eia/commands' })
  instance?: string;

  @ApiPropertyOptional({ description: 'names the request in the logs' })
  requestId?: string;
}

export class RegisteredProjectDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '2022-330800-48-01-100231' })
  code: string;

  @ApiProperty({ format: 'uuid' })
  procedureId: string;

  @ApiProperty({ example: 'default@1' })
  definition: string;
}

export class CommitmentDto {
  @ApiProperty({ description: 'material key' })
  material: string;

  @ApiProperty({ example: 'open', description: 'open, fulfilled, breached…' })
  status: string;

  @ApiProperty({ format: 'date-time' })
  openedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true })
  dueAt: string | null;

  @ApiProperty()
  dueInWorkingDays: number;

  @ApiProperty({ format: 'date-time', nullable: true })
  fulfilledAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  breachedAt: string | null;
}

export class ClockStopDto {
  @ApiProperty({ enum: ['correction', ...SPECIAL_PROCEDURE_KINDS] })
  kind: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time', nullable: true })
  to: string | null;
}

export class ItemClockDto {
  @ApiProperty()
  running: boolean;

  @ApiProperty()
  paused: boolean;

  @ApiProperty({ type: [ClockStopDto] })
  pausedSpans: ClockStopDto[];
}

export class ItemViewDto {
  @ApiProperty({ example: 'eia' })
  key: string;

  @ApiProperty({ example: '环评批复' })
  name: string;

  @ApiProperty({ enum: Object.keys(DEPARTMENTS) })
  department: string;

  @ApiProperty({ example: '生态环境' })
  departmentName: string;

  @ApiProperty({ minimum: 1 })
  stage: number;

  @ApiProperty({ enum: ITEM_STATUSES })
  status: string;

  @ApiProperty({ enum: ['green', 'blue', 'yellow', 'red'] })
  light: string;

  @ApiProperty()
  overdue: boolean;

  @ApiProperty()
  statutoryBreach: boolean;

  @ApiProperty({ format: 'date-time', nullable: true })
  submittedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  acceptedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  committedDueAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  statutoryDueAt: string | null;

  @ApiProperty({ nullable: true, type: Number })
  workingDaysUsed: number | null;

  @ApiProperty({ nullable: true, type: Number })
  workingDaysLeft: number | null;

  @ApiProperty({ description: 'a due date counted in a year the calendar does not know yet' })
  provisional: boolean;

  @ApiProperty({ nullable: true, type: String })
  documentNo: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'of the last refusal, denial or withdrawal' })
  reason: string | null;

  @ApiProperty({ type: [String] })
  materials: string[];

  @ApiProperty({ type: [String] })
  missingMaterials: string[];

  @ApiProperty({ type: [CommitmentDto] })
  commitments: CommitmentDto[];

  @ApiProperty({
    nullable: true,
    type: Object,
    example: { reason: '补充可研', missing: ['feasibility_study'] },
  })
  correction: { reason: string; missing: string[] } | null;

  @ApiProperty({
    nullable: true,
    type: Object,
    example: { basis: 'regional_assessment', reason: '区域评估已覆盖' },
  })
  waiver: { basis: string; reason: string } | null;

  @ApiProperty({ type: ItemClockDto })
  clock: ItemClockDto;

  @ApiProperty({ type: [String], enum: COMMAND_TYPES, description: 'commands the item accepts now' })
  commands: string[];
}

export class ProcedureViewDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  projectId: string;

  @ApiProperty({ example: 'default@1' })
  definition: string;

  @ApiProperty({ description: 'the stream version (number of events)' })
  version: number;

  @ApiProperty()
  readyToStart: boolean;

  @ApiProperty({ type: [ItemViewDto], description: 'the items that apply to the project' })
  items: ItemViewDto[];
}

export class EventActorDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'department' })
  role: string;

  @ApiPropertyOptional()
  department?: string;

  @ApiPropertyOptional()
  taskForce?: string;

  @ApiPropertyOptional()
  org?: string;
}

export class EventMetadataDto {
  @ApiProperty({ type: EventActorDto })
  actor: EventActorDto;

  @ApiProperty({ nullable: true, type: String })
  requestId: string | null;

  @ApiProperty({ nullable: true, type: String })
  idempotencyKey: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ example: 'default@1' })
  definition: string;
}

export class EventDto {
  @ApiProperty()
  version: number;

  @ApiProperty({ example: 'StepAccepted' })
  type: string;

  @ApiProperty({ type: Object, description: 'the event’s data (itemKey and what the command carried)' })
  data: Record<string, unknown>;

  @ApiProperty({ type: EventMetadataDto })
  metadata: EventMetadataDto;

  @ApiProperty({ description: 'SHA-256 hex of the previous event (64 zeros for the first)' })
  prevHash: string;

  @ApiProperty({ description: 'SHA-256 hex over the canonical JSON of this event and prevHash' })
  hash: string;
}

export class CommandResultDto {
  @ApiProperty({ type: ProcedureViewDto, description: 'the procedure after the command' })
  procedure: ProcedureViewDto;

  @ApiProperty({ type: [EventDto], description: 'the events the command appended' })
  events: EventDto[];
}
