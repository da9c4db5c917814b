import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import type { Actor } from '@qianqi/domain';
import { ProcedureQueries, RegisterProjectCommand, RegisterProjectUseCase } from '@qianqi/engine';
import { projectId } from '../http/id.pipe';
import { ProblemResponses } from '../http/openapi';
import { RequestContext, type RequestMeta } from '../http/request-context';
import { ProjectListQueryDto } from './project-list.query';
import { RegisteredProjectDto } from './responses.dto';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly register: RegisterProjectUseCase,
    private readonly queries: ProcedureQueries,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('applicant', 'admin')
  @ApiCreatedResponse({
    type: RegisteredProjectDto,
    description: 'registered, its procedure started (ProjectRegistered is version 1)',
  })
  @ProblemResponses(400, 401, 403, 409, 413, 415)
  create(
    @Body() body: RegisterProjectCommand,
    @CurrentActor() actor: Actor,
    @RequestContext() meta: RequestMeta,
  ) {
    return this.register.execute(body, { actor, requestId: meta.requestId });
  }

  @Get()
  list(@Query() query: ProjectListQueryDto, @CurrentActor() actor: Actor) {
    return this.queries.listProjects(actor, {
      ...query,
      page: query.page ?? 1,
      pageSize: query.pageSize ?? 20,
    });
  }

  @Get(':id')
  one(@Param('id', projectId) id: string, @CurrentActor() actor: Actor) {
    return this.queries.project(actor, id);
  }
}
