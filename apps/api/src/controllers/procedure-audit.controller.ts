import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { ProcedureHistory } from '@qianqi/engine';
import { procedureId } from '../http/id.pipe';
import { ProblemResponses } from '../http/openapi';
import { ReplayViewDto, TimelineEntryDto } from './audit-responses.dto';
import { ExportQueryDto, ReplayQueryDto } from './audit.dto';

type Reply = { header(name: string, value: string): unknown };

/** A procedure's history from its events: at a moment, as a timeline, as an export. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('procedures')
export class ProcedureAuditController {
  constructor(private readonly history: ProcedureHistory) {}

  @Get(':id/replay')
  @ApiOkResponse({
    type: ReplayViewDto,
    description:
      'the view of GET /procedures/:id as it stood at `at` (the end without it), folded from the events',
  })
  @ProblemResponses(400, 401, 403, 404)
  replay(@Param('id', procedureId) id: string, @Query() query: ReplayQueryDto, @CurrentActor() actor: Actor) {
    return this.history.replay(actor, id, query.at ?? null);
  }

  @Get(':id/timeline')
  @ApiOkResponse({ type: [TimelineEntryDto], description: 'one line per event, oldest first' })
  @ProblemResponses(400, 401, 403, 404)
  timeline(@Param('id', procedureId) id: string, @CurrentActor() actor: Actor) {
    return this.history.timeline(actor, id);
  }

  @Get(':id/export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description:
      'jsonl: a header line (the definition it ran on, its hash, the head hash, headerHash), then one line per event as GET /procedures/:id/events shows it; csv: a header row and one row per event',
  })
  @ProblemResponses(400, 401, 403, 404)
  async export(
    @Param('id', procedureId) id: string,
    @Query() query: ExportQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const file = await this.history.export(actor, id, query.format ?? 'jsonl');
    reply.header('content-type', file.contentType);
    reply.header('content-disposition', `attachment; filename="${file.filename}"`);
    return file.body;
  }
}
