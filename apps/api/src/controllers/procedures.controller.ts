import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { CommandBody, ExecuteCommandUseCase, parseCommandBody, ProcedureQueries } from '@qianqi/engine';
import { procedureId } from '../http/id.pipe';
import { RequestContext, type RequestMeta } from '../http/request-context';

/** Who may send item commands at all; which command to which item is the engine's policy. */
const COMMANDING_ROLES = ['applicant', 'department', 'admin'] as const;

@ApiTags('procedures')
@ApiBearerAuth()
@Controller('procedures')
export class ProceduresController {
  constructor(
    private readonly commands: ExecuteCommandUseCase,
    private readonly queries: ProcedureQueries,
  ) {}

  @Get(':id')
  one(@Param('id', procedureId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.procedure(actor, id);
  }

  @Get(':id/events')
  events(@Param('id', procedureId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.events(actor, id);
  }

  @Post(':id/items/:itemKey/commands')
  @HttpCode(200)
  // Roles that may never command an item are refused by the guard, before the body is read: an
  // auditor's incomplete body is a 403 (and recorded as a refusal), not a 400.
  @Roles(...COMMANDING_ROLES)
  @ApiBody({ type: CommandBody, description: '{ type, …fields of that command }' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'expected procedure version' })
  command(
    @Param('id', procedureId) id: string,
    @Param('itemKey') itemKey: string,
    @Body() body: unknown,
    @CurrentActor() actor: Actor,
    @RequestContext() meta: RequestMeta,
  ) {
    return this.commands.execute(id, itemKey, parseCommandBody(body), { actor, ...meta });
  }
}
