import { AccessLogStore, AuditStore, DataSource } from '@qianqi/persistence';
import { CalendarHistory } from '../calendar/calendar-history.service';
import { AccessLog } from './access-log.service';
import { ProcedureHistory } from './procedure-history.queries';
import { VerifyRecordUseCase } from './verify-record.usecase';

/** The audit's services, for the app that serves them (the API) to provide beside EngineModule. */
export const AUDIT_PROVIDERS = [
  { provide: AuditStore, inject: [DataSource], useFactory: (ds: DataSource) => new AuditStore(ds) },
  { provide: AccessLogStore, inject: [DataSource], useFactory: (ds: DataSource) => new AccessLogStore(ds) },
  AccessLog,
  CalendarHistory,
  ProcedureHistory,
  VerifyRecordUseCase,
];
