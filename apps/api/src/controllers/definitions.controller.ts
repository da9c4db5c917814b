import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@qianqi/domain';
import { DefinitionsService } from '@qianqi/engine';

@ApiTags('definitions')
@ApiBearerAuth()
@Controller('definitions')
export class DefinitionsController {
  constructor(private readonly definitions: DefinitionsService) {}

  @Get()
  list() {
    return this.definitions.registry.all().map((d) => this.definitions.describe(d));
  }

  /** `:id` is `id@version` or `id` alone (its latest version). */
  @Get(':id')
  one(@Param('id') id: string) {
    const d = this.definitions.resolve(id);
    if (!d) throw new NotFoundError('definition', id);
    return this.definitions.describe(d);
  }
}
