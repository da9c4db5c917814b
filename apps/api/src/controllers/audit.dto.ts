import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsNotBlank, PlusOffset } from '@qianqi/engine';

export class ReplayQueryDto {
  @ApiPropertyOptional({
    example: '2026-03-05T10:00:00+08:00',
    description:
      'ISO 8601 instant with Z or an offset, or a date (the end of that day, China time); absent: now',
  })
  @IsOptional()
  @PlusOffset()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message:
      'at must be an ISO 8601 instant with Z or an offset (2026-03-05T10:00:00+08:00) or a date (2026-03-05)',
  })
  at?: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'], { message: 'format must be jsonl or csv' })
  format?: 'jsonl' | 'csv';
}

export class VerifyBodyDto {
  @ApiPropertyOptional({ description: 'one procedure; absent: every procedure' })
  @IsOptional()
  @IsUUID('all', { message: 'procedureId must be a UUID' })
  procedureId?: string;
}

export class AccessLogQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'procedureId must be a UUID' })
  procedureId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  actorId?: string;

  @ApiPropertyOptional({ example: 'EXPORT' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
