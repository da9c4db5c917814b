import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@qianqi/auth';
import { HealthService } from '../health.service';
import { AnyQuery } from '../http/no-undeclared-input.guard';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @AnyQuery()
  @Get()
  async check(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const result = await this.health.check();
    if (result.status !== 'ok') reply.status(503);
    return result;
  }
}
