import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@qianqi/auth';
import { ValidationError, type Actor } from '@qianqi/domain';
import {
  AdvanceClockUseCase,
  CalendarDeadlines,
  LoadCalendarYearCommand,
  LoadCalendarYearUseCase,
} from '@qianqi/engine';
import { EscalationStore } from '@qianqi/persistence';
import { SetClockDto, SetRouteDto } from './admin.dto';

/** A year in the path that is no integer: a field problem like any other, not a bare 400. */
const yearPipe = new ParseIntPipe({
  exceptionFactory: () =>
    new ValidationError([{ field: 'year', rule: 'isInt', message: 'year must be an integer, e.g. 2027' }]),
});

/** The operator's levers: calendar years, escalation routing, and (manual mode) the clock. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
export class AdminController {
  constructor(
    private readonly calendar: LoadCalendarYearUseCase,
    private readonly deadlines: CalendarDeadlines,
    private readonly clock: AdvanceClockUseCase,
    private readonly routes: EscalationStore,
  ) {}

  @Put('calendar/:year')
  @Roles('admin')
  loadYear(
    @Param('year', yearPipe) year: number,
    @Body() body: LoadCalendarYearCommand,
    @CurrentActor() actor: Actor,
  ) {
    return this.calendar.execute(actor, year, body);
  }

  @Get('calendar')
  calendarYears() {
    return { knownYears: this.deadlines.current.knownYears() };
  }

  @Get('clock')
  now() {
    return this.clock.current();
  }

  @Post('clock')
  @HttpCode(200)
  @Roles('admin')
  move(@Body() body: SetClockDto) {
    return this.clock.execute(body.now);
  }

  @Get('routes')
  @Roles('admin')
  listRoutes() {
    return this.routes.routes();
  }

  @Put('routes')
  @Roles('admin')
  async setRoute(@Body() body: SetRouteDto) {
    await this.routes.setRoute(body.department, body.region ?? '*', body.taskForce);
    return this.routes.routes();
  }
}
