import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageParam, PageSizeParam } from './paging.query';

export class ProjectListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  region?: string;

  @ApiPropertyOptional({ description: 'part of the name or code' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  readyToStart?: boolean;

  @ApiPropertyOptional({ enum: ['green', 'blue', 'yellow', 'red'] })
  @IsOptional()
  @IsIn(['green', 'blue', 'yellow', 'red'])
  light?: string;

  @PageParam()
  page?: number;

  @PageSizeParam(20)
  pageSize?: number;
}
