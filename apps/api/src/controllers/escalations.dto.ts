import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { TASK_FORCES } from '@qianqi/workflows';

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

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize?: number;
}

export class NoteDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  text: string;
}

export class CloseDto {
  @ApiProperty({ description: '销号 resolution' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  resolution: string;
}

export class ReopenDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason: string;
}

export class StatsQueryDto {
  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ example: '2027-01-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  to: string;
}
