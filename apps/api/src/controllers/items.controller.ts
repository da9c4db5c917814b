import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CurrentActor } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { ItemDeskQueries } from '@qianqi/engine';
import { DEPARTMENTS, ITEM_STATUSES } from '@qianqi/workflows';
import { PageParam, PageSizeParam } from './paging.query';

export class ItemListQueryDto {
  @ApiPropertyOptional({
    enum: Object.keys(DEPARTMENTS),
    description: 'department officers always see their own',
  })
  @IsOptional()
  @IsIn(Object.keys(DEPARTMENTS))
  department?: string;

  @ApiPropertyOptional({ enum: ITEM_STATUSES })
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: ['green', 'blue', 'yellow', 'red'] })
  @IsOptional()
  @IsIn(['green', 'blue', 'yellow', 'red'])
  light?: string;

  @PageParam()
  page?: number;

  @PageSizeParam(50)
  pageSize?: number;
}

/** An officer's desk: the items of the department, soonest due first, with working days left. */
@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(private readonly desk: ItemDeskQueries) {}

  @Get()
  list(@Query() q: ItemListQueryDto, @CurrentActor() actor: Actor) {
    return this.desk.list(actor, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
  }
}
