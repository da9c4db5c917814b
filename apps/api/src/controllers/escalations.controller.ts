import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { EscalationQueries, EscalationService } from '@qianqi/engine';
import { IdPipe } from '../http/id.pipe';
import { CloseDto, EscalationListQueryDto, NoteDto, ReopenDto, StatsQueryDto } from './escalations.dto';

const ticketId = new IdPipe('escalation');
/**
 * Who can ever hold a ticket. Others are refused by the guard before the body is validated, so
 * an auditor's empty note is a 403 (recorded as a refusal), not a 400.
 */
const HANDLERS = ['taskforce', 'leader', 'admin'] as const;

/** 督办件: listed to anyone who may see them, handled by whoever holds the current level. */
@ApiTags('escalations')
@ApiBearerAuth()
@Controller()
export class EscalationsController {
  constructor(
    private readonly queries: EscalationQueries,
    private readonly escalations: EscalationService,
  ) {}

  @Get('escalations')
  list(@Query() q: EscalationListQueryDto, @CurrentActor() actor: Actor) {
    return this.queries.list(actor, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 20 });
  }

  @Get('escalations/:id')
  one(@Param('id', ticketId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.one(actor, id);
  }

  @Post('escalations/:id/acknowledge')
  @HttpCode(200)
  @Roles(...HANDLERS)
  acknowledge(@Param('id', ticketId) id: string, @CurrentActor() actor: Actor) {
    return this.escalations.acknowledge(actor, id);
  }

  @Post('escalations/:id/notes')
  @HttpCode(200)
  @Roles(...HANDLERS)
  note(@Param('id', ticketId) id: string, @Body() body: NoteDto, @CurrentActor() actor: Actor) {
    return this.escalations.addNote(actor, id, body.text);
  }

  @Post('escalations/:id/close')
  @HttpCode(200)
  @Roles(...HANDLERS)
  close(@Param('id', ticketId) id: string, @Body() body: CloseDto, @CurrentActor() actor: Actor) {
    return this.escalations.close(actor, id, body.resolution);
  }

  @Post('escalations/:id/reopen')
  @HttpCode(200)
  @Roles(...HANDLERS)
  reopen(@Param('id', ticketId) id: string, @Body() body: ReopenDto, @CurrentActor() actor: Actor) {
    return this.escalations.reopen(actor, id, body.reason);
  }

  @Get('stats/escalations')
  stats(@Query() q: StatsQueryDto) {
    return this.queries.stats(new Date(q.from).toISOString(), new Date(q.to).toISOString());
  }
}
