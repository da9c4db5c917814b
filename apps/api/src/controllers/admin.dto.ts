import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { DEPARTMENTS, TASK_FORCES } from '@qianqi/workflows';

export class SetClockDto {
  @ApiProperty({ example: '2026-12-01T01:00:00Z' })
  @IsISO8601({ strict: true })
  now: string;
}

export class SetRouteDto {
  @ApiProperty({ enum: Object.keys(DEPARTMENTS) })
  @IsIn(Object.keys(DEPARTMENTS))
  department: string;

  @ApiPropertyOptional({ description: "region code, or '*' for every region", default: '*' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  region?: string;

  @ApiProperty({ enum: Object.keys(TASK_FORCES) })
  @IsIn(Object.keys(TASK_FORCES))
  taskForce: string;
}
