import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsNotBlank, PlusOffset, Required } from '@qianqi/engine';
import { TASK_FORCES } from '@qianqi/workflows';
import { PageParam, PageSizeParam } from './paging.query';

export class EscalationListQueryDto {
  @ApiPropertyOptional({ enum: Object.keys(TASK_FORCES) })
  @IsOptional()
  @IsIn(Object.keys(TASK_FORCES))
  taskForce?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  level?: number;

  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'closed'])
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  projectId?: string;

  @PageParam()
  page?: number;

  @PageSizeParam(20)
  pageSize?: number;
}

export class NoteDto {
  @ApiProperty({ maxLength: 4000, description: 'not blank' })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(4000)
  text: string;
}

export class CloseDto {
  @ApiProperty({ description: '销号 resolution' })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(4000)
  resolution: string;
}

export class ReopenDto {
  @ApiProperty({ maxLength: 4000, description: 'not blank' })
  @Required()
  @IsString()
  @IsNotBlank()
  @MaxLength(4000)
  reason: string;
}

export class StatsQueryDto {
  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @Required()
  @PlusOffset()
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ example: '2027-01-01T00:00:00Z' })
  @Required()
  @PlusOffset()
  @IsISO8601({ strict: true })
  to: string;
}
