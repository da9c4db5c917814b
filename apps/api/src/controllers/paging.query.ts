import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * The highest page a list answers. Past it the OFFSET would leave PostgreSQL's bigint (a 500);
 * long before that no page holds anything, so a bound well inside is a 400 naming `page`.
 */
export const MAX_PAGE = 100_000;
export const MAX_PAGE_SIZE = 200;

/** `page`: 1-based, at most MAX_PAGE. */
export const PageParam = () =>
  applyDecorators(
    ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_PAGE),
  );

/** `pageSize`: 1 to MAX_PAGE_SIZE. */
export const PageSizeParam = (byDefault: number) =>
  applyDecorators(
    ApiPropertyOptional({ default: byDefault, minimum: 1, maximum: MAX_PAGE_SIZE }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_SIZE),
  );
