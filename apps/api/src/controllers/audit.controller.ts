import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { AccessLog, VerifyRecordUseCase } from '@qianqi/engine';
import { ProblemResponses } from '../http/openapi';
import { AccessLogEntryDto, VerificationReportDto } from './audit-responses.dto';
import { AccessLogQueryDto, VerifyBodyDto } from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly verifyRecord: VerifyRecordUseCase,
    private readonly accessLog: AccessLog,
  ) {}

  /** Hashes, links, versions and replay against the stored snapshot, for one procedure or all. */
  @Post('verify')
  @HttpCode(200)
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: VerificationReportDto })
  @ProblemResponses(400, 401, 403, 404, 413, 415)
  verify(@Body() body: VerifyBodyDto, @CurrentActor() actor: Actor) {
    return this.verifyRecord.execute(actor, body?.procedureId?.toLowerCase() ?? null);
  }

  /** Who looked (auditors' replays, timelines, exports, verifications) and refused commands; newest first. */
  @Get('access-log')
  @Roles('admin')
  @ApiOkResponse({ type: [AccessLogEntryDto], description: 'newest first' })
  @ProblemResponses(400, 401, 403)
  list(@Query() query: AccessLogQueryDto) {
    return this.accessLog.list({
      ...query,
      procedureId: query.procedureId?.toLowerCase(),
      limit: query.limit ?? 100,
    });
  }
}
