import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsNotBlank, Required } from '@qianqi/engine';
import { DEPARTMENTS, TASK_FORCES } from '@qianqi/workflows';

export class SetClockDto {
  @ApiProperty({ example: '2026-12-01T01:00:00Z' })
  @Required()
  @IsISO8601({ strict: true })
  now: string;
}

export class SetRouteDto {
  @ApiProperty({ enum: Object.keys(DEPARTMENTS) })
  @Required()
  @IsIn(Object.keys(DEPARTMENTS))
  department: string;

  @ApiPropertyOptional({ description: "region code, or '*' for every region", default: '*' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(64)
  region?: string;

  @ApiProperty({ enum: Object.keys(TASK_FORCES) })
  @Required()
  @IsIn(Object.keys(TASK_FORCES))
  taskForce: string;
}
