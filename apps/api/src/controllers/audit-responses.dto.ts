import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { FAILURE_KINDS } from '@qianqi/audit';
import { EventActorDto, ProcedureViewDto } from './responses.dto';

/** The audit routes' answers, as the OpenAPI document describes them. */

export class ReplayViewDto extends ProcedureViewDto {
  @ApiProperty({ format: 'date-time', description: 'the moment replayed to' })
  asOf: string;

  @ApiProperty({ description: 'events folded (those recorded at or before asOf)' })
  eventsApplied: number;
}

/** An event's actor as the timeline names them: the department always present, null for none. */
export class TimelineActorDto extends PickType(EventActorDto, ['id', 'name', 'role'] as const) {
  @ApiProperty({ nullable: true, type: String, example: 'ecology' })
  department: string | null;
}

export class TimelineEntryDto {
  @ApiProperty()
  version: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'StepAcceptedWithTolerance' })
  type: string;

  @ApiProperty({ nullable: true, type: String, example: 'eia' })
  itemKey: string | null;

  @ApiProperty({ type: TimelineActorDto })
  actor: TimelineActorDto;

  @ApiProperty({
    example:
      '2026-03-02 11:00 生态环境局 张三 容缺受理 环评批复, 缺 公众参与说明, 承诺 5 个工作日内补齐（2026-03-09 前）; 开始计时',
    description: 'when, who, what, on which item, and its effect on the clock and the light, in Chinese',
  })
  text: string;
}

export class VerificationFailureDto {
  @ApiProperty({ format: 'uuid' })
  procedureId: string;

  @ApiProperty()
  version: number;

  @ApiProperty({ enum: FAILURE_KINDS })
  kind: string;

  @ApiProperty()
  detail: string;
}

export class VerificationReportDto {
  @ApiProperty()
  procedures: number;

  @ApiProperty()
  events: number;

  @ApiProperty()
  ok: boolean;

  @ApiProperty({ type: [VerificationFailureDto] })
  failures: VerificationFailureDto[];

  @ApiPropertyOptional({ description: 'failures found past those listed' })
  failuresNotListed?: number;
}

export class AccessLogEntryDto {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty()
  actorId: string;

  @ApiProperty()
  actorName: string;

  @ApiProperty({ example: 'auditor' })
  actorRole: string;

  @ApiProperty({
    example: 'REPLAY',
    description: 'REPLAY, TIMELINE, EXPORT, VERIFY or COMMAND_REFUSED:<command>',
  })
  action: string;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  procedureId: string | null;

  @ApiPropertyOptional({ type: Object, nullable: true })
  detail?: Record<string, unknown> | null;
}
