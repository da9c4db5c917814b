import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { ExecuteCommandUseCase, parseCommandBody, ProcedureQueries } from '@qianqi/engine';
import { procedureId } from '../http/id.pipe';
import { CommandBodies, ProblemResponses } from '../http/openapi';
import { RequestContext, type RequestMeta } from '../http/request-context';
import { CommandResultDto, EventDto, ProcedureViewDto } from './responses.dto';

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
  @ApiOkResponse({ type: ProcedureViewDto })
  one(@Param('id', procedureId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.procedure(actor, id);
  }

  @Get(':id/events')
  @ApiOkResponse({ type: [EventDto], description: 'the stream, oldest first' })
  events(@Param('id', procedureId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.events(actor, id);
  }

  @Post(':id/items/:itemKey/commands')
  @HttpCode(200)
  // Roles that may never command an item are refused by the guard, before the body is read: an
  // auditor's incomplete body is a 403 (and recorded as a refusal), not a 400.
  @Roles(...COMMANDING_ROLES)
  @CommandBodies()
  @ApiOkResponse({
    type: CommandResultDto,
    description: 'the procedure after the command and the events it appended',
  })
  @ProblemResponses(400, 401, 403, 404, 409, 412, 413, 414, 415)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key returns the first answer',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'expected procedure version (412 when stale), or * for any',
  })
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
